import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { graphqlData, RawResponse } from './http-client';
import { PROJECT_ROOT } from '../../support/production-build';
import { ServiceProcess } from './service-process';

/** A purchase an answer said it recorded (replayed: false). */
export interface AnsweredPurchase {
  id: string;
  retailerId: string;
  transactionId: string;
}

/** Every recordPurchase result in an answer (one per alias) that says it recorded a new purchase. */
export function recordedPurchases(response: RawResponse): AnsweredPurchase[] {
  const found: AnsweredPurchase[] = [];
  const bodies = Array.isArray(response.json) ? (response.json as unknown[]) : [response.json];
  for (const body of bodies) {
    const data = body && typeof body === 'object' ? graphqlData({ ...response, json: body }) : null;
    for (const value of Object.values(data ?? {})) {
      const result = value as { replayed?: unknown; purchase?: Partial<AnsweredPurchase> } | null;
      if (result && result.replayed === false && typeof result.purchase?.id === 'string') {
        found.push({ id: result.purchase.id, retailerId: String(result.purchase.retailerId), transactionId: String(result.purchase.transactionId) });
      }
    }
  }
  return found;
}

export interface LedgerState {
  purchases: Array<{ id: string; points: bigint }>;
  transactions: number;
  /** Ledger transactions that are not a purchase's: none may appear from client traffic. */
  otherTransactions: number;
  entrySum: bigint;
}

export async function ledgerState(service: ServiceProcess): Promise<LedgerState> {
  const purchases = await service.sql.query<{ id: string; points: string }>('select id::text, points_earned::text as points from purchases');
  const tx = await service.sql.query<{ n: string; other: string }>(
    "select count(*)::text as n, count(*) filter (where kind <> 'purchase' or purchase_id is null)::text as other from ledger_transactions",
  );
  const sum = await service.sql.query<{ s: string }>('select coalesce(sum(amount), 0)::text as s from ledger_entries');
  return {
    purchases: purchases.rows.map((r) => ({ id: r.id, points: BigInt(r.points) })),
    transactions: Number(tx.rows[0].n),
    otherTransactions: Number(tx.rows[0].other),
    entrySum: BigInt(sum.rows[0].s),
  };
}

/** `node dist/cli/reconcile.js --full` on the service's database, as the service's role: exit code 0 means no drift. */
export function reconcile(service: ServiceProcess): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(PROJECT_ROOT, 'dist', 'cli', 'reconcile.js'), '--full'],
      {
        cwd: PROJECT_ROOT,
        timeout: 120_000,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: service.db.serviceUrl, LOG_LEVEL: 'warn' },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, output: `${stdout}${stderr}`.slice(-4000) });
      },
    );
  });
}
