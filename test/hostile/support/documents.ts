/** The hostile documents of the issue's findings, built to the sizes the issue reports. */

/** Finding 1: one alias of a deep introspection query (~173 bytes; 1,000 of them make the 173 KB request). */
const INTROSPECTION_ALIAS = (i: number) =>
  `a${i}: __schema { types { name description fields { name description args { name description type { name kind ofType { name kind } } } type { name kind ofType { name kind } } } } }\n`;

export function introspectionAliases(count = 1000): string {
  return `query {\n${Array.from({ length: count }, (_, i) => INTROSPECTION_ALIAS(i)).join('')}}`;
}

/** Finding 2: `count` aliases of the purchase query, each a separate resolver call behind the auth guard. */
export function purchaseQueryAliases(retailerId: string, count = 1000): string {
  const alias = (i: number) => `p${i}: purchase(retailerId: "${retailerId}", transactionId: "t${i}") { id transactionId }`;
  return `query {\n${Array.from({ length: count }, (_, i) => alias(i)).join('\n')}\n}`;
}

/** Finding 3: `count` aliases of a full page of ledger transactions with their entries. */
export function ledgerPageAliases(count: number, first = 500): string {
  const alias = (i: number) =>
    `l${i}: ledgerTransactions(first: ${first}) { edges { node { id key kind entries { id accountCode amount } } } }`;
  return `query {\n${Array.from({ length: count }, (_, i) => alias(i)).join('\n')}\n}`;
}

/** Finding 7: `count` recordPurchase aliases, each with its own valid input. */
export function recordPurchaseAliases(inputs: Array<Record<string, unknown>>): string {
  const literal = (input: Record<string, unknown>) =>
    `{ ${Object.entries(input)
      .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
      .join(', ')} }`;
  const alias = (input: Record<string, unknown>, i: number) =>
    `r${i}: recordPurchase(input: ${literal(input)}) { replayed purchase { id retailerId transactionId } }`;
  return `mutation {\n${inputs.map(alias).join('\n')}\n}`;
}

/** Finding 7: a selection nested `depth` levels deep (the field need not exist: the parser meets it first). */
export function deepSelection(depth: number): string {
  return `query { ${'a { '.repeat(depth)}__typename${' }'.repeat(depth)} }`;
}
