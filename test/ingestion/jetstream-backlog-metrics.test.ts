import { connect } from '@nats-io/transport-node';
import { scrape } from '../metrics/metrics-kit';
import { Fixtures } from '../support/fixtures';
import { natsEnv, natsTest, removeTestStreams, testNats, TestNats } from '../support/nats';
import { startTestApp, TestApp } from '../support/test-app';
import { SUBMIT_PURCHASE, Submission } from './ingestion-kit';

/**
 * The backlog gauges read from JetStream: with no consumer running (INGEST_CONSUMERS=0) the lag histogram sees
 * nothing, and these are what tells an operator that accepted purchases wait (docs/ops alert LoyaltyIngestBacklogStale).
 */
describe('event mode: backlog gauges on /metrics', () => {
  let nats: TestNats | null = null;
  let env: Record<string, string>;
  let t: TestApp;

  beforeAll(async () => {
    nats = await testNats();
    if (!nats) return;
    env = { ...natsEnv(nats.url, 'jetstream-backlog'), INGEST_CONSUMERS: '0', METRICS_LEDGER_READ_SECONDS: '1' };
    t = await startTestApp(env);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    if (nats) await removeTestStreams(env).catch(() => undefined);
    await nats?.close();
  });

  /** The gauges once a read newer than `since` has been made (they are read at most once a second). */
  async function gauges(since: number) {
    await new Promise((r) => setTimeout(r, Math.max(0, since + 1100 - Date.now())));
    const s = await scrape(t);
    return {
      backlog: s.value('loyalty_ingest_backlog_messages', {}),
      oldestAge: s.value('loyalty_ingest_oldest_backlog_age_seconds', {}),
      deadLetters: s.value('loyalty_ingest_dead_letter_messages', {}),
    };
  }

  natsTest(
    'count the accepted submissions no consumer took, age the oldest, and count the dead letters kept',
    async () => {
      const f = new Fixtures(t);
      const productId = await f.product(1000);
      const retailer = await f.retailer();
      const customerId = await f.customer();
      const empty = await gauges(Date.now());
      expect(empty).toEqual({ backlog: 0, oldestAge: 0, deadLetters: 0 });

      const firstAcceptedAt = Date.now();
      for (const n of [1, 2, 3]) {
        const input = { transactionId: `backlog-${n}`, customerId, productId, quantity: 1, purchasedAt: new Date(Date.now() - 60_000).toISOString() };
        const answer = await t.gql<{ submitPurchase: Submission }>(retailer.token, SUBMIT_PURCHASE, { input });
        expect(answer.data?.submitPurchase.status).toBe('ACCEPTED');
      }
      await new Promise((r) => setTimeout(r, 1500));
      const waiting = await gauges(Date.now());
      expect(waiting.backlog).toBe(3);
      expect(waiting.oldestAge).toBeGreaterThanOrEqual(1.4);
      expect(waiting.oldestAge).toBeLessThanOrEqual((Date.now() - firstAcceptedAt) / 1000 + 1);
      expect(waiting.deadLetters).toBe(0);

      // A dead letter as a consumer stores it: on the dead-letter stream's subject.
      const nc = await connect({ servers: nats!.url.split(',') });
      try {
        await nc.request(`${env.NATS_SUBJECT_PREFIX}.dead.${retailer.id}`, new TextEncoder().encode('{}'), { timeout: 5000 });
      } finally {
        await nc.close();
      }
      expect((await gauges(Date.now())).deadLetters).toBe(1);
    },
    60_000,
  );
});
