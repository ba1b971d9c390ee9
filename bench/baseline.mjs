// The raw baseline: the same per-purchase SQL writes as the service's hot path (the migrations' purchase
// function: purchase row, ledger transaction, its entries, balances), one purchase per call, issued by plain
// node-postgres loops at the same concurrency: no HTTP, no GraphQL, no framework.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import pg from 'pg';
import { purchaseCall, purchaseFields } from './purchase-call.mjs';

const MAX_CALLS_PER_LOOP = 10_000_000;
// The service's own id maker (from the build the bench runs): purchase ids are part of the writes compared.
const { uuidV7 } = createRequire(import.meta.url)('../dist/common/ids/uuid-v7.js');

export function percentile(sorted, q) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export async function runBaseline({ url, traffic, prefix, connections, seconds, measure = () => ({}) }) {
  const pool = new pg.Pool({ connectionString: url, max: connections, application_name: 'loyalty-bench-raw' });
  try {
    pool.on('error', () => undefined);
    const statement = await purchaseCall(pool);
    const catalogSeq = (await pool.query('select coalesce(max(seq), 0)::text as seq from promotions')).rows[0].seq;
    const latencies = [];
    const tally = { recorded: 0, credited: 0, points: 0n, errors: 0, errorKinds: new Map() };
    let sequence = 0;
    const deadline = performance.now() + seconds * 1000;
    const started = performance.now();
    const loop = async () => {
      const client = await pool.connect();
      try {
        for (let i = 0; i < MAX_CALLS_PER_LOOP && performance.now() < deadline; i++) {
          const p = traffic.next({ customer: 'distinct', products: 'promoted' });
          const t0 = performance.now();
          try {
            const { rows } = await client.query({
              name: 'raw_purchase',
              text: statement.text,
              values: statement.values(
                purchaseFields(p, { id: uuidV7(), transactionId: `${prefix}${++sequence}`, payloadHash: randomBytes(32), catalogSeq }),
              ),
            });
            latencies.push(performance.now() - t0);
            if (rows[0]?.outcome !== 'recorded') throw new Error(`outcome ${rows[0]?.outcome}`);
            tally.recorded++;
            if (p.points > 0n) tally.credited++;
            tally.points += p.points;
          } catch (error) {
            tally.errors++;
            tally.errorKinds.set(error.message, (tally.errorKinds.get(error.message) ?? 0) + 1);
            if (tally.errors > 1000) break;
          }
        }
      } finally {
        client.release();
      }
    };
    await Promise.all(Array.from({ length: connections }, loop));
    const elapsed = (performance.now() - started) / 1000;
    const cpu = measure(); // before the pool's connections close
    latencies.sort((x, y) => x - y);
    return {
      ...cpu,
      title: 'raw baseline (node-postgres)',
      statement: statement.name,
      seconds: elapsed,
      perSecond: tally.recorded / elapsed,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      errors: tally.errors,
      errorDetail: [...tally.errorKinds].map(([k, n]) => `${k} x${n}`).join(', '),
      nonReplayed: tally.recorded,
      replayed: 0,
      expected: { recorded: tally.recorded, credited: tally.credited, points: tally.points },
      unanswered: [],
    };
  } finally {
    await pool.end();
  }
}
