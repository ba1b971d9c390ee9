/**
 * The ledger's concepts as plain data: no framework, no database. A ledger transaction moves points between
 * accounts through postings whose amounts sum to zero; the database enforces the same rule on its rows.
 */

/** The program's liability account: debited by every credit of points to a customer. */
export const PROGRAM_LIABILITY_ACCOUNT_ID = '00000000-0000-0000-0000-00000000a001';

export interface Posting {
  accountId: string;
  /** Signed: positive credits the account's points, negative debits them. Never zero. */
  amount: bigint;
}

/** A customer's points account shares the customer's id. */
export function customerAccountId(customerId: string): string {
  return customerId;
}

export function purchaseTransactionKey(purchaseId: string): string {
  return `purchase:${purchaseId}`;
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
