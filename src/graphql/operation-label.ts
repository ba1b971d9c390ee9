import { DocumentNode, getOperationAST, GraphQLSchema, Kind, OperationDefinitionNode, SelectionSetNode } from 'graphql';

export const INTROSPECTION = 'introspection';
export const UNKNOWN_OPERATION = 'unknown';

/**
 * The `operation` label of a GraphQL request: the name of its operation's first root field when the schema's
 * root type has that field (so the label set is bounded by the schema, whatever clients send), "introspection"
 * for __schema, __type or __typename, else "unknown" (no document, no operation, a field the schema lacks).
 * The operation's own name is the client's free text and is never used.
 */
export function operationLabel(
  schema: GraphQLSchema,
  document: DocumentNode | undefined,
  operation: OperationDefinitionNode | undefined,
  operationName: string | null | undefined,
): string {
  // A document that failed validation has no resolved operation: found here the way Apollo finds it.
  const op = operation ?? (document ? getOperationAST(document, operationName) : null);
  if (!op) return UNKNOWN_OPERATION;
  const field = firstRootField(document, op.selectionSet, new Set());
  if (field === null) return UNKNOWN_OPERATION;
  if (field.startsWith('__')) return INTROSPECTION;
  const root =
    op.operation === 'query' ? schema.getQueryType() : op.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  return root && Object.hasOwn(root.getFields(), field) ? field : UNKNOWN_OPERATION;
}

/** The first field selected at the root, through inline fragments and fragment spreads. */
function firstRootField(document: DocumentNode | undefined, set: SelectionSetNode, seen: Set<string>): string | null {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) return selection.name.value;
    let inner: SelectionSetNode | undefined;
    if (selection.kind === Kind.INLINE_FRAGMENT) inner = selection.selectionSet;
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = document?.definitions.find(
        (d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value,
      );
      if (fragment?.kind === Kind.FRAGMENT_DEFINITION) inner = fragment.selectionSet;
    }
    const found = inner ? firstRootField(document, inner, seen) : null;
    if (found !== null) return found;
  }
  return null;
}
