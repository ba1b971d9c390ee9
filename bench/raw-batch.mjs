// `--raw-batch`: the database's own cost per purchase at batch sizes, without the service. The migrations'
// record_purchases() is called directly by node-postgres (one named statement per connection, so planned once
// per connection, as the service's), N purchases per call from C connections, distinct customers, every purchase
// earning points. Per cell: purchases/s, PostgreSQL's CPU per purchase (postmaster and its backends, /proc) and
// WAL bytes per purchase (pg_current_wal_lsn() before and after), then the ledger's SQL checks.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import pg from 'pg';
import { percentile } from './baseline.mjs';
import { measureCpu } from './cpu.mjs';
import { purchaseCall, purchaseFields } from './purchase-call.mjs';
import { verifyLedger, verifyScenario, waitForQuiet } from './verify.mjs';

const { uuidV7 } = createRequire(import.meta.url)('../dist/common/ids/uuid-v7.js');

export const RAW_BATCH_SIZES = [1, 10, 100, 500, 1000];
export const RAW_BATCH_CONNECTIONS = [2, 4, 8];

/** The arguments of one call for `purchases`: every per-purchase array, the postings numbered by item. */
function batchValues(args, purchases) {
  return args.map((a) => {
    if (a.field === 'postingItems') return purchases.flatMap((p, i) => p.postingItems.map(() => i + 1));
    if (a.field === 'postingAccounts' || a.field === 'postingAmounts') return purchases.flatMap((p) => p[a.field]);
    return purchases.map((p) => p[a.field]);
  });
}

/**
 * One cell: `perCall` purchases per call from `connections` connections for `seconds`. Also the raw batched
 * baseline of `npm run bench` (bench/batches.mjs), hence the latencies per call and every CPU share.
 */
export async function runRawBatchCell({ url, traffic, pids, prefix, perCall, connections, seconds, catalogSeq }) {
  const pool = new pg.Pool({ connectionString: url, max: connections, application_name: 'loyalty-bench-raw-batch' });
  pool.on('error', () => undefined);
  const call = await purchaseCall(pool);
  if (!call.batch) throw new Error('--raw-batch needs the batch function record_purchases()');
  const tally = { recorded: 0, credited: 0, points: 0n, errors: 0, errorKinds: new Map() };
  const latencies = [];
  let sequence = 0;
  try {
    catalogSeq ??= (await pool.query('select coalesce(max(seq), 0)::text as seq from promotions')).rows[0].seq;
    const lsn = async () => (await pool.query('select pg_current_wal_lsn()::text as lsn')).rows[0].lsn;
    const walBefore = await lsn();
    const cpu = measureCpu(pids);
    const started = performance.now();
    const deadline = started + seconds * 1000;
    const loop = async () => {
      const client = await pool.connect();
      try {
        while (performance.now() < deadline && tally.errors < 100) {
          const batch = [];
          for (let i = 0; i < perCall; i++) {
            // 'promoted' products: every purchase earns points, so every one writes a ledger transaction.
            const p = traffic.next({ customer: 'distinct', products: 'promoted' });
            batch.push({ p, fields: purchaseFields(p, { id: uuidV7(), transactionId: `${prefix}${++sequence}`, payloadHash: randomBytes(32), catalogSeq }) });
          }
          const t0 = performance.now();
          try {
            const { rows } = await client.query({ name: 'raw_batch', text: call.text, values: batchValues(call.args, batch.map((b) => b.fields)) });
            const bad = rows.find((r) => r.outcome !== 'recorded');
            latencies.push(performance.now() - t0);
            if (rows.length !== perCall || bad) throw new Error(`outcome ${bad?.outcome ?? `${rows.length} rows`}`);
            for (const { p } of batch) {
              tally.recorded++;
              if (p.points > 0n) tally.credited++;
              tally.points += p.points;
            }
          } catch (error) {
            tally.errors++;
            tally.errorKinds.set(error.message, (tally.errorKinds.get(error.message) ?? 0) + 1);
          }
        }
      } finally {
        client.release();
      }
    };
    await Promise.all(Array.from({ length: connections }, loop));
    const elapsed = (performance.now() - started) / 1000;
    const shares = cpu(); // before the pool's connections close
    const { postgresCpu } = shares;
    const walAfter = await lsn();
    const wal = (await pool.query('select pg_wal_lsn_diff($1, $2)::bigint::text as bytes', [walAfter, walBefore])).rows[0].bytes;
    const n = Math.max(1, tally.recorded);
    latencies.sort((x, y) => x - y);
    return {
      ...shares,
      perCall, connections, seconds: elapsed, perSecond: tally.recorded / elapsed,
      p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99),
      // postgresCpu is in % of one core: core-seconds used / purchases, in ms.
      cpuMsPerPurchase: postgresCpu == null ? null : (postgresCpu / 100) * elapsed * 1000 / n,
      walBytesPerPurchase: Number(wal) / n,
      errors: tally.errors, errorDetail: [...tally.errorKinds].map(([k, v]) => `${k} x${v}`).join(', '),
      expected: { recorded: tally.recorded, credited: tally.credited, points: tally.points },
    };
  } finally {
    await pool.end();
  }
}

const fmt = (n, digits = 0) => (n == null ? 'n/a' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

/** The whole grid, each cell verified in SQL; returns whether every check passed. */
export async function runRawBatchGrid({ url, client, traffic, pids, runId, seconds, log, sizes = RAW_BATCH_SIZES, pools = RAW_BATCH_CONNECTIONS }) {
  const catalogSeq = (await client.query('select coalesce(max(seq), 0)::text as seq from promotions')).rows[0].seq;
  const cells = [];
  let ok = true;
  for (const perCall of sizes) {
    for (const connections of pools) {
      const prefix = `rb${perCall}x${connections}-${runId}-`;
      const cell = await runRawBatchCell({ url, traffic, pids, prefix, perCall, connections, seconds, catalogSeq });
      await waitForQuiet(client);
      const checks = [...(await verifyScenario(client, { prefix, expected: cell.expected, unanswered: [] })), ...(await verifyLedger(client))];
      const failed = checks.filter((c) => !c.ok);
      if (failed.length || cell.errors) ok = false;
      log(`${String(perCall).padStart(4)} x ${connections}: ${fmt(cell.perSecond).padStart(7)} purchases/s, ` +
        `PostgreSQL CPU ${fmt(cell.cpuMsPerPurchase, 3)} ms/purchase, WAL ${fmt(cell.walBytesPerPurchase)} B/purchase, ` +
        `${cell.errors} errors${cell.errors ? ` (${cell.errorDetail})` : ''}; checks ${failed.length ? `FAIL: ${failed.map((c) => `${c.name} (${c.detail})`).join('; ')}` : 'OK'}`);
      cells.push(cell);
    }
  }
  const header = `| purchases per call | ${pools.map((c) => `${c} connections`).join(' | ')} |`;
  const rule = `|---|${pools.map(() => '---').join('|')}|`;
  const line = (perCall) => `| ${perCall} | ${pools.map((c) => {
    const cell = cells.find((x) => x.perCall === perCall && x.connections === c);
    return `${fmt(cell.perSecond)}/s, ${fmt(cell.cpuMsPerPurchase, 3)} ms, ${fmt(cell.walBytesPerPurchase)} B`;
  }).join(' | ')} |`;
  log(`\nraw batched grid (purchases/s, PostgreSQL CPU per purchase, WAL bytes per purchase; ${seconds} s per cell):\n${header}\n${rule}\n${sizes.map(line).join('\n')}`);
  return ok;
}
