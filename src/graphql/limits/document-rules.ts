import { Kind, OperationDefinitionNode, SelectionSetNode, ValidationContext, ValidationRule } from 'graphql';
import { GraphqlLimits } from '../../config/config';
import { limitError } from './limit-error';

/**
 * Validation rules for the shape of a document, checked once per document before anything runs (Apollo caches a
 * document that passed). A fragment's figure is computed once and reused wherever it is spread, so fragments
 * spread in fragments cannot make the walk itself expensive; a fragment cycle counts as nothing here (graphql's
 * own NoFragmentCycles rule refuses it). Introspection fields (`__schema`, `__type`) are not counted in depth:
 * an IDE's introspection query nests `ofType` a dozen levels, and introspection is served only to callers with
 * a token (limits.plugin.ts).
 */
export function documentRules(
  limits: Pick<GraphqlLimits, 'maxDepth' | 'maxAliases' | 'maxOperations' | 'maxNameLength'>,
): ValidationRule[] {
  return [
    maxOperationsRule(limits.maxOperations),
    maxNameLengthRule(limits.maxNameLength),
    maxDepthRule(limits.maxDepth),
    maxAliasesRule(limits.maxAliases),
  ];
}

/**
 * Every name of the document (aliases above all: the caller makes them up) is written into the answer once per
 * item of every list it sits in, so its length multiplies: a 300,000-character alias on a field of a 1,000-item
 * batch made a ~300 MB answer. Bounded here; the estimated cost bounds how many times a name is written.
 */
function maxNameLengthRule(max: number): ValidationRule {
  return (context: ValidationContext) => {
    let reported = false;
    return {
      Name(node) {
        if (reported || node.value.length <= max) return;
        reported = true;
        context.reportError(limitError(`A name or alias is longer than ${max} characters (GRAPHQL_MAX_NAME_LENGTH)`));
      },
    };
  };
}

function maxOperationsRule(max: number): ValidationRule {
  return (context: ValidationContext) => ({
    Document(node) {
      const operations = node.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
      if (operations > max) {
        context.reportError(
          limitError(`The document holds ${operations} operations; at most ${max} are allowed (GRAPHQL_MAX_OPERATIONS)`),
        );
      }
    },
  });
}

function maxDepthRule(max: number): ValidationRule {
  return (context: ValidationContext) => {
    const measure = selectionMeasure(context, (field, inner) =>
      field.name.value.startsWith('__') ? 0 : field.selectionSet ? 1 + inner : 1,
    Math.max);
    return {
      OperationDefinition(operation: OperationDefinitionNode) {
        if (measure(operation.selectionSet) > max) {
          context.reportError(limitError(`The operation is nested deeper than ${max} levels (GRAPHQL_MAX_DEPTH)`));
        }
      },
    };
  };
}

function maxAliasesRule(max: number): ValidationRule {
  return (context: ValidationContext) => {
    const measure = selectionMeasure(
      context,
      (field, inner) => inner + (field.alias && field.alias.value !== field.name.value ? 1 : 0),
      (a, b) => a + b,
    );
    return {
      OperationDefinition(operation: OperationDefinitionNode) {
        if (measure(operation.selectionSet) > max) {
          context.reportError(limitError(`The operation uses more than ${max} aliases (GRAPHQL_MAX_ALIASES)`));
        }
      },
    };
  };
}

type FieldNodeOf = Extract<SelectionSetNode['selections'][number], { kind: Kind.FIELD }>;

/**
 * A figure of a selection set: `ofField` gives a field's figure from its own selection's, `combine` joins
 * siblings (max for depth, sum for aliases). Fragments are measured once and remembered.
 */
function selectionMeasure(
  context: ValidationContext,
  ofField: (field: FieldNodeOf, inner: number) => number,
  combine: (a: number, b: number) => number,
): (set: SelectionSetNode) => number {
  const fragments = new Map<string, number>();
  const measure = (set: SelectionSetNode): number => {
    let total = 0;
    for (const selection of set.selections) {
      let figure = 0;
      if (selection.kind === Kind.FIELD) {
        figure = ofField(selection, selection.selectionSet ? measure(selection.selectionSet) : 0);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        figure = measure(selection.selectionSet);
      } else {
        const name = selection.name.value;
        if (!fragments.has(name)) {
          fragments.set(name, 0); // on the path: a cycle counts as nothing
          const fragment = context.getFragment(name);
          fragments.set(name, fragment ? measure(fragment.selectionSet) : 0);
        }
        figure = fragments.get(name) ?? 0;
      }
      total = combine(total, figure);
    }
    return total;
  };
  return measure;
}
