import { DocumentNode, getNamedType, GraphQLOutputType, GraphQLSchema, isListType, isNonNullType, isObjectType } from 'graphql';
import { ComplexityEstimatorArgs, getComplexity } from 'graphql-query-complexity';
import { MAX_PURCHASES_PER_CALL } from '../../purchases/purchase-batch.service';

/**
 * How many items a list or page field is assumed to return when estimating a request's cost. Paged fields (a
 * connection or a list with `first`) cost their `first` argument as the caller asked it; other lists their
 * typical size, or the most items they can hold where that bounds the answer. Every list field of the schema
 * must be named here: a test fails on one that is not, so that a new list is priced on purpose rather than by a
 * default.
 */
export const LIST_SIZES: Record<string, number | 'first'> = {
  'Query.ledgerTransactions': 'first',
  'Query.trialBalance': 'first',
  'Query.reconciliationRuns': 'first',
  'Query.auditorTokens': 50,
  'Query.apiTokens': 50,
  'LedgerTransactionConnection.edges': 1,
  'LedgerAccountConnection.edges': 1,
  'LedgerTransaction.entries': 4,
  // A drift run is rare and has a few findings; the first 100 examples of each are the most a finding carries.
  // Priced at what a page of runs typically holds; the response-size bound covers a page of bad days.
  'ReconciliationRun.findings': 3,
  'ReconciliationFinding.examples': 10,
  // One outcome per input, priced at the most inputs a call takes (the resolver refuses more with the contract's
  // BAD_USER_INPUT before any work), so that the cost bounds the answer whatever the request sends: ten aliases
  // of one 1,000-item variable are ten answers of 1,000. Priced from the document alone, so a client sees a
  // refusal with its first small batch rather than with its first large one, and the purchase path pays for the
  // estimate once per document. A full batch with every field selected costs 21,001 (GRAPHQL_MAX_COST: 30,000).
  'Mutation.recordPurchases': MAX_PURCHASES_PER_CALL,
};
/** A list the table does not name (it should not happen: see above). */
const UNKNOWN_LIST_SIZE = 100;

function isList(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

/**
 * One per field, times the size of every list it sits in. Introspection costs nothing here: it is served only to
 * callers with a token and only with the IDE setting on, and the token and alias limits bound it.
 */
export function estimateField({ type, field, args, childComplexity }: ComplexityEstimatorArgs): number {
  if (field.name.startsWith('__') || type.name.startsWith('__')) return 0;
  const size = LIST_SIZES[`${type.name}.${field.name}`] ?? (isList(field.type) ? UNKNOWN_LIST_SIZE : 1);
  const first: unknown = args.first;
  const items = size === 'first' ? (typeof first === 'number' && first > 0 ? first : 1) : size;
  return 1 + items * childComplexity;
}

/** The estimated cost of the operation that will run (variables applied; @skip/@include honoured). */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown> | undefined,
): number {
  return getComplexity({
    schema,
    query: document,
    operationName,
    variables,
    estimators: [estimateField],
    // A bound on the nodes the walk may visit, whatever the fragments: over it, getComplexity throws.
    maxQueryNodes: 10_000,
  });
}

/** The schema's list fields of objects, as "Type.field": what LIST_SIZES must name. */
export function listFieldsOf(schema: GraphQLSchema): string[] {
  const fields: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      if (isList(field.type) && isObjectType(getNamedType(field.type))) fields.push(`${type.name}.${field.name}`);
    }
  }
  return fields.sort();
}
