// The HTTP scenarios: autocannon drives `recordPurchase` for a fixed time; every request carries a unique
// transactionId (a prefix per scenario), a random retailer's token, and is checked from its response body.
import autocannon from 'autocannon';
import { createTally } from './tally.mjs';

export const SCENARIOS = [
  { key: 'a', title: 'a. distinct customers', customer: 'distinct', products: 'promoted', replayShare: 0 },
  { key: 'b', title: 'b. one hot customer', customer: 'hot', products: 'promoted', replayShare: 0 },
  { key: 'c', title: 'c. half replays', customer: 'distinct', products: 'promoted', replayShare: 0.5 },
  { key: 'd', title: 'd. no promotion (0 points)', customer: 'distinct', products: 'plain', replayShare: 0 },
];

const MUTATION = `mutation RecordPurchase($input: RecordPurchaseInput!) {
  recordPurchase(input: $input) { replayed pointsAwarded customerBalance purchase { id transactionId } }
}`;
const REPLAY_POOL_SIZE = 4096;

/** Runs one scenario; `unanswered` lists the new transactionIds still in flight when the time was up. */
export async function runScenario({ port, traffic, scenario, prefix, connections, seconds }) {
  const tally = createTally();
  const inFlight = new Set();
  const replayPool = [];
  let sequence = 0;

  const nextRequest = () => {
    if (scenario.replayShare > 0 && replayPool.length > 0 && Math.random() < scenario.replayShare) {
      return { ...replayPool[Math.floor(Math.random() * replayPool.length)], replay: true };
    }
    const p = traffic.next(scenario);
    const transactionId = `${prefix}${++sequence}`;
    const input = { transactionId, customerId: p.customerId, productId: p.product.id, quantity: p.quantity };
    return {
      transactionId,
      token: p.retailer.token,
      body: JSON.stringify({ query: MUTATION, variables: { input } }),
      points: p.points,
      replay: false,
    };
  };

  const instance = autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    timeout: 10,
    requests: [
      {
        setupRequest(request, context) {
          const sent = nextRequest();
          context.sent = sent;
          if (!sent.replay) inFlight.add(sent.transactionId);
          return {
            ...request,
            method: 'POST',
            path: '/graphql',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${sent.token}` },
            body: sent.body,
          };
        },
        onResponse(status, body, context) {
          const sent = context.sent;
          context.sent = null;
          if (!sent) return;
          if (!sent.replay) inFlight.delete(sent.transactionId);
          const result = tally.record(status, body, sent);
          if (result && !sent.replay && scenario.replayShare > 0) {
            const entry = { transactionId: sent.transactionId, token: sent.token, body: sent.body, points: sent.points };
            if (replayPool.length < REPLAY_POOL_SIZE) replayPool.push(entry);
            else replayPool[sequence % REPLAY_POOL_SIZE] = entry;
          }
        },
      },
    ],
  });
  const result = await instance;
  const transportErrors = result.errors + result.timeouts;
  const ok = tally.nonReplayed + tally.replayed;
  return {
    title: scenario.title,
    seconds: result.duration,
    perSecond: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: tally.errors + transportErrors,
    errorDetail: [tally.describeErrors(), transportErrors ? `connection errors/timeouts x${transportErrors}` : '']
      .filter(Boolean)
      .join(', '),
    nonReplayed: tally.nonReplayed,
    replayed: tally.replayed,
    expected: { recorded: tally.nonReplayed, credited: tally.credited, points: tally.points },
    unanswered: [...inFlight],
  };
}
