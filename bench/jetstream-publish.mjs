#!/usr/bin/env node
// JetStream's publish rate for purchase-shaped messages: how many submissions one stream stores per second (publish
// acknowledgements, the moment submitPurchase answers ACCEPTED) and how long an acknowledgement takes, from 1 and 4
// connections with a bounded number of publishes in flight on each. The stream is the bench's own (file storage,
// work-queue retention, 2-minute duplicate window, as the service's) and is deleted at the end.
//   node bench/jetstream-publish.mjs [--messages N] [--seconds N] [--cluster]
//   npm run bench -- --jetstream [--jetstream-cluster]
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { isMainThread, Worker } from 'node:worker_threads';
import { jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { percentile } from './baseline.mjs';
import { measureCpu } from './cpu.mjs';
import { startNatsCluster } from './nats-cluster.mjs';

/** Client (bench/jetstream-publisher.mjs) x connections x publishes in flight on each connection. */
export const PUBLISH_CELLS = [
  { client: 'request', connections: 1, inFlight: 256 },
  { client: 'request', connections: 1, inFlight: 1024 },
  { client: 'request', connections: 4, inFlight: 256 },
  { client: 'request', connections: 4, inFlight: 1024 },
  { client: 'async', connections: 1, inFlight: 256 },
  { client: 'async', connections: 1, inFlight: 1024 },
  { client: 'async', connections: 4, inFlight: 256 },
  { client: 'async', connections: 4, inFlight: 1024 },
];
const DUPLICATE_WINDOW_NS = 120 * 1e9;
const RESEND_SAMPLE = 1000;

/** The stream's replicas on NATS_URL's servers: the service's own setting, 3 to measure a real cluster's R3. */
const streamReplicas = () => {
  const n = Number(process.env.NATS_STREAM_REPLICAS ?? 1);
  if (!Number.isInteger(n) || n < 1 || n > 5) throw new Error('NATS_STREAM_REPLICAS needs a whole number from 1 to 5');
  return n;
};

export const natsServers = () => (process.env.NATS_URL?.trim() || 'nats://127.0.0.1:4222').split(',').map((s) => s.trim());

/** Whether a JetStream-enabled server answers at `servers`: { ok, reason }. */
export async function probeJetStream(servers) {
  let nc = null;
  try {
    nc = await connect({ servers, timeout: 2000, reconnect: false });
    await (await jetstreamManager(nc)).getAccountInfo();
    return { ok: true, version: nc.info?.version ?? '?' };
  } catch (error) {
    return { ok: false, reason: `${error?.message ?? error}` };
  } finally {
    await nc?.close().catch(() => undefined);
  }
}

/**
 * Purchase submissions as the service publishes them (docs: the event ingestion interface): subject
 * `<prefix>.submitted.<retailerId>.<base64url(transactionId)>`, message id `<retailerId>:<transactionId>`, the
 * payload { retailerId, input, receivedAt } of about 300 bytes.
 */
export const messageIds = () => ({
  retailers: Array.from({ length: 10 }, () => randomUUID()),
  customers: Array.from({ length: 1000 }, () => randomUUID()),
  products: Array.from({ length: 6 }, () => randomUUID()),
});

/** Message n of a run (the same ids give the same subject and message id in every thread). */
export function purchaseMessages({ prefix, runId, ids: { retailers, customers, products } }) {
  return (n) => {
    const retailerId = retailers[n % retailers.length];
    const transactionId = `pub-${runId}-${String(n).padStart(9, '0')}`;
    const now = new Date().toISOString();
    const input = { transactionId, customerId: customers[n % customers.length], productId: products[n % products.length],
      quantity: 1 + (n % 3), unitPriceCents: 1999, purchasedAt: now };
    return {
      subject: `${prefix}.submitted.${retailerId}.${Buffer.from(transactionId).toString('base64url')}`,
      msgID: `${retailerId}:${transactionId}`,
      payload: Buffer.from(JSON.stringify({ retailerId, input, receivedAt: now })),
    };
  };
}

const PUBLISHER = new URL('./jetstream-publisher.mjs', import.meta.url);

/** One cell: up to `messages` publishes over `connections` publisher threads; stops early after `seconds`. */
async function publishCell({ servers, stream, prefix, runId, ids, first, messages, seconds, client, connections, inFlight }) {
  const share = Math.ceil(messages / connections);
  const started = performance.now();
  const deadline = Date.now() + seconds * 1000;
  const parts = await Promise.all(Array.from({ length: connections }, (_, c) => new Promise((resolve, reject) => {
    const worker = new Worker(PUBLISHER, { workerData: { client, servers, stream, prefix, runId, ids,
      first: first + c * share, count: Math.min(share, messages - c * share), inFlight, deadline } });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`publisher thread exited with ${code}`)));
  })));
  const elapsed = (performance.now() - started) / 1000;
  const sum = (key) => parts.reduce((n, p) => n + p[key], 0);
  const all = new Float64Array(sum('acked'));
  parts.reduce((at, p) => (all.set(p.latencies, at), at + p.latencies.length), 0);
  all.sort();
  return { published: sum('published'), acked: sum('acked'), duplicates: sum('duplicates'), failures: sum('failures'),
    firstFailure: parts.find((p) => p.firstFailure)?.firstFailure ?? null, elapsed, perSecond: sum('acked') / elapsed,
    p50: percentile(all, 0.5), p99: percentile(all, 0.99), shares: parts.map((p) => ({ first: p.first, published: p.published })) };
}

/** Resends the first messages of the cell with the same ids: every ack must say duplicate, nothing more is stored. */
async function resendSample({ servers, make, first, count }) {
  const nc = await connect({ servers, timeout: 5000 });
  try {
    const js = jetstream(nc);
    const acks = await Promise.all(Array.from({ length: count }, (_, i) => {
      const m = make(first + i);
      return js.publish(m.subject, m.payload, { msgID: m.msgID, timeout: 10_000 });
    }));
    return acks.filter((a) => a.duplicate).length;
  } finally {
    await nc.close().catch(() => undefined);
  }
}

/**
 * The grid of PUBLISH_CELLS on one stream of `replicas` replicas, each cell checked: stored = acknowledged, no
 * duplicate among fresh ids, a resent sample all duplicates. Returns { ok, cells } (cells: the figures).
 */
export async function runPublishGrid({ servers, replicas = 1, messages = 300_000, seconds = 10, log, defer = () => undefined }) {
  const runId = randomBytes(3).toString('hex');
  const stream = `BENCH_PUBLISH_${runId}`;
  const prefix = `bench.${runId}`;
  const nc = await connect({ servers, timeout: 5000 });
  const jsm = await jetstreamManager(nc);
  let ok = true;
  const cells = [];
  let deleting = null;
  const deleteStream = () =>
    (deleting ??= jsm.streams.delete(stream).catch((e) => log(`could not delete stream ${stream}: ${e?.message ?? e}`)));
  // Also when the run is interrupted (the caller's clean-up on a signal); once either way.
  defer(deleteStream);
  try {
    await jsm.streams.add({ name: stream, subjects: [`${prefix}.submitted.>`], storage: StorageType.File,
      retention: RetentionPolicy.Workqueue, duplicate_window: DUPLICATE_WINDOW_NS, num_replicas: replicas });
    const ids = messageIds();
    const make = purchaseMessages({ prefix, runId, ids });
    log(`stream ${stream}: file storage, work queue, duplicate window 120 s, ${replicas} replica(s); ` +
      `${make(0).payload.length} bytes per message; up to ${messages.toLocaleString('en-US')} messages or ${seconds} s per cell`);
    let first = 0;
    for (const cell of PUBLISH_CELLS) {
      const machine = measureCpu({});
      const r = await publishCell({ servers, stream, prefix, runId, ids, first, messages, seconds, ...cell });
      const { machineCpu: busy, cores } = machine();
      const stored = (await jsm.streams.info(stream)).state.messages;
      // The first thread's first messages, all published when that thread's publishes all succeeded.
      const resent = Math.min(RESEND_SAMPLE, r.shares[0].published);
      const duplicates = await resendSample({ servers, make, first, count: resent });
      const storedAfter = (await jsm.streams.info(stream)).state.messages;
      const checks = [
        [`stored ${stored} = acknowledged ${r.acked}`, stored === r.acked],
        [`no fresh id acknowledged as duplicate (${r.duplicates})`, r.duplicates === 0],
        [`no publish failed (${r.failures}${r.firstFailure ? `: ${r.firstFailure}` : ''})`, r.failures === 0],
        [`${resent} resent ids all duplicates (${duplicates}), nothing more stored (${storedAfter})`,
          duplicates === resent && storedAfter === stored],
      ];
      const cellOk = checks.every(([, pass]) => pass);
      ok &&= cellOk;
      log(`${cell.client.padEnd(7)} ${cell.connections} connection(s) x ${String(cell.inFlight).padStart(4)} in flight: ` +
        `${r.perSecond.toFixed(0).padStart(6)} acks/s, ack p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms ` +
        `(${r.acked.toLocaleString('en-US')} in ${r.elapsed.toFixed(1)} s${busy === undefined ? '' : `, machine CPU ${busy.toFixed(0)} % of ${cores * 100} %`}) ` +
        `${cellOk ? 'checks OK' : 'FAIL'}`);
      for (const [what, pass] of checks) if (!pass) log(`  FAIL ${what}`);
      cells.push({ ...cell, ...r, replicas, ok: cellOk });
      first += messages;
      await jsm.streams.purge(stream);
    }
  } finally {
    await deleteStream();
    await nc.close().catch(() => undefined);
  }
  return { ok, cells };
}

/**
 * The grid on `servers` (skipped with the reason when no JetStream answers), then on a loopback R3 cluster if asked.
 * Returns { ok: every check passed, measured: how many grids ran }.
 */
export async function runJetStreamBench({ servers = natsServers(), cluster = false, messages, seconds, log, defer }) {
  let ok = true;
  let measured = 0;
  const probe = await probeJetStream(servers);
  if (probe.ok) {
    log(`JetStream publish rate: nats-server ${probe.version} at ${servers.join(',')}`);
    ok = (await runPublishGrid({ servers, replicas: streamReplicas(), messages, seconds, log, defer })).ok;
    measured++;
  } else {
    log(`JetStream publish rate: skipped, no JetStream answers at ${servers.join(',')} (${probe.reason})`);
  }
  if (cluster) {
    const nodes = await startNatsCluster({ log });
    if (nodes === null) return { ok, measured };
    defer?.(nodes.stop);
    try {
      log(`\nJetStream publish rate: 3-node loopback cluster (nats-server ${nodes.version}), R3 stream`);
      ok = (await runPublishGrid({ servers: nodes.servers, replicas: 3, messages, seconds, log, defer })).ok && ok;
      measured++;
    } finally {
      await nodes.stop();
    }
  }
  return { ok, measured };
}

// Run as a script (not when imported, nor in a publisher thread, whose argv is the script's too).
if (isMainThread && process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const value = (name, fallback) => {
    const i = argv.indexOf(name);
    return i < 0 ? fallback : Number(argv[i + 1]);
  };
  const log = (line) => console.log(line);
  runJetStreamBench({ cluster: argv.includes('--cluster'), messages: value('--messages', 300_000), seconds: value('--seconds', 10), log })
    .then(({ ok }) => process.exit(ok ? 0 : 1), (error) => (log(`jetstream bench: ${error?.stack ?? error}`), process.exit(1)));
}
