import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { PurchaseInput } from './pos-clients';
import { checkBalances, runReconcile } from './ledger-check';
import { waitUntil } from './wait';

/** What the event mode's stream holds for one test (natsEnv's names), as its consumer sees it. */
export interface StreamState {
  /** Messages still in the work-queue stream: accepted, not yet acknowledged or terminated. */
  messages: number;
  /** Delivered to a consumer, not yet acknowledged. */
  ackPending: number;
  /** Messages ever stored in the stream (its last sequence). */
  published: number;
  /** Deliveries made so far (the consumer's sequence): more than `published` once some were redelivered. */
  deliveries: number;
  /** Messages in the dead-letter stream. */
  deadLetters: number;
}

/** Reads the stream, its durable consumer and its dead-letter stream; a missing one counts as empty. */
export async function streamState(env: Record<string, string>): Promise<StreamState> {
  const nc = await connect({ servers: env.NATS_URL.split(','), timeout: 5000 });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 5000 });
    const stream = env.NATS_STREAM;
    const state = await jsm.streams.info(stream).then((i) => i.state, () => null);
    const dead = await jsm.streams.info(`${stream}_DEAD`).then((i) => i.state.messages, () => 0);
    const consumer = await jsm.consumers.info(stream, env.NATS_CONSUMER ?? 'ledger-writer').catch(() => null);
    return {
      messages: state?.messages ?? 0,
      published: state?.last_seq ?? 0,
      ackPending: consumer?.num_ack_pending ?? 0,
      deliveries: consumer?.delivered.consumer_seq ?? 0,
      deadLetters: dead,
    };
  } finally {
    await nc.close();
  }
}

/**
 * Resolves once the stream is empty: every accepted message was acknowledged after its commit (or terminated with
 * its refusal stored). Fails after `timeoutMs` with the last state seen.
 */
export async function waitDrained(env: Record<string, string>, timeoutMs: number, extra: () => string = () => ''): Promise<number> {
  const started = Date.now();
  let last: StreamState | null = null;
  await waitUntil(
    'the stream to drain',
    async () => {
      last = await streamState(env).catch(() => last);
      return last !== null && last.messages === 0 && last.ackPending === 0;
    },
    timeoutMs,
    200,
    () => `last state: ${JSON.stringify(last)}${extra()}`,
  );
  return Date.now() - started;
}

/** Recorded purchases of one retailer, straight from the table (for the moment of a kill). */
export async function recordedCount(db: Client, retailerId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('select count(*)::int as n from purchases where retailer_id = $1', [retailerId]);
  return rows[0].n;
}

/** Points of a purchase by RULES.md: floor(totalPriceCents x awardRate / 100), exact, in bigint. */
export function pointsFor(quantity: number, unitPriceCents: number, awardRate: string): bigint {
  const [whole, fraction = ''] = awardRate.split('.');
  const scale = 10n ** BigInt(fraction.length);
  return (BigInt(quantity) * BigInt(unitPriceCents) * BigInt(`${whole}${fraction}`)) / (100n * scale);
}

/** What the ledger holds against what the service accepted. Every count but the first must be 0. */
export interface SubmissionVerdict {
  accepted: number;
  /** Accepted, yet no purchase row with that transactionId. */
  lost: number;
  /** More than one purchase row, or more than one ledger transaction, for one transactionId. */
  doubled: number;
  /** A row whose customer, quantity or points differ from the accepted input. */
  mismatched: number;
  /** Rows for transactionIds that were never accepted. */
  unknown: number;
  /** Customers whose balance differs from the points of their accepted purchases. */
  customerBalanceMismatches: number;
  balanceMismatches: number;
  balanceTotal: bigint;
  reconcileExit: number;
  reconcileOutput: string;
}

/**
 * Every accepted submission is in the ledger exactly once with the points its input earns, nothing else is, each
 * customer's balance is the sum of the points of its accepted purchases, and reconciliation exits clean.
 */
export async function verifySubmissions(
  ownerUrl: string,
  retailerId: string,
  accepted: ReadonlyMap<string, { input: PurchaseInput }>,
  points: (input: PurchaseInput) => bigint,
): Promise<SubmissionVerdict> {
  const db = new Client({ connectionString: ownerUrl });
  await db.connect();
  try {
    const rows = (
      await db.query<{ transaction_id: string; customer_id: string; quantity: number; points: string; ledger_transactions: number }>(
        `select p.transaction_id, p.customer_id, p.quantity, p.points_earned::text as points,
                (select count(*)::int from ledger_transactions t where t.purchase_id = p.id) as ledger_transactions
           from purchases p where p.retailer_id = $1`,
        [retailerId],
      )
    ).rows;
    const byTransaction = new Map<string, typeof rows>();
    for (const row of rows) byTransaction.set(row.transaction_id, [...(byTransaction.get(row.transaction_id) ?? []), row]);

    let lost = 0;
    let mismatched = 0;
    const expectedBalance = new Map<string, bigint>();
    for (const [transactionId, { input }] of accepted) {
      const expected = points(input);
      expectedBalance.set(input.customerId, (expectedBalance.get(input.customerId) ?? 0n) + expected);
      const found = byTransaction.get(transactionId) ?? [];
      if (found.length === 0) lost++;
      else if (found[0].customer_id !== input.customerId || found[0].quantity !== input.quantity || BigInt(found[0].points) !== expected) {
        mismatched++;
      }
    }
    let doubled = 0;
    for (const found of byTransaction.values()) if (found.length > 1 || found[0].ledger_transactions > 1) doubled++;
    const unknown = [...byTransaction.keys()].filter((id) => !accepted.has(id)).length;

    const customers = [...expectedBalance.keys()];
    const balances = (
      await db.query<{ id: string; balance: string }>(
        `select c.id, (select coalesce(sum(b.balance), 0) from accounts a join account_balances b on b.account_id = a.id
                        where a.customer_id = c.id)::text as balance
           from unnest($1::uuid[]) as c(id)`,
        [customers],
      )
    ).rows;
    const customerBalanceMismatches = balances.filter((b) => BigInt(b.balance) !== expectedBalance.get(b.id)).length;
    const { balanceMismatches, balanceTotal } = await checkBalances(db);
    const reconcile = await runReconcile(ownerUrl);
    return {
      accepted: accepted.size,
      lost,
      doubled,
      mismatched,
      unknown,
      customerBalanceMismatches,
      balanceMismatches,
      balanceTotal,
      reconcileExit: reconcile.exit,
      reconcileOutput: reconcile.output,
    };
  } finally {
    await db.end();
  }
}

export function expectSubmissionsIntact(verdict: SubmissionVerdict): void {
  expect(verdict.accepted).toBeGreaterThan(0);
  expect({
    lost: verdict.lost,
    doubled: verdict.doubled,
    mismatched: verdict.mismatched,
    unknown: verdict.unknown,
    customerBalanceMismatches: verdict.customerBalanceMismatches,
    balanceMismatches: verdict.balanceMismatches,
    balanceTotal: verdict.balanceTotal,
  }).toEqual({ lost: 0, doubled: 0, mismatched: 0, unknown: 0, customerBalanceMismatches: 0, balanceMismatches: 0, balanceTotal: 0n });
  expect({ exit: verdict.reconcileExit, output: verdict.reconcileOutput }).toEqual({ exit: 0, output: expect.any(String) });
}
