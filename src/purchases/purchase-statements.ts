/** What splitting a batch call into statements needs to know of a purchase: its idempotency key. */
export interface Keyed {
  retailerId: string;
  transactionId: string;
}

/**
 * Splits one recordPurchases call's purchases into record_purchases() statements of at most `max` purchases, in
 * input order. A key already in the current statement starts a new one: within one statement the function
 * decides every item against the statement's start (an item whose customer is unknown would still "win" the key
 * there), while the contract says two items with one key behave as two calls in that order. Statements run one
 * after the other, so the later item sees the earlier one committed: exactly the sequential answer.
 */
export function statementsOf<T extends Keyed>(items: readonly T[], max: number): T[][] {
  if (max < 1) throw new RangeError('max must be >= 1');
  const statements: T[][] = [];
  let current: T[] = [];
  let keys = new Set<string>();
  for (const item of items) {
    // A transactionId is printable text without control characters, so a NUL cannot occur in either part.
    const key = `${item.retailerId}\u0000${item.transactionId}`;
    if (current.length >= max || keys.has(key)) {
      statements.push(current);
      current = [];
      keys = new Set();
    }
    current.push(item);
    keys.add(key);
  }
  if (current.length > 0) statements.push(current);
  return statements;
}

/** One statement's answer for an item, as far as balances are concerned. */
export interface BalanceRow {
  outcome: 'recorded' | 'replayed' | 'conflict' | 'customer_not_found';
  customerId: string;
  pointsEarned: bigint;
  customerBalance: bigint;
}

/**
 * record_purchases() gives a recorded item the balance right after it, but a replayed item the balance after
 * the whole statement. A batch answers each item as if the calls ran one by one in input order, so a replay's
 * balance leaves out what the statement's later items credited to the same customer. Answers the corrected
 * balance of each row, in order.
 */
export function balancesInOrder(rows: readonly BalanceRow[]): bigint[] {
  const laterCredits = new Map<string, bigint>();
  const balances = new Array<bigint>(rows.length);
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i];
    const later = laterCredits.get(row.customerId) ?? 0n;
    balances[i] = row.outcome === 'replayed' ? row.customerBalance - later : row.customerBalance;
    if (row.outcome === 'recorded') laterCredits.set(row.customerId, later + row.pointsEarned);
  }
  return balances;
}
