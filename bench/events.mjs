// Scenario h (`npm run bench -- --events`): the production build in event ingestion mode (INGESTION_MODE=jetstream,
// a stream and subject prefix of the run's own, the service's own pull loops recording), POS clients calling
// submitPurchase for the scenario's time, then waiting until every accepted submission is recorded. It measures
// accepted submissions/s, recorded purchases/s (first accept to the last one seen recorded) and the lag from a
// submission's ACCEPTED answer to its purchase's recorded_at, and checks exactly-once in SQL.
import autocannon from 'autocannon';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { percentile } from './baseline.mjs';
import { probeJetStream } from './jetstream-publish.mjs';
import { sleep } from './net.mjs';
import { startService } from './service.mjs';

export const EVENTS = { key: 'h', title: 'h. submitPurchase, event mode (accepted)' };

const MUTATION = `mutation SubmitPurchase($input: RecordPurchaseInput!) {
  submitPurchase(input: $input) { transactionId status errorCode }
}`;
const POLL_MS = 50;

/** The event-mode service: the built service with the mode's settings and a stream of its own. */
function startEventService({ databaseUrl, port, adminToken, servers, stream, prefix }) {
  const env = { INGESTION_MODE: 'jetstream', NATS_URL: servers.join(','), NATS_STREAM: stream, NATS_SUBJECT_PREFIX: prefix };
  return startService({ databaseUrl, port, adminToken, env });
}

/** submitPurchase from `connections` autocannon connections for `seconds`; each ACCEPTED noted with its time. */
async function submitLoad({ port, traffic, prefix, connections, seconds }) {
  const accepted = new Map();
  const inFlight = new Set();
  const errorKinds = new Map();
  const fail = (kind) => errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1);
  let sequence = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    timeout: 10,
    requests: [{
      setupRequest(request, context) {
        const p = traffic.next({ customer: 'distinct', products: 'promoted' });
        const transactionId = `${prefix}${++sequence}`;
        context.sent = { transactionId, points: p.points };
        inFlight.add(transactionId);
        const input = { transactionId, customerId: p.customerId, productId: p.product.id, quantity: p.quantity };
        return { ...request, method: 'POST', path: '/graphql',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${p.retailer.token}` },
          body: JSON.stringify({ query: MUTATION, variables: { input } }) };
      },
      onResponse(status, body, context) {
        const at = Date.now();
        const sent = context.sent;
        context.sent = null;
        if (!sent) return;
        inFlight.delete(sent.transactionId);
        if (status !== 200) return fail(`HTTP ${status}`);
        let answer;
        try {
          const parsed = JSON.parse(body);
          if (parsed.errors?.length) return fail(parsed.errors[0].extensions?.code ?? parsed.errors[0].message);
          answer = parsed.data?.submitPurchase;
        } catch {
          return fail('unreadable body');
        }
        // RECORDED would mean the service answered in direct mode: not what this scenario measures.
        if (answer?.status !== 'ACCEPTED') return fail(`status ${answer?.status ?? 'missing'}`);
        accepted.set(sent.transactionId, { at, points: sent.points });
      },
    }],
  });
  const transport = result.errors + result.timeouts;
  if (transport) errorKinds.set('connection errors/timeouts', transport);
  return { accepted, unanswered: [...inFlight], seconds: result.duration, p50: result.latency.p50, p99: result.latency.p99,
    errors: [...errorKinds.values()].reduce((x, y) => x + y, 0),
    errorDetail: [...errorKinds].map(([k, n]) => `${k} x${n}`).join(', ') };
}

const countRecorded = async (client, prefix, unanswered) => (await client.query(
  `select count(*)::int as n from purchases where starts_with(transaction_id, $1) and not (transaction_id = any ($2::text[]))`,
  [prefix, unanswered])).rows[0].n;

/**
 * Polls until the accepted submissions are all recorded (at most `limitSeconds`); returns when that was seen (epoch
 * ms), null if never, and how many were recorded when the load ended.
 */
async function waitRecorded({ client, prefix, unanswered, expected, limitSeconds }) {
  const atEnd = await countRecorded(client, prefix, unanswered);
  const deadline = Date.now() + limitSeconds * 1000;
  for (let n = atEnd; ; n = await countRecorded(client, prefix, unanswered)) {
    if (n >= expected) return { allAt: Date.now(), atEnd, recorded: n };
    if (Date.now() > deadline) return { allAt: null, atEnd, recorded: n };
    await sleep(POLL_MS);
  }
}

/** Lag of each accepted submission: its purchase's recorded_at (the recording transaction's start) - its ACCEPTED answer. */
async function lags(client, prefix, accepted) {
  const { rows } = await client.query(
    `select transaction_id, (extract(epoch from recorded_at) * 1000)::float8 as at from purchases where starts_with(transaction_id, $1)`,
    [prefix]);
  const values = rows.filter((r) => accepted.has(r.transaction_id)).map((r) => r.at - accepted.get(r.transaction_id).at);
  return Float64Array.from(values).sort();
}

async function deleteStreams(servers, names, log) {
  const nc = await connect({ servers, timeout: 5000 });
  try {
    const jsm = await jetstreamManager(nc);
    const left = {};
    for (const name of names) {
      left[name] = await jsm.streams.info(name).then((i) => i.state.messages, () => null);
      await jsm.streams.delete(name).catch(() => undefined);
    }
    return left;
  } catch (error) {
    log(`could not delete streams ${names.join(', ')}: ${error?.message ?? error}`);
    return {};
  } finally {
    await nc.close().catch(() => undefined);
  }
}

/**
 * One run of scenario h; returns the result (a row of the table, with the event figures) or null, with the reason
 * logged, when no JetStream answers at `servers`. `warmup` seconds of submissions under `warmPrefix` (which must not
 * start with `prefix`) come first and are not counted; `measure` is started with the event service's pid.
 */
export async function runEventScenario({ databaseUrl, port, adminToken, servers, traffic, prefix, warmPrefix, warmup,
  runId, round, connections, seconds, client, measure, log, defer = () => undefined }) {
  const probe = await probeJetStream(servers);
  if (!probe.ok) {
    log(`${EVENTS.title}: skipped, no JetStream answers at ${servers.join(',')} (${probe.reason})`);
    return null;
  }
  const stream = `BENCH_EVENTS_${runId}_${round}`;
  const service = await startEventService({ databaseUrl, port, adminToken, servers, stream,
    prefix: `bench.events.${runId}.r${round}` });
  const streams = [stream, `${stream}_DEAD`];
  let left = null;
  const stopAndDelete = () => (left ??= service.stop().then(() => deleteStreams(servers, streams, log)));
  // Also when the run is interrupted (the caller's clean-up on a signal); once either way.
  defer(stopAndDelete);
  let result;
  try {
    // A fresh process, like the direct service before its warm-up: its own warm-up, recorded before measuring.
    if (warmup > 0) {
      const warm = await submitLoad({ port, traffic, prefix: warmPrefix, connections, seconds: warmup });
      await waitRecorded({ client, prefix: warmPrefix, unanswered: warm.unanswered, expected: warm.accepted.size, limitSeconds: 60 });
    }
    const windowStart = performance.now();
    const cpu = measure(service.pid);
    const load = await submitLoad({ port, traffic, prefix, connections, seconds });
    const loadEnded = Date.now();
    const expected = load.accepted.size;
    const drained = await waitRecorded({ client, prefix, unanswered: load.unanswered, expected, limitSeconds: Math.max(60, 10 * seconds) });
    // The CPU window spans the load and the drain: all of the recording is in it.
    const window = (performance.now() - windowStart) / 1000;
    Object.assign(load, cpu());
    if (!service.running) throw new Error(`the event-mode service exited during ${EVENTS.title}:\n${service.output()}`);
    const firstAccept = [...load.accepted.values()].reduce((min, a) => Math.min(min, a.at), Infinity);
    const lag = await lags(client, prefix, load.accepted);
    const expectedPoints = [...load.accepted.values()].reduce((sum, a) => sum + a.points, 0n);
    const credited = [...load.accepted.values()].filter((a) => a.points > 0n).length;
    result = {
      ...load,
      title: EVENTS.title,
      perSecond: expected / load.seconds,
      recordedPerSecond: drained.allAt === null ? null : expected / ((drained.allAt - firstAccept) / 1000),
      drainSeconds: drained.allAt === null ? null : (drained.allAt - loadEnded) / 1000,
      backlogAtEnd: expected - drained.atEnd,
      recordedInTime: drained.recorded,
      lagP50: percentile(lag, 0.5),
      lagP99: percentile(lag, 0.99),
      nonReplayed: expected,
      replayed: 0,
      expected: { recorded: expected, credited, points: expectedPoints },
      rssMb: service.peakRssMb(),
      cpuPerSubmissionUs: load.serviceCpu ? ((load.serviceCpu / 100) * window * 1e6) / expected : null,
    };
  } finally {
    const messages = await stopAndDelete();
    if (result) result.deadLetters = messages[`${stream}_DEAD`] ?? null;
  }
  return result;
}

/** A scenario's service CPU per request, in µs: what sizes a fleet, and less skewed by other work than a rate. */
const cpuPerRequest = (r) => (r?.serviceCpu ? ((r.serviceCpu / 100) * 1e6) / r.perSecond : null);

/** The event figures of one run of h, and the ratio to scenario a of the same round. */
export function formatEventLines(h, a) {
  const fixed = (n, d = 0) => (n === null || n === undefined || Number.isNaN(n) ? '-' : n.toFixed(d));
  return [
    `events: accepted ${fixed(h.perSecond)}/s, recorded ${fixed(h.recordedPerSecond)}/s (first accept to last recorded), ` +
      `lag accepted -> recorded p50 ${fixed(h.lagP50, 1)} ms, p99 ${fixed(h.lagP99, 1)} ms; ` +
      `backlog at the end of the load ${h.backlogAtEnd}, drained in ${fixed(h.drainSeconds, 1)} s`,
    `service CPU per submission (accepting and recording) ${fixed(h.cpuPerSubmissionUs)} µs` +
      `${a ? `, per direct purchase (a) ${fixed(cpuPerRequest(a))} µs` : ''}`,
    ...(a ? [`ratio events-accepted/direct: ${(h.perSecond / a.perSecond).toFixed(2)}`] : []),
  ].join('\n');
}

/** Checks beyond the scenario's own (verifyScenario): all recorded in time, and nothing dead-lettered. */
export function eventChecks(h) {
  return [
    { name: 'every accepted submission recorded', ok: h.recordedInTime >= h.expected.recorded,
      detail: `${h.recordedInTime} of ${h.expected.recorded}` },
    { name: 'no dead letters', ok: h.deadLetters === 0, detail: `${h.deadLetters ?? 'unknown'} in the dead-letter stream` },
  ];
}

/** Options of the event benches, taken out of argv before bench/options.mjs reads the rest. */
export const EVENT_USAGE = `
  --jetstream      only the JetStream publish grid (bench/jetstream-publish.mjs), no database and no service:
                   purchase-shaped messages to a stream of the bench's own on NATS_URL (default
                   nats://127.0.0.1:4222; skipped with the reason when none answers; NATS_STREAM_REPLICAS
                   replicas, default 1), acks/s and ack p50/p99
  --jetstream-cluster
                   the same grid, then again on a 3-node loopback cluster (nats-server on PATH) with an R3 stream
  --events         scenario h in every round: the service in event mode (INGESTION_MODE=jetstream on NATS_URL),
                   submitPurchase from the same connections as a, then every accepted submission awaited in SQL`;

export function takeEventOptions(argv) {
  const flags = { jetstream: false, cluster: false, events: false };
  const rest = argv.filter((arg) => {
    if (arg === '--jetstream') flags.jetstream = true;
    else if (arg === '--jetstream-cluster') flags.jetstream = flags.cluster = true;
    else if (arg === '--events') flags.events = true;
    else return true;
    return false;
  });
  return { flags, rest };
}
