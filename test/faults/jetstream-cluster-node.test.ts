import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { ensureServiceBuilt } from '../support/production-build';
import { NatsCluster, natsClusterTest, natsEnv, startNatsCluster } from '../support/nats';
import { freePort } from '../support/ports';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { expectSubmissionsIntact, pointsFor, streamState, verifySubmissions, waitDrained } from './support/jetstream-check';
import { isRetryable } from './support/pos-clients';
import { log, reportFigures } from './support/report';
import { seedDataset } from './support/seed';
import { ServiceProcess, serviceEnv } from './support/service-process';
import { SubmitClients } from './support/submit-clients';
import { waitUntil } from './support/wait';

const CLIENTS = 8;

/**
 * A three-node JetStream cluster on loopback, the stream replicated on all three (R3). Under load, the node that
 * leads the stream is killed (SIGKILL), then started again on its own store. The other two elect a leader and keep
 * accepting; the POS resends what went unanswered. No accepted submission may be lost, none credited twice.
 */
describe('fault: a JetStream cluster node killed under load', () => {
  let cluster: NatsCluster | null = null;
  let database: TestDatabase | null = null;
  let clients: SubmitClients | null = null;
  let service: ServiceProcess | null = null;

  afterAll(async () => {
    await clients?.stop(0);
    await service?.end();
    await cluster?.close();
    await database?.drop();
  });

  natsClusterTest(
    'loses no accepted submission and credits none twice, and the ledger reconciles',
    async () => {
      await ensureServiceBuilt(log);
      const nats = await startNatsCluster(3);
      cluster = nats;
      const db = await createTestDatabase();
      database = db;
      const data = await seedDataset(db.url, 40);
      const port = await freePort();
      const ingestion: Record<string, string> = {
        ...natsEnv(nats.url, 'cluster_node'),
        NATS_STREAM_REPLICAS: '3',
        NATS_ACK_WAIT_SECONDS: '5',
        INGEST_CONSUMERS: '2',
        INGEST_RETRY_BASE_MS: '100',
      };
      const running = new ServiceProcess(port, serviceEnv(port, { DATABASE_URL: db.serviceUrl, MIGRATE: 'false', ...ingestion }));
      service = running;
      await running.waitReady();
      const state = () => `\nservice log:\n${running.tail(2000)}`;

      const pos = new SubmitClients(() => running.endpoint, data, `node-${Date.now()}`);
      clients = pos;
      pos.start(CLIENTS);
      await waitUntil('submissions accepted before the kill', () => pos.accepted.size >= 1500, 60_000, 50, state);

      const leader = await streamLeader(nats, ingestion.NATS_STREAM);
      const index = nats.urls.findIndex((_, i) => nats.node(i).name === leader);
      expect(index).toBeGreaterThanOrEqual(0);
      const killedAt = Date.now();
      await nats.node(index).kill('SIGKILL');
      await waitUntil('an acceptance sent after the kill', () => pos.firstAcceptanceSentAfter(killedAt) !== null, 60_000, 50, state);
      const resumedAt = pos.firstAcceptanceSentAfter(killedAt) as number;
      await waitUntil('more acceptances with the node down', () => pos.acceptedSince(resumedAt) >= 1000, 60_000, 50, state);
      const newLeader = await streamLeader(nats, ingestion.NATS_STREAM);

      const restartAt = Date.now();
      await nats.node(index).restart();
      const restartedAt = Date.now();
      await waitUntil('acceptances after the restart', () => pos.acceptedSince(restartedAt) >= 1000, 60_000, 50, state);
      await pos.stop(20_000);
      const drainMs = await waitDrained(ingestion, 90_000, state);
      const final = await streamState(ingestion);
      expect(running.running).toBe(true);

      const verdict = await verifySubmissions(db.url, data.retailerId, pos.accepted, (input) => pointsFor(input.quantity, 1000, data.awardRate));
      const outcomes = pos.outcomesBetween(0, Number.POSITIVE_INFINITY);
      reportFigures('JetStream cluster node SIGKILL', {
        killed: leader,
        newLeader,
        // From the kill to the first submission accepted that was sent after it: the outage a POS saw.
        outageMs: resumedAt - killedAt,
        outcomesWhileDown: pos.outcomesBetween(killedAt, restartAt),
        restartMs: restartedAt - restartAt,
        outcomes,
        drainMs,
        published: final.published,
        redeliveries: final.deliveries - final.published,
        deadLetters: final.deadLetters,
        ...verdict,
        reconcileOutput: undefined,
      });

      expect(newLeader).not.toBe(leader);
      // What was not an acceptance was an answer a POS resends on, and every resend ended accepted.
      expect(Object.keys(outcomes).filter((o) => o !== 'ACCEPTED' && !isRetryable(o))).toEqual([]);
      expect(Object.fromEntries(pos.unsettled)).toEqual({});
      expect(final.deadLetters).toBe(0);
      expect(verdict.accepted).toBe(pos.sent.size);
      expectSubmissionsIntact(verdict);
    },
    240_000,
  );
});

/** The name of the server that leads the stream now (retried while the cluster elects one). */
async function streamLeader(cluster: NatsCluster, stream: string): Promise<string> {
  const nc = await connect({ servers: cluster.urls, timeout: 5000 });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 5000 });
    for (let attempt = 0; ; attempt++) {
      const leader = await jsm.streams.info(stream).then((i) => i.cluster?.leader, () => undefined);
      if (leader) return leader;
      if (attempt >= 100) throw new Error(`stream ${stream} has no leader`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await nc.close();
  }
}
