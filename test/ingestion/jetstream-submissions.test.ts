import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { errorCode, Fixtures } from '../support/fixtures';
import { natsEnv, natsTest, removeTestStreams, testNats, TestNats } from '../support/nats';
import { startTestApp, TestApp } from '../support/test-app';
import { PURCHASE_SUBMISSION, SUBMIT_PURCHASE, Submission } from './ingestion-kit';

const DUPLICATE_WINDOW_SECONDS = 2;

/** submitPurchase and purchaseSubmission in jetstream mode, with the service's own pull loop consuming. */
describe('submitPurchase in jetstream mode', () => {
  let nats: TestNats | null = null;
  let env: Record<string, string>;
  let t: TestApp;
  let f: Fixtures;
  let productId: string;
  let retailer: { id: string; token: string };
  let other: { id: string; token: string };
  const purchasedAt = new Date(Date.now() - 60_000).toISOString();

  beforeAll(async () => {
    nats = await testNats();
    if (!nats) return;
    env = {
      ...natsEnv(nats.url, 'jetstream-submissions'),
      NATS_DUPLICATE_WINDOW_SECONDS: String(DUPLICATE_WINDOW_SECONDS),
      INGEST_BATCH_SIZE: '50',
    };
    t = await startTestApp(env);
    f = new Fixtures(t);
    productId = await f.product(1000);
    await f.promotion({ productId, awardRate: '1.5' });
    retailer = await f.retailer();
    other = await f.retailer();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    if (nats) await removeTestStreams(env).catch(() => undefined);
    await nats?.close();
  });

  const submit = (token: string, input: Record<string, unknown>) => t.gql<{ submitPurchase: Submission }>(token, SUBMIT_PURCHASE, { input });
  const submission = async (token: string, transactionId: string) =>
    (await t.gql<{ purchaseSubmission: Submission | null }>(token, PURCHASE_SUBMISSION, { transactionId })).data!.purchaseSubmission;

  /** The submission once it is no longer ACCEPTED (recorded or refused by the pull loop). */
  async function settled(token: string, transactionId: string): Promise<Submission> {
    const until = Date.now() + 20_000;
    for (;;) {
      const s = await submission(token, transactionId);
      if (s && s.status !== 'ACCEPTED') return s;
      if (Date.now() > until) throw new Error(`${transactionId} still ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const refusalRows = async (transactionId: string) =>
    (
      await t.sql.query<{ error_code: string; stream_sequence: string }>(
        'select error_code, stream_sequence::text from submission_refusals where retailer_id = $1 and transaction_id = $2',
        [retailer.id, transactionId],
      )
    ).rows;
  async function lastSequence(): Promise<number> {
    const nc = await connect({ servers: env.NATS_URL.split(','), reconnect: false });
    try {
      return (await (await jetstreamManager(nc)).streams.info(env.NATS_STREAM)).state.last_seq;
    } finally {
      await nc.close();
    }
  }
  const pastWindow = () => new Promise((r) => setTimeout(r, DUPLICATE_WINDOW_SECONDS * 1000 + 300));

  natsTest('answers ACCEPTED, then records the purchase once: RECORDED with it, the balance credited once', async () => {
    const customerId = await f.customer();
    const input = { transactionId: 'js-1', customerId, productId, quantity: 2, purchasedAt };
    const before = await lastSequence();
    const first = await submit(retailer.token, input);
    expect(first.errors).toBeUndefined();
    expect(first.data!.submitPurchase).toEqual({ transactionId: 'js-1', status: 'ACCEPTED', errorCode: null, purchase: null });
    expect(await lastSequence()).toBe(before + 1);

    const recorded = await settled(retailer.token, 'js-1');
    expect(recorded).toMatchObject({
      status: 'RECORDED',
      errorCode: null,
      purchase: { transactionId: 'js-1', retailerId: retailer.id, customerId, quantity: 2, pointsEarned: '30', purchasedAt },
    });
    expect(await f.balance(customerId)).toBe(30n);
  });

  natsTest('drops a resend within the duplicate window, replays one after it: never a second credit', async () => {
    const customerId = await f.customer();
    const input = { transactionId: 'js-2', customerId, productId, quantity: 1, purchasedAt };
    const before = await lastSequence();
    expect((await submit(retailer.token, input)).data!.submitPurchase.status).toBe('ACCEPTED');
    expect((await submit(retailer.token, input)).data!.submitPurchase.status).toBe('ACCEPTED');
    expect(await lastSequence()).toBe(before + 1); // the stream stored it once
    const recorded = await settled(retailer.token, 'js-2');
    expect(recorded.status).toBe('RECORDED');

    await pastWindow();
    expect((await submit(retailer.token, input)).data!.submitPurchase.status).toBe('ACCEPTED');
    expect(await lastSequence()).toBe(before + 2); // stored again: only the database's key stands in the way
    await waitConsumed();
    expect(await settled(retailer.token, 'js-2')).toEqual(recorded);
    expect(await f.balance(customerId)).toBe(15n);
    const { rows } = await t.sql.query('select count(*)::int as n from purchases where retailer_id = $1 and transaction_id = $2', [
      retailer.id,
      'js-2',
    ]);
    expect(rows[0].n).toBe(1);
  });

  natsTest('refuses a conflicting resend with IDEMPOTENCY_CONFLICT and keeps the first purchase RECORDED', async () => {
    const customerId = await f.customer();
    const input = { transactionId: 'js-3', customerId, productId, quantity: 1, purchasedAt };
    expect((await submit(retailer.token, input)).data!.submitPurchase.status).toBe('ACCEPTED');
    // Within the window, while the first may still be in the stream: refused at once.
    expect(errorCode(await submit(retailer.token, { ...input, quantity: 3 }))).toBe('IDEMPOTENCY_CONFLICT');
    const recorded = await settled(retailer.token, 'js-3');
    expect(recorded).toMatchObject({ status: 'RECORDED', purchase: { quantity: 1, pointsEarned: '15' } });
    // Within the window, the first already recorded and gone from the stream: refused at once too.
    expect(errorCode(await submit(retailer.token, { ...input, quantity: 4 }))).toBe('IDEMPOTENCY_CONFLICT');

    // After the window the stream takes it; the consumer finds the conflict, stores it, and the first still wins.
    await pastWindow();
    expect((await submit(retailer.token, { ...input, quantity: 5 })).data!.submitPurchase.status).toBe('ACCEPTED');
    await waitFor(async () => (await refusalRows('js-3')).length === 1);
    expect((await refusalRows('js-3'))[0].error_code).toBe('IDEMPOTENCY_CONFLICT');
    expect(await submission(retailer.token, 'js-3')).toEqual(recorded);
    expect(await f.balance(customerId)).toBe(15n);
  });

  natsTest('ends refusable submissions REFUSED with their code, stored once, the ledger unchanged', async () => {
    const customerId = await f.customer();
    const entriesBefore = await ledgerEntries();
    const cases = [
      [{ transactionId: 'js-4', customerId: randomUUID(), productId, quantity: 1, purchasedAt }, 'CUSTOMER_NOT_FOUND'],
      [{ transactionId: 'js-5', customerId, productId: randomUUID(), quantity: 1, purchasedAt }, 'PRODUCT_NOT_FOUND'],
    ] as const;
    for (const [input] of cases) expect((await submit(retailer.token, input)).data!.submitPurchase.status).toBe('ACCEPTED');
    for (const [input, code] of cases) {
      expect(await settled(retailer.token, input.transactionId)).toEqual({
        transactionId: input.transactionId,
        status: 'REFUSED',
        errorCode: code,
        purchase: null,
      });
      expect((await refusalRows(input.transactionId)).map((r) => r.error_code)).toEqual([code]);
    }
    // Sent again after the window: refused again, still one stored refusal (the first outcome wins).
    await pastWindow();
    const [first] = await refusalRows('js-4');
    expect((await submit(retailer.token, cases[0][0])).data!.submitPurchase.status).toBe('ACCEPTED');
    await waitConsumed();
    expect(await refusalRows('js-4')).toEqual([first]);
    expect(await ledgerEntries()).toBe(entriesBefore);
    expect(await f.balance(customerId)).toBe(0n);
  });

  natsTest('refuses what breaks a rule needing no lookup at once with BAD_USER_INPUT, and stores nothing', async () => {
    const customerId = await f.customer();
    const before = await lastSequence();
    const bad = [
      { transactionId: 'js-6', customerId, productId, quantity: 0, purchasedAt },
      { transactionId: 'js-7', customerId, productId, quantity: 1, purchasedAt: new Date(Date.now() + 3_600_000).toISOString() },
      { transactionId: 'js-8', customerId, productId, quantity: 1, purchasedAt: new Date(Date.now() - 40 * 86_400_000).toISOString() },
      { transactionId: 'js-9', customerId: 'not-a-uuid', productId, quantity: 1 },
    ];
    for (const input of bad) {
      expect(errorCode(await submit(retailer.token, input))).toBe('BAD_USER_INPUT');
      expect(await submission(retailer.token, input.transactionId)).toBeNull();
    }
    expect(await lastSequence()).toBe(before);
  });

  natsTest("answers null for what was never submitted, and for another retailer's submission", async () => {
    const customerId = await f.customer();
    expect(await submission(retailer.token, 'never-sent')).toBeNull();
    expect((await submit(other.token, { transactionId: 'theirs', customerId, productId, quantity: 1, purchasedAt })).data!.submitPurchase.status).toBe(
      'ACCEPTED',
    );
    expect(await submission(retailer.token, 'theirs')).toBeNull();
    expect((await settled(other.token, 'theirs')).status).toBe('RECORDED');
    expect(await submission(retailer.token, 'theirs')).toBeNull();
  });

  async function ledgerEntries(): Promise<number> {
    return (await t.sql.query<{ n: number }>('select count(*)::int as n from ledger_entries')).rows[0].n;
  }

  /** Until the stream holds no message: everything submitted so far was consumed and settled. */
  async function waitConsumed(): Promise<void> {
    const nc = await connect({ servers: env.NATS_URL.split(','), reconnect: false });
    try {
      const jsm = await jetstreamManager(nc);
      await waitFor(async () => (await jsm.streams.info(env.NATS_STREAM)).state.messages === 0);
    } finally {
      await nc.close();
    }
  }
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
