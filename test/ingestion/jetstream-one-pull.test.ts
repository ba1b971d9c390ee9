import { Fixtures } from '../support/fixtures';
import { natsEnv, natsTest, removeTestStreams, testNats, TestNats } from '../support/nats';
import { startTestApp, TestApp } from '../support/test-app';
import { SUBMIT_PURCHASE, Submission } from './ingestion-kit';

const RETAILERS = 5;
const EACH = 8;

/**
 * A pull carries submissions of many retailers; recorded one retailer after another they made statements of a
 * few purchases each (the database's cost per purchase falls with the statement's size). One pull must be one
 * call of the batch path: here, one database transaction for every retailer's submissions.
 */
describe('event mode: one pull, one write for all its retailers', () => {
  let nats: TestNats | null = null;
  let env: Record<string, string>;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    nats = await testNats();
  });
  afterAll(async () => {
    // The consumer first: the publisher's close drops the database they share.
    for (const app of [...apps].reverse()) await app.close();
    if (nats) await removeTestStreams(env).catch(() => undefined);
    await nats?.close();
  });

  natsTest(
    'records a backlog of several retailers in one database transaction, each purchase for its own retailer',
    async () => {
      env = { ...natsEnv(nats!.url, 'jetstream-one-pull'), INGEST_BATCH_SIZE: '500' };
      // Publishing only, so that the backlog is whole when a consumer first pulls.
      const publisher = await startTestApp({ ...env, INGEST_CONSUMERS: '0' });
      apps.push(publisher);
      const f = new Fixtures(publisher);
      const productId = await f.product(1000);
      await f.promotion({ productId, awardRate: '1' });
      const customerId = await f.customer();
      const retailers = [];
      for (let r = 0; r < RETAILERS; r++) retailers.push(await f.retailer());
      const purchasedAt = new Date(Date.now() - 60_000).toISOString();
      // Interleaved: retailer 0, 1, 2, ... then again, as a stream shared by many POS would hold them.
      for (let n = 0; n < EACH; n++) {
        for (const retailer of retailers) {
          const input = { transactionId: `pull-${n}`, customerId, productId, quantity: 1, purchasedAt };
          const answer = await publisher.gql<{ submitPurchase: Submission }>(retailer.token, SUBMIT_PURCHASE, { input });
          expect(answer.data?.submitPurchase.status).toBe('ACCEPTED');
        }
      }

      // A consumer on the same database and stream.
      const consumer = await startTestApp({ ...env, INGEST_CONSUMERS: '1' }, publisher.db);
      apps.push(consumer);
      const recorded = async () =>
        (
          await publisher.sql.query<{ retailer_id: string; n: number }>(
            `select retailer_id::text, count(*)::int as n
               from purchases where customer_id = $1 group by retailer_id`,
            [customerId],
          )
        ).rows;
      const until = Date.now() + 20_000;
      while ((await recorded()).reduce((sum, r) => sum + r.n, 0) < RETAILERS * EACH && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const rows = await recorded();
      expect(rows.map((r) => r.retailer_id).sort()).toEqual(retailers.map((r) => r.id).sort());
      expect(rows.every((r) => r.n === EACH)).toBe(true);
      const { rows: writes } = await publisher.sql.query<{ writes: number }>(
        'select count(distinct xmin::text)::int as writes from purchases where customer_id = $1',
        [customerId],
      );
      expect(writes[0].writes).toBe(1);
      expect(await f.balance(customerId)).toBe(BigInt(RETAILERS * EACH) * 10n);
    },
    60_000,
  );
});
