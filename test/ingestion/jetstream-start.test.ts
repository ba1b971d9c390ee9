import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createServer, connect as tcpConnect, Server, Socket } from 'node:net';
import { jetstreamManager, JetStreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { createApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/logging/logger';
import { errorCode, Fixtures } from '../support/fixtures';
import { natsEnv, natsTest, removeTestStreams, testNats, TestNats } from '../support/nats';
import { ensureServiceBuilt, PROJECT_ROOT } from '../support/production-build';
import { ADMIN_TOKEN, startTestApp, TestApp } from '../support/test-app';
import { createTestDatabase } from '../support/test-database';
import { PURCHASE_SUBMISSION, SUBMIT_PURCHASE, Submission } from './ingestion-kit';

/** Event mode at its edges: no consumer in the service, NATS lost, poison messages, streams that do not fit. */
describe('jetstream mode: start, publishing without consumers, NATS lost, dead letters', () => {
  let nats: TestNats | null = null;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  const envs: Array<Record<string, string>> = [];
  const apps: TestApp[] = [];
  const purchasedAt = new Date(Date.now() - 60_000).toISOString();

  beforeAll(async () => {
    nats = await testNats();
    if (!nats) return;
    nc = await connect({ servers: nats.url.split(',') });
    jsm = await jetstreamManager(nc);
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    // Through the test's own NATS: an env may point at a relay that is closed by now.
    for (const env of envs) await removeTestStreams({ ...env, NATS_URL: nats!.url }).catch(() => undefined);
    await nc?.close();
    await nats?.close();
  });

  function envFor(name: string, extra: Record<string, string> = {}): Record<string, string> {
    const env = { ...natsEnv(nats!.url, `jetstream-start-${name}`), ...extra };
    envs.push(env);
    return env;
  }
  async function start(env: Record<string, string>): Promise<{ t: TestApp; f: Fixtures }> {
    const t = await startTestApp(env);
    apps.push(t);
    return { t, f: new Fixtures(t) };
  }
  const submit = (t: TestApp, token: string, input: Record<string, unknown>) =>
    t.gql<{ submitPurchase: Submission }>(token, SUBMIT_PURCHASE, { input });
  const submission = (t: TestApp, token: string, transactionId: string) =>
    t.gql<{ purchaseSubmission: Submission | null }>(token, PURCHASE_SUBMISSION, { transactionId });

  natsTest('with INGEST_CONSUMERS=0 a submission stays ACCEPTED (and readable as such) until something consumes it', async () => {
    const env = envFor('idle', { INGEST_CONSUMERS: '0' });
    const { t, f } = await start(env);
    const productId = await f.product(1000);
    const retailer = await f.retailer();
    const customerId = await f.customer();
    const input = { transactionId: 'idle-1', customerId, productId, quantity: 1, purchasedAt };
    expect((await submit(t, retailer.token, input)).data!.submitPurchase.status).toBe('ACCEPTED');
    await new Promise((r) => setTimeout(r, 1500));
    expect((await submission(t, retailer.token, 'idle-1')).data!.purchaseSubmission).toEqual({
      transactionId: 'idle-1',
      status: 'ACCEPTED',
      errorCode: null,
      purchase: null,
    });
    expect((await submission(t, retailer.token, 'idle-2')).data!.purchaseSubmission).toBeNull();
    expect((await jsm.streams.info(env.NATS_STREAM)).state.messages).toBe(1);
    expect(await f.balance(customerId)).toBe(0n);
  }, 60_000);

  natsTest('`npm run ingest-worker` consumes what a service without consumers accepted, and stops cleanly on SIGTERM', async () => {
    await ensureServiceBuilt(() => undefined);
    const env = envFor('worker', { INGEST_CONSUMERS: '0' });
    const { t, f } = await start(env);
    const productId = await f.product(1000);
    await f.promotion({ productId, awardRate: '2' });
    const retailer = await f.retailer();
    const customerId = await f.customer();
    for (const transactionId of ['w-1', 'w-2']) {
      const input = { transactionId, customerId, productId, quantity: 1, purchasedAt };
      expect((await submit(t, retailer.token, input)).data!.submitPurchase.status).toBe('ACCEPTED');
    }
    const worker = spawn(process.execPath, [join(PROJECT_ROOT, 'dist', 'cli', 'ingest-worker.js')], {
      env: { PATH: process.env.PATH, ...env, INGEST_CONSUMERS: '2', DATABASE_URL: t.db.serviceUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    worker.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    worker.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => worker.on('exit', (code) => resolve(code)));
    try {
      await waitFor(async () => output.includes('"msg":"ingest worker ready"')).catch((e) => {
        throw new Error(`${(e as Error).message}: ${output}`);
      });
      const ready = JSON.parse(output.split('\n').find((l) => l.includes('"msg":"ingest worker ready"'))!);
      expect(ready).toMatchObject({ level: 30, loops: 2, stream: env.NATS_STREAM, consumer: 'ledger-writer' });
      await waitFor(async () => (await f.balance(customerId)) === 40n);
      for (const id of ['w-1', 'w-2']) expect((await submission(t, retailer.token, id)).data!.purchaseSubmission!.status).toBe('RECORDED');
    } finally {
      worker.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('"msg":"ingest worker stopped"');
  }, 120_000);

  natsTest('answers SERVICE_UNAVAILABLE and stores nothing while NATS cannot be reached', async () => {
    const proxy = await tcpProxy(nats!.url);
    const env = envFor('lost', { NATS_URL: proxy.url, INGEST_CONSUMERS: '0' });
    const { t, f } = await start(env);
    const productId = await f.product(1000);
    const retailer = await f.retailer();
    const customerId = await f.customer();
    expect((await submit(t, retailer.token, { transactionId: 'lost-1', customerId, productId, quantity: 1, purchasedAt })).data!.submitPurchase.status).toBe(
      'ACCEPTED',
    );
    await proxy.close(); // the port is closed from now on: the client keeps trying to reconnect
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    const refused = await submit(t, retailer.token, { transactionId: 'lost-2', customerId, productId, quantity: 1, purchasedAt });
    expect(errorCode(refused)).toBe('SERVICE_UNAVAILABLE');
    expect(refused.errors![0].extensions).toMatchObject({ retryable: true });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(errorCode(await submission(t, retailer.token, 'lost-1'))).toBe('SERVICE_UNAVAILABLE');
    const info = await jsm.streams.info(env.NATS_STREAM);
    expect(info.state.messages).toBe(1);
    expect((await jsm.streams.getMessage(env.NATS_STREAM, { seq: info.state.last_seq }))?.json<{ input: { transactionId: string } }>().input.transactionId).toBe(
      'lost-1',
    );
  }, 60_000);

  natsTest('dead-letters a message that keeps failing after NATS_MAX_DELIVER deliveries, an undecodable one at once', async () => {
    const env = envFor('dead', { NATS_MAX_DELIVER: '3', INGEST_RETRY_BASE_MS: '50' });
    const { t } = await start(env);
    const prefix = env.NATS_SUBJECT_PREFIX;
    const nobody = randomUUID(); // a retailer that does not exist: no retry can make it exist... or can it? Bounded.
    const poison = {
      retailerId: nobody,
      input: { transactionId: 'poison-1', customerId: randomUUID(), productId: randomUUID(), quantity: 1 },
      receivedAt: new Date().toISOString(),
    };
    const js = (await import('@nats-io/jetstream')).jetstream(nc);
    await js.publish(`${prefix}.submitted.${nobody}.${Buffer.from('poison-1').toString('base64url')}`, JSON.stringify(poison));
    const garbled = randomUUID();
    await js.publish(`${prefix}.submitted.${garbled}.eA`, 'this is not JSON');

    const dead = `${env.NATS_STREAM}_DEAD`;
    await waitFor(async () => (await jsm.streams.info(dead)).state.messages === 2);
    const letter = async (retailer: string) => (await jsm.streams.getMessage(dead, { last_by_subj: `${prefix}.dead.${retailer}` }))!;
    const poisoned = await letter(nobody);
    expect(poisoned.header.get('Loyalty-Dead-Reason')).toBe('max_deliver');
    expect(poisoned.header.get('Loyalty-Deliveries')).toBe('3');
    expect(poisoned.json()).toEqual(poison);
    const undecodable = await letter(garbled);
    expect(undecodable.header.get('Loyalty-Dead-Reason')).toBe('undecodable');
    expect(undecodable.header.get('Loyalty-Deliveries')).toBe('1');
    expect(undecodable.string()).toBe('this is not JSON');
    await waitFor(async () => (await jsm.streams.info(env.NATS_STREAM)).state.messages === 0);
    const metrics = await (await fetch(t.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(/loyalty_ingest_dead_letters_total\{reason="max_deliver"\} 1\n/);
    expect(metrics).toMatch(/loyalty_ingest_dead_letters_total\{reason="undecodable"\} 1\n/);
    expect(metrics).toMatch(/loyalty_ingest_consumed_total\{outcome="retried"\} 2\n/);
  }, 60_000);

  natsTest('refuses to start on an existing stream whose retention it cannot change, or without a reachable NATS', async () => {
    const env = envFor('mismatch');
    await jsm.streams.add({
      name: env.NATS_STREAM,
      subjects: [`${env.NATS_SUBJECT_PREFIX}.submitted.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
    });
    await expect(createAppOn(env)).rejects.toThrow(
      new RegExp(`the existing JetStream stream ${env.NATS_STREAM} differs in retention \\("limits", this configuration needs "workqueue"\\)`),
    );
    const closed = await tcpProxy(nats!.url);
    await closed.close();
    await expect(createAppOn({ ...env, NATS_URL: closed.url })).rejects.toThrow(`cannot connect to NATS at ${closed.url}`);
    // The stream was left as it was.
    expect((await jsm.streams.info(env.NATS_STREAM)).config.retention).toBe(RetentionPolicy.Limits);
  }, 60_000);
});

/** createApp on a database of its own, closed again if it starts at all. */
async function createAppOn(env: Record<string, string>): Promise<void> {
  const db = await createTestDatabase();
  try {
    const config = loadConfig({ DATABASE_URL: db.serviceUrl, ADMIN_API_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'silent', ...env });
    const app = await createApp(config, createLogger('silent'));
    await app.close();
  } finally {
    await db.drop();
  }
}

/** A TCP relay to the NATS server on a port of its own: closing it closes the port and cuts every connection. */
async function tcpProxy(natsUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(natsUrl.split(',')[0]);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(Number(target.port || 4222), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `nats://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
