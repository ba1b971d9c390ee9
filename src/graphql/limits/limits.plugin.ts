import type { ApolloServerPlugin } from '@apollo/server';
import { DocumentNode, Kind, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import { GraphqlLimits } from '../../config/config';
import { GraphqlContext } from '../graphql-context';
import { operationCost } from './cost';
import { limitError } from './limit-error';

interface DocumentFacts {
  purchases: number;
  /** Known when no variable can change it (only an Int variable can: a page size). */
  cost: number | null;
}

/**
 * The limits that need the operation and its variables, checked after the document validated and before any
 * resolver runs: at most `maxPurchasesPerRequest` recordPurchase fields, and the estimated cost. (Introspection
 * never reaches here without a token: the edge answers every request without one, src/edge/edge-hooks.ts.) What does not depend on variables is remembered per parsed document (Apollo
 * hands the same document object back for the same query text), so the purchase path pays for it once.
 */
export function limitsPlugin(limits: GraphqlLimits): ApolloServerPlugin<GraphqlContext> {
  const facts = new WeakMap<OperationDefinitionNode, DocumentFacts>();
  return {
    requestDidStart() {
      return Promise.resolve({
        didResolveOperation({ document, operation, operationName, schema, request }) {
          if (!operation) return Promise.resolve();
          let known = facts.get(operation);
          if (known === undefined) {
            const variablesMatter = (operation.variableDefinitions ?? []).some((v) => /\bInt\b/.test(typeText(v.type)));
            known = {
              purchases: rootFieldCount(document, operation.selectionSet, 'recordPurchase'),
              cost: null,
            };
            if (!variablesMatter) {
              known.cost = costOf(schema, document, operationName ?? undefined, request.variables);
              // Variables that do not coerce say nothing about the document: its cost is computed next time.
              if (known.cost !== null) facts.set(operation, known);
            } else facts.set(operation, known);
          }
          if (known.purchases > limits.maxPurchasesPerRequest) {
            throw limitError(
              `At most ${limits.maxPurchasesPerRequest} recordPurchase fields per request (MAX_PURCHASES_PER_REQUEST)`,
            );
          }
          const cost = known.cost ?? costOf(schema, document, operationName ?? undefined, request.variables);
          // null: the variables do not fit the operation; execution refuses them (BAD_USER_INPUT) before any resolver.
          if (cost !== null && cost > limits.maxCost) {
            throw limitError(`The request's estimated cost ${cost} is over ${limits.maxCost} (GRAPHQL_MAX_COST): ask for smaller pages`);
          }
          return Promise.resolve();
        },
      });
    },
  };
}

function costOf(...args: Parameters<typeof operationCost>): number | null {
  try {
    return operationCost(...args);
  } catch (error) {
    // The estimator refuses a document whose fragments expand past its node bound; anything else it throws is a
    // variable that does not coerce.
    return error instanceof Error && /maximum allowed number of nodes/.test(error.message) ? Number.POSITIVE_INFINITY : null;
  }
}

function typeText(type: { kind: Kind; name?: { value: string }; type?: unknown }): string {
  return type.kind === Kind.NAMED_TYPE ? (type.name?.value ?? '') : typeText(type.type as Parameters<typeof typeText>[0]);
}

/** Root fields of that name in the operation, through inline fragments and fragment spreads at the root. */
function rootFieldCount(document: DocumentNode, set: SelectionSetNode, name: string, seen = new Set<string>()): number {
  let count = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) count += selection.name.value === name ? 1 : 0;
    else if (selection.kind === Kind.INLINE_FRAGMENT) count += rootFieldCount(document, selection.selectionSet, name, seen);
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = document.definitions.find(
        (d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value,
      );
      if (fragment && fragment.kind === Kind.FRAGMENT_DEFINITION) count += rootFieldCount(document, fragment.selectionSet, name, seen);
    }
  }
  return count;
}
