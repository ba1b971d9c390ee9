import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { natsClusterTest, natsEnv, natsTest, removeTestStreams, startNatsCluster, testNats } from '../support/nats';

// The tests' NATS harness itself: a server is found or started, a stream stores and hands out a message, and the
// three-node cluster the fault tests use forms and keeps an R3 stream writable with one node killed.

describe('NATS for the tests', () => {
  natsTest('a server answers and a stream stores and hands out one message', async () => {
    const nats = await testNats();
    if (!nats) throw new Error('natsTest ran, yet no NATS was found');
    const env = natsEnv(nats.url, 'harness');
    const nc = await connect({ servers: nats.url.split(','), timeout: 5000 });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({
        name: env.NATS_STREAM,
        subjects: [`${env.NATS_SUBJECT_PREFIX}.submitted.>`],
        retention: RetentionPolicy.Workqueue,
        storage: StorageType.File,
      });
      await jsm.consumers.add(env.NATS_STREAM, { durable_name: 'harness', ack_policy: AckPolicy.Explicit });
      const js = jetstream(nc);
      const sent = { id: Math.random().toString(36).slice(2) };
      const ack = await js.publish(`${env.NATS_SUBJECT_PREFIX}.submitted.r1.x`, JSON.stringify(sent), { msgID: `r1:${sent.id}` });
      expect(ack.duplicate).toBe(false);
      const again = await js.publish(`${env.NATS_SUBJECT_PREFIX}.submitted.r1.x`, JSON.stringify(sent), { msgID: `r1:${sent.id}` });
      expect(again.duplicate).toBe(true);

      const consumer = await js.consumers.get(env.NATS_STREAM, 'harness');
      const message = await consumer.next({ expires: 5000 });
      expect(message?.json()).toEqual(sent);
      await message?.ackAck();
      expect((await jsm.streams.info(env.NATS_STREAM)).state.messages).toBe(0);
    } finally {
      await nc.close();
      await removeTestStreams(env);
      await nats.close();
    }
  }, 60_000);

  test('natsEnv gives each caller a stream and a subject prefix of its own', () => {
    const a = natsEnv('nats://127.0.0.1:1', 'same name');
    const b = natsEnv('nats://127.0.0.1:1', 'same name');
    expect(a.INGESTION_MODE).toBe('jetstream');
    expect(a.NATS_URL).toBe('nats://127.0.0.1:1');
    expect(a.NATS_STREAM).not.toBe(b.NATS_STREAM);
    expect(a.NATS_SUBJECT_PREFIX).not.toBe(b.NATS_SUBJECT_PREFIX);
    // Stream names may not hold '.', ' ', '*' or '>'; subject tokens may not hold ' ', '*' or '>'.
    expect(a.NATS_STREAM).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(a.NATS_SUBJECT_PREFIX).toMatch(/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/);
  });

  natsClusterTest('three nodes form a JetStream cluster whose R3 stream stays writable with one node killed', async () => {
    const cluster = await startNatsCluster(3);
    const nc = await connect({ servers: cluster.urls, timeout: 5000 });
    try {
      const jsm = await jetstreamManager(nc);
      const info = await jsm.streams.add({ name: 'HARNESS_R3', subjects: ['harness.r3.>'], num_replicas: 3, storage: StorageType.File });
      expect(info.config.num_replicas).toBe(3);
      expect(info.cluster?.replicas ?? []).toHaveLength(2);
      const js = jetstream(nc);
      await js.publish('harness.r3.before', 'before');

      // Kill the stream's leader: the worst node to lose; the other two elect a new one.
      const leader = info.cluster?.leader;
      const index = [0, 1, 2].find((i) => cluster.node(i).name === leader) ?? 0;
      await cluster.node(index).kill('SIGKILL');
      expect(cluster.node(index).running).toBe(false);

      await eventually(() => js.publish('harness.r3.during', 'during', { timeout: 2000 }), 30_000);
      const during = await jsm.streams.info('HARNESS_R3');
      expect(during.state.messages).toBe(2);
      expect(during.cluster?.leader).not.toBe(leader);

      await cluster.node(index).restart();
      expect(cluster.node(index).running).toBe(true);
      await js.publish('harness.r3.after', 'after');
      expect((await jsm.streams.info('HARNESS_R3')).state.messages).toBe(3);
    } finally {
      await nc.close();
      await cluster.close();
    }
  }, 120_000);
});

/** Retries `attempt` until it succeeds (e.g. while a stream elects a new leader), failing after `timeoutMs`. */
async function eventually<T>(attempt: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
