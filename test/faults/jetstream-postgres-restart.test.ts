import { Client } from 'pg';
import { migrate } from '../../src/database/migrator';
import { ensureServiceBuilt } from '../support/production-build';
import { NatsCluster, natsClusterTest, natsEnv, startNatsCluster, whyNoNatsCluster } from '../support/nats';
import { freePort } from '../support/ports';
import { faultTest } from './support/availability';
import { FaultPostgres, StopMode } from './support/fault-postgres';
import { expectSubmissionsIntact, pointsFor, recordedCount, streamState, verifySubmissions, waitDrained } from './support/jetstream-check';
import { isRetryable } from './support/pos-clients';
import { log, reportFigures } from './support/report';
import { seedDataset } from './support/seed';
import { createServiceLogin } from './support/service-login';
import { ServiceProcess, serviceEnv } from './support/service-process';
import { SubmitClients } from './support/submit-clients';
import { sleep, waitUntil } from './support/wait';

const CLIENTS = 8;
const OUTAGE_MS = 3000;

/** Needs both a nats-server for the cluster and the embedded PostgreSQL that the test stops and starts. */
const jetstreamFaultTest = whyNoNatsCluster() ? natsClusterTest : faultTest;

/**
 * PostgreSQL stops (fast, then immediate) while the consumers run against an R3 stream on a three-node cluster,
 * and comes back on its own data. Meanwhile the service keeps accepting (a publish needs no database) and the
 * consumers nak what they pulled, with backoff, instead of refusing or dead-lettering it. Once PostgreSQL is back,
 * everything accepted must end recorded exactly once.
 */
describe('fault: PostgreSQL restarted while JetStream consumers run', () => {
  let cluster: NatsCluster | null = null;
  let database: FaultPostgres | null = null;
  let clients: SubmitClients | null = null;
  let service: ServiceProcess | null = null;

  afterAll(async () => {
    await clients?.stop(0);
    await service?.end();
    await cluster?.close();
    await database?.destroy();
  });

  jetstreamFaultTest(
    'records everything accepted exactly once after the restart, and the ledger reconciles',
    async () => {
      await ensureServiceBuilt(log);
      const nats = await startNatsCluster(3);
      cluster = nats;
      const db = await FaultPostgres.create();
      database = db;
      await migrate(db.url);
      const data = await seedDataset(db.url, 40);
      const port = await freePort();
      const ingestion = {
        ...natsEnv(nats.url, 'pg_restart'),
        NATS_STREAM_REPLICAS: '3',
        NATS_ACK_WAIT_SECONDS: '5',
        INGEST_CONSUMERS: '2',
        INGEST_RETRY_BASE_MS: '200',
      };
      const running = new ServiceProcess(port, serviceEnv(port, {
        DATABASE_URL: await createServiceLogin(db.url),
        DATABASE_OWNER_URL: db.url,
        MIGRATE: 'false',
        ...ingestion,
      }));
      service = running;
      await running.waitReady();
      const state = () => `\nservice log:\n${running.tail(2000)}`;
      const recorded = async () => {
        const client = new Client({ connectionString: db.url });
        await client.connect();
        try {
          return await recordedCount(client, data.retailerId);
        } finally {
          await client.end();
        }
      };

      const pos = new SubmitClients(() => running.endpoint, data, `pg-${Date.now()}`);
      clients = pos;
      pos.start(CLIENTS);

      const outages: Array<{ mode: StopMode; acceptedWhileDown: number; deliveriesWhileDown: number; availableWhileDown: number } & Record<string, unknown>> = [];
      for (const mode of ['fast', 'immediate'] as StopMode[]) {
        const before = pos.accepted.size;
        await waitUntil('submissions accepted before the outage', () => pos.accepted.size >= before + 1000, 60_000, 50, state);
        const atStop = await streamState(ingestion);
        const stoppedAt = Date.now();
        await db.stop(mode);
        await sleep(OUTAGE_MS);
        const atStart = await streamState(ingestion);
        await db.start();
        const backAt = Date.now();
        const recordedAtBack = await recorded();
        await waitUntil('a purchase recorded after PostgreSQL came back', async () => (await recorded()) > recordedAtBack, 60_000, 100, state);
        outages.push({
          mode,
          downMs: backAt - stoppedAt,
          // From PostgreSQL accepting connections again to the first purchase the consumers recorded.
          recoveryMs: Date.now() - backAt,
          acceptedWhileDown: pos.acceptedSince(stoppedAt) - pos.acceptedSince(backAt),
          outcomesWhileDown: pos.outcomesBetween(stoppedAt, backAt),
          backlogAtStart: atStart.messages,
          // Every message the consumers could have pulled while the database was down.
          availableWhileDown: atStop.messages + (atStart.published - atStop.published),
          // Deliveries made while the database was down: first ones, and the retries of what was nak'd.
          deliveriesWhileDown: atStart.deliveries - atStop.deliveries,
        });
      }
      await sleep(500);
      await pos.stop(20_000);
      const drainMs = await waitDrained(ingestion, 120_000, state);
      const final = await streamState(ingestion);
      expect(running.running).toBe(true);

      const verdict = await verifySubmissions(db.url, data.retailerId, pos.accepted, (input) => pointsFor(input.quantity, 1000, data.awardRate));
      const outcomes = pos.outcomesBetween(0, Number.POSITIVE_INFINITY);
      reportFigures('JetStream PostgreSQL restart', {
        outages,
        outcomes,
        drainMs,
        published: final.published,
        redeliveries: final.deliveries - final.published,
        deadLetters: final.deadLetters,
        ...verdict,
        reconcileOutput: undefined,
      });

      for (const outage of outages) {
        // The stream took submissions while the ledger could not, and the consumers kept them (nak, not term).
        expect(outage.acceptedWhileDown).toBeGreaterThan(0);
        // With backoff doubling from 200 ms, a message is retried a handful of times in a 3 s outage, not spun on.
        expect(outage.deliveriesWhileDown).toBeLessThanOrEqual(8 * outage.availableWhileDown);
      }
      expect(Object.keys(outcomes).filter((o) => o !== 'ACCEPTED' && !isRetryable(o))).toEqual([]);
      expect(Object.fromEntries(pos.unsettled)).toEqual({});
      // What the consumers pulled while the database was down was nak'd and delivered again, not dropped; a
      // database outage is transient: nothing goes to the dead letters, nothing is refused.
      expect(final.deliveries).toBeGreaterThan(final.published);
      expect(final.deadLetters).toBe(0);
      expect(verdict.accepted).toBe(pos.sent.size);
      expectSubmissionsIntact(verdict);
    },
    300_000,
  );
});
