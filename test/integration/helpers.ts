import { randomUUID } from 'node:crypto';
import { DatabaseError, PoolClient } from 'pg';
import { GraphqlResponse, TestApp } from '../support/test-app';

/** Helpers shared by the integration tests (not a test file itself). */

export const DAY_MS = 24 * 60 * 60 * 1000;

/** The UTC calendar date `days` days before now (negative: after). */
export function utcDateDaysAgo(days: number): string {
  return new Date(Date.now() - days * DAY_MS).toISOString().slice(0, 10);
}

/** YYYY-MM-DD plus `days` calendar days. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** An ISO instant `ms` milliseconds from now (negative: in the past). */
export function isoFromNow(ms: number): string {
  return new Date(Date.now() + ms).toISOString();
}

/**
 * The error that statements run as the database owner, in one database transaction, end with; null when they
 * commit. For tests of the database's own guards.
 */
export async function statementsFailure(t: TestApp, ...statements: Array<string | [string, unknown[]]>): Promise<DatabaseError | null> {
  const client: PoolClient = await t.sql.connect();
  try {
    await client.query('begin');
    for (const s of statements) await (typeof s === 'string' ? client.query(s) : client.query(s[0], s[1]));
    await client.query('commit');
    return null;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    if (error instanceof DatabaseError) return error;
    throw error;
  } finally {
    client.release();
  }
}

/** A transaction id no other test uses. */
export function txn(prefix = 'tx'): string {
  return `${prefix}-${randomUUID()}`;
}

/** Internals that a client must never read in an error. */
const LEAKS = [/sql/i, /constraint/i, /relation/i, /\bat .+\.(ts|js):\d+/, /node_modules/, /postgres/i, /violat/i, /syntax error/i];

export function expectNoLeak(r: GraphqlResponse<unknown>): void {
  for (const error of r.errors ?? []) {
    for (const leak of LEAKS) expect(error.message).not.toMatch(leak);
    const extensions = (error.extensions ?? {}) as Record<string, unknown>;
    expect(extensions.stacktrace).toBeUndefined();
    expect(extensions.exception).toBeUndefined();
  }
}

/** The error code of the only error of a response that must have failed without data. */
export function refusal(r: GraphqlResponse<unknown>): string | undefined {
  expect(r.errors).toHaveLength(1);
  expectNoLeak(r);
  return r.errors?.[0]?.extensions?.code;
}

export async function count(t: TestApp, table: string, where = 'true', params: unknown[] = []): Promise<number> {
  const { rows } = await t.sql.query<{ n: string }>(`select count(*)::text as n from ${table} where ${where}`, params);
  return Number(rows[0].n);
}

/** The ledger transactions written for the purchase with this key. */
export function ledgerTransactionsOf(t: TestApp, retailerId: string, transactionId: string): Promise<number> {
  return count(
    t,
    'ledger_transactions lt join purchases p on p.id = lt.purchase_id',
    'p.retailer_id = $1 and p.transaction_id = $2',
    [retailerId, transactionId],
  );
}

/** floor(quantity x unitPriceCents x rate / 100) for a rate given in ten-thousandths, in integer math. */
export function expectedPoints(quantity: number, unitPriceCents: number, rateTenThousandths: bigint): bigint {
  return (BigInt(quantity) * BigInt(unitPriceCents) * rateTenThousandths) / 1_000_000n;
}
