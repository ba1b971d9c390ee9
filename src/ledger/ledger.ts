/**
 * The ledger's concepts as plain data: no framework, no database. A ledger transaction moves points between
 * accounts through postings whose amounts sum to zero; the database enforces the same rule on its rows.
 */

/** The program's liability account: debited by every credit of points to a customer. */
export const PROGRAM_LIABILITY_ACCOUNT_ID = '00000000-0000-0000-0000-00000000a001';
export const PROGRAM_LIABILITY_ACCOUNT_CODE = 'program:liability';

export type LedgerTransactionKind = 'purchase' | 'correction';

export interface Posting {
  accountId: string;
  /** Signed: positive credits the account's points, negative debits them. Never zero. */
  amount: bigint;
}

export interface LedgerTransactionDraft {
  key: string;
  kind: LedgerTransactionKind;
  postings: Posting[];
}

/** A customer's points account shares the customer's id. */
export function customerAccountId(customerId: string): string {
  return customerId;
}

export function customerAccountCode(customerId: string): string {
  return `customer:${customerId}`;
}

export function purchaseTransactionKey(purchaseId: string): string {
  return `purchase:${purchaseId}`;
}

export function isBalanced(postings: readonly Posting[]): boolean {
  return postings.length >= 2 && postings.every((p) => p.amount !== 0n) && sum(postings.map((p) => p.amount)) === 0n;
}

/** The postings of a purchase that earned `points`: none when it earned nothing. */
export function purchasePostings(customerId: string, points: bigint): Posting[] {
  if (points < 0n) throw new RangeError('a purchase cannot earn negative points');
  if (points === 0n) return [];
  return [
    { accountId: PROGRAM_LIABILITY_ACCOUNT_ID, amount: -points },
    { accountId: customerAccountId(customerId), amount: points },
  ];
}

/** Balances implied by a set of postings: what the materialized balances must equal. */
export function balancesFrom(postings: Iterable<Posting>): Map<string, bigint> {
  const balances = new Map<string, bigint>();
  for (const p of postings) balances.set(p.accountId, (balances.get(p.accountId) ?? 0n) + p.amount);
  return balances;
}

export function sum(amounts: Iterable<bigint>): bigint {
  let total = 0n;
  for (const a of amounts) total += a;
  return total;
}
