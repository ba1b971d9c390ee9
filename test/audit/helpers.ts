import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseRfc3339, Instant } from '../../src/common/time/instant';
import { Fixtures, recordPurchase } from '../support/fixtures';
import { ADMIN_TOKEN, GraphqlResponse, TestApp } from '../support/test-app';
import { txn } from '../integration/helpers';

/** Helpers shared by the auditors' tests (not a test file itself). */

export const LIABILITY = 'program:liability';
export const customerCode = (customerId: string) => `customer:${customerId}`;

export interface TxNode {
  id: string;
  key: string;
  kind: string;
  purchaseId: string | null;
  correctsId: string | null;
  returnId: string | null;
  redemptionId: string | null;
  adjustmentId: string | null;
  actor: string | null;
  reason: string | null;
  effectiveAt: string;
  recordedAt: string;
  entries: Array<{ id: string; accountCode: string; amount: string }>;
}

export interface TxPage {
  ledgerTransactions: {
    edges: Array<{ cursor: string; node: TxNode }>;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

export const LEDGER_TRANSACTIONS = `query($filter: LedgerTransactionFilter, $order: LedgerOrder, $first: Int, $after: String) {
  ledgerTransactions(filter: $filter, order: $order, first: $first, after: $after) {
    edges {
      cursor
      node {
        id key kind purchaseId correctsId returnId redemptionId adjustmentId actor reason effectiveAt recordedAt
        entries { id accountCode amount }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

export interface PageArgs {
  filter?: Record<string, unknown>;
  order?: 'NEWEST_FIRST' | 'OLDEST_FIRST';
  first?: number;
  after?: string | null;
}

export function historyPage(t: TestApp, args: PageArgs, token = ADMIN_TOKEN): Promise<GraphqlResponse<TxPage>> {
  return t.gql<TxPage>(token, LEDGER_TRANSACTIONS, { ...args });
}

/** Every page of a walk, each page's nodes, failing on any error. */
export async function walk(t: TestApp, args: PageArgs, token = ADMIN_TOKEN): Promise<TxNode[][]> {
  const pages: TxNode[][] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const r: GraphqlResponse<TxPage> = await historyPage(t, { ...args, after }, token);
    if (r.errors || !r.data) throw new Error(`page refused: ${JSON.stringify(r.errors)}`);
    const { edges, pageInfo } = r.data.ledgerTransactions;
    pages.push(edges.map((e) => e.node));
    if (!pageInfo.hasNextPage) return pages;
    after = pageInfo.endCursor;
  }
  throw new Error('the walk did not end');
}

/** A shop selling one product at 10.00 with 1 point per dollar: a purchase of quantity q earns 10 x q points. */
export async function shop(t: TestApp) {
  const f = new Fixtures(t);
  const retailer = await f.retailer();
  const productId = await f.product(1000);
  await f.promotion({ productId, awardRate: '1' });
  return {
    f,
    retailer,
    productId,
    async buy(customerId: string, quantity = 1): Promise<string> {
      const r = await recordPurchase(t, retailer.token, { transactionId: txn('audit'), customerId, productId, quantity });
      if (r.errors || !r.data) throw new Error(`purchase refused: ${JSON.stringify(r.errors)}`);
      return r.data.recordPurchase.purchase.id;
    },
  };
}

/** An RFC 3339 instant moved by some microseconds, exactly. */
export function shiftMicros(iso: string, micros: bigint): string {
  const instant = parseRfc3339(iso);
  if (!instant) throw new Error(`not an instant: ${iso}`);
  return Instant.fromEpochMicros(instant.epochMicros + micros).toIsoString();
}

export const sumOf = (amounts: Iterable<string>) => [...amounts].reduce((s, a) => s + BigInt(a), 0n);

/** Runs a command of src/cli from the sources, as a process of its own. */
export function runCommand(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const root = join(__dirname, '..', '..');
  const child = spawn(process.execPath, ['-r', join(root, 'test/support/ts-register.js'), join(root, 'src/cli', command), ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
