import type { ApolloServerPlugin } from '@apollo/server';
import { DocumentNode, Kind, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import { GraphqlLimits } from '../../config/config';
import { GraphqlContext } from '../graphql-context';
import { operationCost } from './cost';
import { limitError } from './limit-error';

/**
 * Root fields that write the ledger: each is a database transaction (or a share of one) and takes the customer's
 * lock or the purchase path's connections, so one request may hold only a few of them, whatever its aliases.
 */
export const LEDGER_WRITES: ReadonlySet<string> = new Set([
  'recordPurchase',
  // One field, up to 1,000 purchases in statements of its own (the 1,000 bound is the resolver's).
  'recordPurchases',
  // Direct mode records like recordPurchase; event mode publishes to the stream.
  'submitPurchase',
  'recordReturn',
  'redeemPoints',
  'cancelRedemption',
  'adjustPoints',
]);

interface DocumentFacts {
  /** Root fields named in LEDGER_WRITES. */
  ledgerWrites: number;
  /** Known when no variable can change it (only an Int variable can: a page size). */
  cost: number | null;
}

/**
 * The limits that need the operation and its variables, checked after the document validated and before any
 * resolver runs: at most `maxPurchasesPerRequest` ledger-writing fields (LEDGER_WRITES), and the estimated cost. (Introspection
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
              ledgerWrites: rootFieldCount(document, operation.selectionSet, LEDGER_WRITES),
              cost: null,
            };
            if (!variablesMatter) {
              known.cost = costOf(schema, document, operationName ?? undefined, request.variables);
              // Variables that do not coerce say nothing about the document: its cost is computed next time.
              if (known.cost !== null) facts.set(operation, known);
            } else facts.set(operation, known);
          }
          if (known.ledgerWrites > limits.maxPurchasesPerRequest) {
            throw limitError(
              `At most ${limits.maxPurchasesPerRequest} ledger-writing fields (recordPurchase, recordPurchases, submitPurchase, recordReturn, redeemPoints, ` +
                'cancelRedemption, adjustPoints) per request (MAX_PURCHASES_PER_REQUEST)',
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

/** Root fields with one of these names, through inline fragments and fragment spreads at the root. */
function rootFieldCount(
  document: DocumentNode,
  set: SelectionSetNode,
  names: ReadonlySet<string>,
  seen = new Set<string>(),
): number {
  let count = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) count += names.has(selection.name.value) ? 1 : 0;
    else if (selection.kind === Kind.INLINE_FRAGMENT) count += rootFieldCount(document, selection.selectionSet, names, seen);
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = document.definitions.find(
        (d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value,
      );
      if (fragment && fragment.kind === Kind.FRAGMENT_DEFINITION) count += rootFieldCount(document, fragment.selectionSet, names, seen);
    }
  }
  return count;
}
