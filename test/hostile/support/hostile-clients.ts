import { Worker } from 'node:worker_threads';
import { purchaseQueryAliases } from './documents';

/**
 * A hostile client's loop, in a worker thread of its own so that its work does not delay the POS clients'
 * timers in the test's main thread: the same request again and again, the next one sent when the last is answered.
 */
const LOOP = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { port, body, token } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const counts = {};
let running = true;
parentPort.on('message', () => { running = false; });
const once = () => new Promise((resolve) => {
  const req = http.request({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', agent,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: 'Bearer ' + token } },
    (res) => { res.resume(); res.on('end', () => { counts[res.statusCode] = (counts[res.statusCode] || 0) + 1; resolve(); }); });
  req.setTimeout(30000, () => req.destroy(new Error('timeout')));
  req.on('error', () => { counts.error = (counts.error || 0) + 1; resolve(); });
  req.end(body);
});
(async () => {
  while (running) await once();
  agent.destroy();
  parentPort.postMessage(counts);
})();
`;

export interface HostileClients {
  /** Stops the loops and returns how their requests were answered, by HTTP status. */
  stop(): Promise<Record<string, number>>;
}

/** `count` anonymous clients looping finding 2's request: 1,000 aliases of purchase(...) with an unknown token. */
export function startHostileClients(baseUrl: string, retailerId: string, count: number): HostileClients {
  const port = Number(new URL(baseUrl).port);
  const body = JSON.stringify({ query: purchaseQueryAliases(retailerId, 1000) });
  const workers = Array.from(
    { length: count },
    (_, i) => new Worker(LOOP, { eval: true, workerData: { port, body, token: `unknown-hostile-token-${i}-0123456789` } }),
  );
  return {
    async stop() {
      const results = await Promise.all(
        workers.map(
          (worker) =>
            new Promise<Record<string, number>>((resolve) => {
              worker.once('message', (counts: Record<string, number>) => resolve(counts));
              worker.postMessage('stop');
            }),
        ),
      );
      await Promise.all(workers.map((worker) => worker.terminate()));
      const total: Record<string, number> = {};
      for (const counts of results) for (const [status, n] of Object.entries(counts)) total[status] = (total[status] ?? 0) + n;
      return total;
    },
  };
}
