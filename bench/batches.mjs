// Scenario g and its raw batched baseline: batches of 500 purchases per call from 4 clients, once through the
// service's `recordPurchases` (HTTP + GraphQL) and once as record_purchases() called directly by node-postgres
// (bench/raw-batch.mjs's cell). The rate counts purchases (items recorded per second), the latencies are per call.
import { percentile } from './baseline.mjs';
import { runRawBatchCell } from './raw-batch.mjs';

export const BATCH = { key: 'g', title: 'g. batches of 500', perCall: 500, clients: 4 };

const MUTATION = `mutation RecordPurchases($inputs: [RecordPurchaseInput!]!) {
  recordPurchases(inputs: $inputs) { result { replayed pointsAwarded } error { code } }
}`;

/**
 * Each client loops: one call of `perCall` fresh purchases (distinct customers, promoted products, unique
 * transactionIds after `prefix`) with one retailer's token, checking every outcome against the points expected.
 * Calls in flight at the deadline are waited for, so every item is answered; the items of a call that failed as a
 * whole (HTTP or GraphQL error) are listed in `unanswered` and left out of the SQL checks.
 */
export async function runBatchScenario({ port, traffic, prefix, seconds, perCall = BATCH.perCall, clients = BATCH.clients }) {
  const tally = { recorded: 0, credited: 0, points: 0n, replayed: 0, errors: 0, errorKinds: new Map() };
  const fail = (kind, n = 1) => {
    tally.errors += n;
    tally.errorKinds.set(kind, (tally.errorKinds.get(kind) ?? 0) + n);
  };
  const unanswered = [];
  const latencies = [];
  let sequence = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;

  const call = async () => {
    const sent = Array.from({ length: perCall }, () => traffic.next({ customer: 'distinct', products: 'promoted' }));
    // One token per call: a batch comes from one retailer's back office.
    const { token } = sent[0].retailer;
    const inputs = sent.map((p) => ({ transactionId: `${prefix}${++sequence}`, customerId: p.customerId, productId: p.product.id, quantity: p.quantity }));
    const t0 = performance.now();
    let outcomes = null;
    try {
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: MUTATION, variables: { inputs } }),
      });
      const text = await response.text();
      latencies.push(performance.now() - t0);
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      const parsed = JSON.parse(text);
      if (parsed.errors?.length) throw new Error(parsed.errors[0].extensions?.code ?? parsed.errors[0].message);
      outcomes = parsed.data?.recordPurchases;
      if (!Array.isArray(outcomes) || outcomes.length !== perCall) throw new Error(`${outcomes?.length ?? 'no'} outcomes for ${perCall} items`);
    } catch (error) {
      // The call's items may or may not be recorded: they stay out of the counts and of the SQL checks.
      fail(`call failed: ${error.message}`, perCall);
      unanswered.push(...inputs.map((i) => i.transactionId));
      return;
    }
    outcomes.forEach(({ result, error }, i) => {
      if (error || !result) return fail(error?.code ?? 'neither result nor error');
      const points = BigInt(result.pointsAwarded);
      if (result.replayed) return tally.replayed++, fail('replayed: true for a new transactionId');
      tally.recorded++;
      if (points > 0n) tally.credited++;
      tally.points += points;
      if (points !== sent[i].points) fail(`pointsAwarded ${points}, expected ${sent[i].points}`);
    });
  };
  const client = async () => {
    while (performance.now() < deadline && tally.errors < 100 * perCall) await call();
  };
  await Promise.all(Array.from({ length: clients }, client));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((x, y) => x - y);
  return {
    title: BATCH.title,
    seconds: elapsed,
    perSecond: tally.recorded / elapsed,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    latencyPer: 'call',
    perCall,
    errors: tally.errors,
    errorDetail: [...tally.errorKinds].map(([k, n]) => `${k} x${n}`).join(', '),
    nonReplayed: tally.recorded,
    replayed: tally.replayed,
    expected: { recorded: tally.recorded, credited: tally.credited, points: tally.points },
    unanswered,
  };
}

/** The raw batched baseline: the same batch size and clients, record_purchases() called directly. */
export async function runRawBatched({ url, traffic, pids, prefix, seconds, perCall = BATCH.perCall, connections = BATCH.clients }) {
  const cell = await runRawBatchCell({ url, traffic, pids, prefix, perCall, connections, seconds });
  return {
    ...cell,
    title: `raw batched (record_purchases, ${perCall} per call x ${connections})`,
    latencyPer: 'call',
    // No service is involved: its (idle) CPU is not this baseline's.
    serviceCpu: null,
    nonReplayed: cell.expected.recorded,
    replayed: 0,
    unanswered: [],
  };
}
