import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { PROJECT_ROOT } from '../../support/production-build';
import { PosClients } from './pos-clients';

/** What the database holds against what the POS clients were told. Every count but the first two must be 0. */
export interface LedgerVerdict {
  acknowledged: number;
  replayed: number;
  /** Acknowledged, yet no purchase row with that transactionId. */
  lost: number;
  /** More than one purchase row, or more than one ledger transaction, for one transactionId. */
  doubled: number;
  /** A row that differs from its acknowledgement (id, points, customer), or points without their ledger transaction. */
  mismatched: number;
  /** Rows for transactionIds that no client sent. */
  unknown: number;
  /** Rows for purchases sent but never acknowledged (possible only when a client gave up). */
  unacknowledgedRows: number;
  /** Accounts whose materialized balance differs from the sum of their entries or of their purchases' points. */
  balanceMismatches: number;
  /** The sum of all balances: 0 at every commit. */
  balanceTotal: bigint;
  /** Exit code of `node dist/cli/reconcile.js --full`: 0 means clean. */
  reconcileExit: number;
  reconcileOutput: string;
}

export async function verifyLedger(url: string, retailerId: string, clients: PosClients): Promise<LedgerVerdict> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    const rows = (
      await db.query<{ transaction_id: string; id: string; points: string; customer_id: string; ledger_transactions: number }>(
        `select p.transaction_id, p.id, p.points_earned::text as points, p.customer_id,
                (select count(*)::int from ledger_transactions t where t.purchase_id = p.id) as ledger_transactions
           from purchases p where p.retailer_id = $1`,
        [retailerId],
      )
    ).rows;
    const byTransaction = new Map<string, typeof rows>();
    for (const row of rows) byTransaction.set(row.transaction_id, [...(byTransaction.get(row.transaction_id) ?? []), row]);

    let lost = 0;
    let doubled = 0;
    let mismatched = 0;
    for (const [transactionId, ack] of clients.acknowledged) {
      const found = byTransaction.get(transactionId) ?? [];
      if (found.length === 0) lost++;
      else if (found[0].id !== ack.purchaseId || BigInt(found[0].points) !== ack.pointsEarned || found[0].customer_id !== ack.customerId) {
        mismatched++;
      }
    }
    for (const found of byTransaction.values()) {
      if (found.length > 1 || found[0].ledger_transactions > 1) doubled++;
      else if ((BigInt(found[0].points) > 0n) !== (found[0].ledger_transactions === 1)) mismatched++;
    }
    const unknown = [...byTransaction.keys()].filter((id) => !clients.sent.has(id)).length;
    const unacknowledgedRows = [...byTransaction.keys()].filter((id) => clients.sent.has(id) && !clients.acknowledged.has(id)).length;

    const { balanceMismatches, balanceTotal } = await checkBalances(db);

    const reconcile = await runReconcile(url);
    return {
      acknowledged: clients.acknowledged.size,
      replayed: [...clients.acknowledged.values()].filter((a) => a.replayed).length,
      lost,
      doubled,
      mismatched,
      unknown,
      unacknowledgedRows,
      balanceMismatches,
      balanceTotal,
      reconcileExit: reconcile.exit,
      reconcileOutput: reconcile.output,
    };
  } finally {
    await db.end();
  }
}

/**
 * Accounts whose materialized balance differs from the sum of their entries (or, for a customer, of their
 * purchases' points), and the sum of all balances (0 at every commit).
 */
export async function checkBalances(db: Client): Promise<{ balanceMismatches: number; balanceTotal: bigint }> {
  const balances = (
    await db.query<{ id: string; kind: string; balance: string; entries: string; purchased: string }>(
      `select a.id, a.kind,
              coalesce((select sum(balance) from account_balances b where b.account_id = a.id), 0)::text as balance,
              coalesce((select sum(amount) from ledger_entries e where e.account_id = a.id), 0)::text as entries,
              coalesce((select sum(points_earned) from purchases p where p.customer_id = a.customer_id), 0)::text as purchased
         from accounts a`,
    )
  ).rows;
  const balanceMismatches = balances.filter(
    (a) => a.balance !== a.entries || (a.kind === 'customer' && a.balance !== a.purchased),
  ).length;
  const balanceTotal = balances.reduce((sum, a) => sum + BigInt(a.balance), 0n);
  return { balanceMismatches, balanceTotal };
}

/** The reconciliation command of the build, as finance runs it, over the whole ledger. */
export function runReconcile(url: string): Promise<{ exit: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(PROJECT_ROOT, 'dist', 'cli', 'reconcile.js'), '--full'],
      { cwd: PROJECT_ROOT, env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const exit = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ exit, output: `${stdout}${stderr}` });
      },
    );
  });
}

/**
 * Every purchase the POS clients sent was acknowledged and is in the ledger exactly once, with its points; no other
 * row; every balance is the sum of its entries and they sum to zero; reconciliation exits clean.
 */
export function expectLedgerIntact(verdict: LedgerVerdict, sent: number): void {
  expect(verdict.acknowledged).toBe(sent);
  expect({
    lost: verdict.lost,
    doubled: verdict.doubled,
    mismatched: verdict.mismatched,
    unknown: verdict.unknown,
    unacknowledgedRows: verdict.unacknowledgedRows,
    balanceMismatches: verdict.balanceMismatches,
    balanceTotal: verdict.balanceTotal,
  }).toEqual({ lost: 0, doubled: 0, mismatched: 0, unknown: 0, unacknowledgedRows: 0, balanceMismatches: 0, balanceTotal: 0n });
  expect({ exit: verdict.reconcileExit, output: verdict.reconcileOutput }).toEqual({ exit: 0, output: expect.any(String) });
}
