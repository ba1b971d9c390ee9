import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';

export const SCHEMA_HEADER =
  '# Generated from the code-first resolvers by `npm run schema:generate`; do not edit by hand.\n' +
  '# The public contract it must keep is ../shared/contract/api.graphql (`npm run contract`).\n\n';

/** Stable text of a schema: sorted, so that the committed file changes only when the API does. */
export function printSortedSchema(schema: GraphQLSchema): string {
  return `${SCHEMA_HEADER}${printSchema(lexicographicSortSchema(schema))}\n`;
}
