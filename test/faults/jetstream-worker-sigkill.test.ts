import { Client } from 'pg';
import { ensureServiceBuilt } from '../support/production-build';
import { natsEnv, natsTest, removeTestStreams, testNats, TestNats } from '../support/nats';
import { freePort } from '../support/ports';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { expectSubmissionsIntact, pointsFor, recordedCount, streamState, verifySubmissions, waitDrained } from './support/jetstream-check';
import { log, reportFigures } from './support/report';
import { seedDataset } from './support/seed';
import { ServiceProcess, serviceEnv } from './support/service-process';
import { SubmitClients } from './support/submit-clients';
import { waitUntil } from './support/wait';
import { WorkerProcess } from './support/worker-process';

const SUBMISSIONS = 8000;
const CLIENTS = 8;
const KILLS = 3;

/**
 * The ingest worker is killed (SIGKILL: no drain) while it consumes, each time right after one of its commits,
 * when it holds the next batch: delivered messages it has not acknowledged, perhaps some committed and not yet
 * acknowledged. Started again, it (after the ack wait) gets them redelivered: each must be recorded exactly once.
 */
describe('fault: the ingest worker killed with SIGKILL in the middle of a batch', () => {
  let nats: TestNats | null = null;
  let env: Record<string, string> | null = null;
  let database: TestDatabase | null = null;
  let watcher: Client | null = null;
  let clients: SubmitClients | null = null;
  let service: ServiceProcess | null = null;
  const workers: WorkerProcess[] = [];

  afterAll(async () => {
    await clients?.stop(0);
    for (const worker of workers) await worker.end();
    await service?.end();
    await watcher?.end();
    if (env) await removeTestStreams(env).catch(() => undefined);
    await nats?.close();
    await database?.drop();
  });

  natsTest(
    'records every accepted submission exactly once, and the ledger reconciles',
    async () => {
      await ensureServiceBuilt(log);
      nats = await testNats();
      if (!nats) throw new Error('natsTest ran, yet no NATS was found');
      const db = await createTestDatabase();
      database = db;
      const data = await seedDataset(db.url, 40);
      watcher = new Client({ connectionString: db.url });
      await watcher.connect();
      const port = await freePort();
      const ingestion = {
        ...natsEnv(nats.url, 'worker_sigkill'),
        INGEST_BATCH_SIZE: '500',
        // A killed worker's unacknowledged batch comes back after the ack wait: short, so that the test is short.
        NATS_ACK_WAIT_SECONDS: '3',
        INGEST_RETRY_BASE_MS: '100',
      };
      env = ingestion;
      // The service only publishes; the worker processes are the only consumers.
      service = new ServiceProcess(port, serviceEnv(port, { DATABASE_URL: db.serviceUrl, MIGRATE: 'false', ...ingestion, INGEST_CONSUMERS: '0' }));
      await service.waitReady();
      const running = service;
      const workerEnv = serviceEnv(0, { DATABASE_URL: db.serviceUrl, MIGRATE: 'false', ...ingestion, INGEST_CONSUMERS: '1' });
      const startWorker = async () => {
        const worker = new WorkerProcess(workerEnv);
        workers.push(worker);
        await worker.waitReady();
        return worker;
      };

      const pos = new SubmitClients(() => running.endpoint, data, `wk-${Date.now()}`, SUBMISSIONS);
      clients = pos;
      pos.start(CLIENTS);
      // A backlog first, so that the worker pulls full batches; the clients keep submitting while it consumes.
      await waitUntil('a backlog of accepted submissions', () => pos.accepted.size >= 3000, 60_000, 50, () => running.tail(2000));

      const kills: Record<string, unknown>[] = [];
      let worker = await startWorker();
      // A kill counts when it left delivered messages unacknowledged (the worker held a batch); one that fell
      // between an acknowledgement and the next pull is tried again, a bounded number of times.
      let midBatch = 0;
      for (let attempt = 1; midBatch < KILLS && attempt <= KILLS * 3; attempt++) {
        const before = await recordedCount(watcher, data.retailerId);
        // Right after a commit the worker acknowledges that batch and pulls the next one: kill it once it holds it.
        await waitUntil('a commit of the worker', async () => (await recordedCount(watcher as Client, data.retailerId)) > before, 60_000, 2, () => worker.tail(2000));
        await waitUntil('a batch in the worker\'s hands', async () => (await streamState(ingestion)).ackPending > 0, 30_000, 2, () => worker.tail(2000));
        worker.kill('SIGKILL');
        expect((await worker.exited).signal).toBe('SIGKILL');
        const recorded = await recordedCount(watcher, data.retailerId);
        const state = await streamState(ingestion);
        if (state.ackPending > 0) midBatch++;
        kills.push({
          attempt,
          recordedAtKill: recorded,
          inStream: state.messages,
          ackPending: state.ackPending,
          // Committed by the killed worker but still in the stream (a work queue drops a message once acknowledged):
          // what only the database's unique key keeps from being credited twice when it is redelivered.
          committedNotAcknowledged: recorded - (state.published - state.messages),
        });
        worker = await startWorker();
      }
      await pos.done();
      const drainMs = await waitDrained(ingestion, 90_000, () => `\nworker log:\n${worker.tail(2000)}`);
      const final = await streamState(ingestion);
      expect(worker.running).toBe(true);

      const verdict = await verifySubmissions(db.url, data.retailerId, pos.accepted, (input) => pointsFor(input.quantity, 1000, data.awardRate));
      const outcomes = pos.outcomesBetween(0, Number.POSITIVE_INFINITY);
      reportFigures('JetStream worker SIGKILL', { kills, outcomes, drainMs, published: final.published, redeliveries: final.deliveries - final.published, deadLetters: final.deadLetters, ...verdict, reconcileOutput: undefined });

      // The kills fell in the middle of consumption: KILLS of them left delivered messages unacknowledged.
      expect(midBatch).toBe(KILLS);
      expect(final.deliveries).toBeGreaterThan(final.published);
      expect(final.deadLetters).toBe(0);
      expect(Object.fromEntries(pos.unsettled)).toEqual({});
      expect(pos.accepted.size).toBe(SUBMISSIONS);
      expectSubmissionsIntact(verdict);
    },
    240_000,
  );
});
