// The redemption scenarios (e, f): autocannon drives `redeemPoints` with the ADMIN token for a fixed time, every
// request spending 1 point under a unique idempotencyKey (a prefix per scenario), checked from its response body.
import autocannon from 'autocannon';
import { loadInBatches } from './database.mjs';

export const REDEMPTION_SCENARIOS = [
  // Every request takes the same customer's lock in the database: they run one at a time, whatever the pool.
  { key: 'e', title: 'e. redemptions, one hot customer', customer: 'hot' },
  { key: 'f', title: 'f. redemptions, distinct customers', customer: 'random' },
];

/** Points each funded customer gets: far more than any run can spend 1 at a time. */
export const FUNDED_POINTS = 1_000_000_000n;
/**
 * Customers funded for the redemptions: the hot one and a random sample of the data set. adjust_points() costs
 * about 0.5 ms of the database's CPU a call, so all 100,000 would take 25 s or more on two cores (5,000: 1-3 s).
 * Scenario f needs of "distinct" only that its requests rarely meet on one customer's lock: with the service's
 * 8 pooled connections in the database at once, 7 others over 5,000 customers meet one in 700.
 */
export const FUNDED_CUSTOMERS = 5_000;
const POINTS = 1n;
const REWARD = 'bench-mug';

const MUTATION = `mutation RedeemPoints($input: RedeemPointsInput!) {
  redeemPoints(input: $input) { replayed customerBalance redemption { id idempotencyKey customerId points status } }
}`;

/** The customers to fund: the data set's first (scenario e's hot customer) and a random sample of the others. */
export function redemptionCustomers(dataset, count = FUNDED_CUSTOMERS) {
  const others = dataset.customers.slice(1);
  for (let i = 0; i < Math.min(count - 1, others.length); i++) {
    const j = i + Math.floor(Math.random() * (others.length - i));
    [others[i], others[j]] = [others[j], others[i]];
  }
  return { hot: dataset.customers[0], all: [dataset.customers[0], ...others.slice(0, count - 1)] };
}

/**
 * Credits each customer FUNDED_POINTS through adjust_points(), the migrations' own operation, so the ledger holds
 * what the service would have written: one adjustment and one balanced transaction each. 250 customers per
 * statement (each call holds its customer's advisory lock until commit: the lock table bounds a transaction's
 * calls), on 4 connections. Returns the number credited and the seconds it took.
 */
export async function fundCustomers({ url, customers, runId }) {
  const started = performance.now();
  const prefix = `fund-${runId}-`;
  let credited = 0;
  await loadInBatches({
    url,
    applicationName: 'loyalty-bench-fund',
    total: customers.length,
    batchSize: 250,
    workers: 4,
    timeout: '60s',
    load: async (client, from, to) => {
      const { rows } = await client.query(
        `select count(*) filter (where a.outcome = 'recorded')::int as recorded
           from unnest($1::uuid[]) as c(id)
           cross join lateral adjust_points(gen_random_uuid(), $2 || c.id, c.id, $3::bigint,
                                            'bench: points to redeem', 'bench', sha256(convert_to($2 || c.id, 'UTF8'))) a`,
        [customers.slice(from, to + 1), prefix, FUNDED_POINTS.toString()],
      );
      credited += rows[0].recorded;
    },
  });
  if (credited !== customers.length) throw new Error(`funding: ${credited} of ${customers.length} customers credited`);
  return { credited, seconds: (performance.now() - started) / 1000 };
}

/** Accounting of one scenario's responses. GraphQL errors come back with HTTP 200, so every body is read. */
function createTally() {
  const tally = { recorded: 0, replayed: 0, points: 0n, errors: 0, errorKinds: new Map() };
  const fail = (kind) => {
    tally.errors++;
    tally.errorKinds.set(kind, (tally.errorKinds.get(kind) ?? 0) + 1);
  };
  tally.record = (status, body, sent) => {
    if (status !== 200) return fail(`HTTP ${status}`);
    let parsed;
    try {
      parsed = JSON.parse(body);
    } catch {
      return fail('unreadable body');
    }
    if (parsed.errors?.length) return fail(parsed.errors[0].extensions?.code ?? parsed.errors[0].message);
    const result = parsed.data?.redeemPoints;
    if (!result) return fail('no redeemPoints in the response');
    // Every key is new: a replay, or an answer about another key or customer, contradicts the request.
    if (result.replayed) return tally.replayed++, fail('replayed: true for a new idempotencyKey');
    const r = result.redemption;
    tally.recorded++;
    tally.points += BigInt(r.points);
    if (r.idempotencyKey !== sent.key || r.customerId !== sent.customerId) fail('the answer names another redemption');
    if (BigInt(r.points) !== POINTS || r.status !== 'COMPLETED') fail(`points ${r.points}, status ${r.status}`);
  };
  tally.describe = () => [...tally.errorKinds].map(([kind, n]) => `${kind} x${n}`).join(', ');
  return tally;
}

/** Runs one scenario over `funded` (redemptionCustomers); `unanswered` lists the keys in flight when the time was up. */
export async function runRedemptions({ port, token, funded, scenario, prefix, connections, seconds }) {
  const tally = createTally();
  const inFlight = new Set();
  const redeemers = new Set();
  let sequence = 0;
  const customerFor = () =>
    scenario.customer === 'hot' ? funded.hot : funded.all[Math.floor(Math.random() * funded.all.length)];

  const instance = autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    timeout: 10,
    requests: [
      {
        setupRequest(request, context) {
          const sent = { key: `${prefix}${++sequence}`, customerId: customerFor() };
          context.sent = sent;
          inFlight.add(sent.key);
          redeemers.add(sent.customerId);
          const input = { idempotencyKey: sent.key, customerId: sent.customerId, points: POINTS.toString(), rewardReference: REWARD };
          return {
            ...request,
            method: 'POST',
            path: '/graphql',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ query: MUTATION, variables: { input } }),
          };
        },
        onResponse(status, body, context) {
          const sent = context.sent;
          context.sent = null;
          if (!sent) return;
          inFlight.delete(sent.key);
          tally.record(status, body, sent);
        },
      },
    ],
  });
  const result = await instance;
  const transportErrors = result.errors + result.timeouts;
  return {
    title: scenario.title,
    seconds: result.duration,
    perSecond: (tally.recorded + tally.replayed) / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: tally.errors + transportErrors,
    errorDetail: [tally.describe(), transportErrors ? `connection errors/timeouts x${transportErrors}` : ''].filter(Boolean).join(', '),
    nonReplayed: tally.recorded,
    replayed: tally.replayed,
    expected: { recorded: tally.recorded, points: tally.points },
    customers: redeemers.size,
    unanswered: [...inFlight],
  };
}
