// `--raw-batch`: the database's own cost per purchase at batch sizes, without the service. The migrations'
// record_purchases() is called directly by node-postgres (one named statement per connection, so planned once
// per connection, as the service's), N purchases per call from C connections, distinct customers, every purchase
// earning points. Per cell: purchases/s, PostgreSQL's CPU per purchase (postmaster and its backends, /proc) and
// WAL bytes per purchase (pg_current_wal_lsn() before and after), then the ledger's SQL checks.
//
// Run on its own (`node bench/raw-batch.mjs --help`), it measures chosen cells in rounds, and with
// `--baseline-before <migration>` the same cells on a second database of the same server that has only the
// migrations before that one, alternating the two databases cell by cell: a change to the migrations measured
// against the schema before it, back to back, on the same machine at the same time. `--baseline-arrays text` has
// the baseline's calls send their arrays as text, as before the service sent them in binary (batchValues).
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { percentile } from './baseline.mjs';
import { findPostmaster, machineBusy, measureCpu } from './cpu.mjs';
import { provisionDatabase, withClient } from './database.mjs';
import { loadDataset } from './dataset.mjs';
import { batchValues, purchaseCall, purchaseFields } from './purchase-call.mjs';
import { createTraffic } from './traffic.mjs';
import { verifyLedger, verifyScenario, waitForQuiet } from './verify.mjs';

const require = createRequire(import.meta.url);
const { uuidV7 } = require('../dist/common/ids/uuid-v7.js');

// The answers' columns as the server sent them: only outcome is read, so dates and numbers are not parsed.
const RAW_TEXT = { getTypeParser: () => (value) => value };

export const RAW_BATCH_SIZES = [1, 10, 100, 500, 1000];
export const RAW_BATCH_CONNECTIONS = [2, 4, 8];

/**
 * One cell: `perCall` purchases per call from `connections` connections for `seconds`. Also the raw batched
 * baseline of `npm run bench` (bench/batches.mjs), hence the latencies per call and every CPU share. `arrays`:
 * 'binary' sends the arrays as the service does, 'text' as node-postgres's text arrays (batchValues).
 */
export async function runRawBatchCell({ url, traffic, pids, prefix, perCall, connections, seconds, catalogSeq, arrays = 'binary' }) {
  if (arrays !== 'binary' && arrays !== 'text') throw new Error(`arrays must be 'binary' or 'text', not ${arrays}`);
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
          // One draw from the random source per call, not per purchase: the bench's own CPU is CPU that the
          // database, on the same cores, does not get.
          const hashes = randomBytes(32 * perCall);
          for (let i = 0; i < perCall; i++) {
            // 'promoted' products: every purchase earns points, so every one writes a ledger transaction.
            const p = traffic.next({ customer: 'distinct', products: 'promoted' });
            const payloadHash = hashes.subarray(32 * i, 32 * (i + 1));
            batch.push({ p, fields: purchaseFields(p, { id: uuidV7(), transactionId: `${prefix}${++sequence}`, payloadHash, catalogSeq }) });
          }
          const t0 = performance.now();
          try {
            const { rows } = await client.query({ name: 'raw_batch', text: call.text, values: batchValues(call.args, batch.map((b) => b.fields), arrays), types: RAW_TEXT });
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

// ---------------------------------------------------------------------------------------------------------
// On its own: chosen cells, in rounds, optionally against the schema before a migration.

const USAGE = `usage: node bench/raw-batch.mjs [--cells 500x2,500x4,500x8,1000x8] [--duration N] [--rounds N]
                                [--baseline-before <migration> [--baseline-arrays text|binary]]
  (after npx tsc -p tsconfig.build.json)
  --cells LIST      purchases per call x connections, comma-separated (default 500x2,500x4,500x8,1000x8)
  --duration N      seconds per cell (default 5)
  --rounds N        every cell N times; the summary gives the median of each figure (default 3)
  --baseline-before M
                    also a second database on the same server migrated only with the files of migrations/ that
                    sort before M (e.g. 0014): each cell runs on both, one right after the other (which goes
                    first alternates by round), and the summary compares them
  --baseline-arrays text|binary
                    how the baseline database's calls send their arrays (default binary, as the service does):
                    text sends them as node-postgres's text arrays, the way they were before the binary encoding,
                    while "all migrations" keeps binary (with a M that sorts after every migration, e.g. 9999,
                    this compares text with binary on the same schema)
Each database gets the bench's data set (100,000 customers), then 8 s of 500 x 4 as a warm-up (every customer
then has a balance row, as in a ledger in use). Every cell is verified in SQL. Without DATABASE_URL an embedded
PostgreSQL is started in a temporary folder and removed at the end; with it, the databases are dropped at the end.`;

function parseArgs(argv) {
  const options = { cells: [[500, 2], [500, 4], [500, 8], [1000, 8]], seconds: 5, rounds: 3, baselineBefore: null, baselineArrays: 'binary' };
  const whole = (name, value, min, max) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} needs a whole number from ${min} to ${max}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { help: USAGE };
    if (arg === '--duration') options.seconds = whole(arg, argv[++i], 1, 600);
    else if (arg === '--rounds') options.rounds = whole(arg, argv[++i], 1, 20);
    else if (arg === '--baseline-before') options.baselineBefore = argv[++i] ?? '';
    else if (arg === '--baseline-arrays') {
      options.baselineArrays = argv[++i];
      if (options.baselineArrays !== 'text' && options.baselineArrays !== 'binary') throw new Error('--baseline-arrays needs text or binary');
    } else if (arg === '--cells') {
      options.cells = (argv[++i] ?? '').split(',').map((cell) => {
        const m = /^(\d+)x(\d+)$/.exec(cell.trim());
        if (!m) throw new Error(`--cells: "${cell}" is not <purchases per call>x<connections>`);
        return [whole('purchases per call', m[1], 1, 1000), whole('connections', m[2], 1, 64)];
      });
    } else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  if (options.baselineBefore === '') throw new Error('--baseline-before needs a migration name (e.g. 0014)');
  if (argv.includes('--baseline-arrays') && !options.baselineBefore) throw new Error('--baseline-arrays needs --baseline-before');
  return options;
}

/** A database of `db`'s server with the migrations that sort before `before` only, and a way to drop it. */
async function baselineDatabase(db, before) {
  const { migrate, MIGRATIONS_DIR } = require('../dist/database/migrator.js');
  const files = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql') && f < before);
  if (!files.length) throw new Error(`no migration sorts before ${before}`);
  const folder = mkdtempSync(join(tmpdir(), 'loyalty-baseline-migrations-'));
  for (const f of files) copyFileSync(join(MIGRATIONS_DIR, f), join(folder, f));
  const name = `${db.name}_baseline`;
  await withClient(db.url, (c) => c.query(`create database ${name}`));
  const url = new URL(db.url);
  url.pathname = `/${name}`;
  try {
    await migrate(url.toString(), folder);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  const drop = () => withClient(db.url, (c) => c.query(`drop database if exists ${name} with (force)`));
  return { url: url.toString(), label: `up to ${files.at(-1).replace(/\.sql$/, '')}`, drop };
}

/** The data set, the same maintenance as `npm run bench`, and a warm-up that gives every customer a balance row. */
async function prepare(target, pids, runId, log) {
  const client = new pg.Client({ connectionString: target.url, application_name: 'loyalty-bench' });
  client.on('error', () => undefined);
  await client.connect();
  const dataset = await loadDataset(client);
  await client.query('vacuum analyze');
  await client.query('checkpoint').catch(() => undefined);
  const traffic = createTraffic(dataset);
  await runRawBatchCell({ url: target.url, traffic, pids, prefix: `rbw-${runId}-`, perCall: 500, connections: 4, seconds: 8, arrays: target.arrays });
  await client.query('checkpoint').catch(() => undefined);
  log(`${target.label}: data set and warm-up done`);
  return { ...target, client, traffic, cells: [] };
}

const median = (values) => {
  const sorted = values.filter((v) => v != null).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : null;
};

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const log = (line) => console.log(line);
  if (options.help) return log(options.help), 0;
  const runId = randomBytes(3).toString('hex');
  const busy = await machineBusy(1000);
  if (busy !== null && busy > 30) log(`warning: ${busy.toFixed(0)}% of a core was busy before the run: other work skews the figures`);
  const db = await provisionDatabase({ keep: false, log });
  const cleanups = [db.drop];
  const targets = [];
  try {
    const probe = new pg.Client({ connectionString: db.url });
    await probe.connect();
    const pids = { postmaster: await findPostmaster(probe, db.url) };
    await probe.end();
    if (options.baselineBefore) {
      const baseline = await baselineDatabase(db, options.baselineBefore);
      cleanups.unshift(baseline.drop);
      const arrays = options.baselineArrays;
      targets.push(await prepare({ ...baseline, arrays, label: `${baseline.label}${arrays === 'text' ? ', text arrays' : ''}` }, pids, runId, log));
    }
    targets.push(await prepare({ url: db.url, label: 'all migrations', arrays: 'binary' }, pids, runId, log));
    log(`PostgreSQL ${db.server.version} (${db.embedded ? 'embedded' : 'DATABASE_URL'}, shared_buffers ${db.server.shared_buffers}); ` +
      `${options.seconds} s per cell, ${options.rounds} rounds, fresh connections per cell\n`);
    let ok = true;
    for (let round = 0; round < options.rounds; round++) {
      for (const [perCall, connections] of options.cells) {
        for (const target of round % 2 ? [...targets].reverse() : targets) {
          const prefix = `rbc${perCall}x${connections}-${runId}-${round}-`;
          const cell = await runRawBatchCell({ url: target.url, traffic: target.traffic, pids, prefix, perCall, connections, seconds: options.seconds, arrays: target.arrays });
          await waitForQuiet(target.client);
          const checks = [...(await verifyScenario(target.client, { prefix, expected: cell.expected, unanswered: [] })), ...(await verifyLedger(target.client))];
          const failed = checks.filter((c) => !c.ok);
          if (failed.length || cell.errors) ok = false;
          target.cells.push(cell);
          log(`round ${round + 1}, ${target.label.padEnd(16)} ${String(perCall).padStart(4)} x ${connections}: ${fmt(cell.perSecond).padStart(7)}/s, ` +
            `${fmt(cell.cpuMsPerPurchase, 3)} ms, ${fmt(cell.walBytesPerPurchase)} B, PostgreSQL ${fmt(cell.postgresCpu)} %, bench ${fmt(cell.generatorCpu)} %, other ${fmt(cell.otherCpu)} %` +
            `${cell.errors ? `, ${cell.errors} errors (${cell.errorDetail})` : ''}; checks ${failed.length ? `FAIL: ${failed.map((c) => c.name).join('; ')}` : 'OK'}`);
        }
      }
    }
    log(`\nmedians of ${options.rounds} rounds (purchases/s, PostgreSQL CPU per purchase, WAL bytes per purchase):`);
    log(`| purchases per call x connections | ${targets.map((t) => t.label).join(' | ')} |${targets.length > 1 ? ' CPU after / before |' : ''}`);
    log(`|---|${targets.map(() => '---').join('|')}|${targets.length > 1 ? '---|' : ''}`);
    for (const [perCall, connections] of options.cells) {
      const of = (t, key) => median(t.cells.filter((c) => c.perCall === perCall && c.connections === connections).map((c) => c[key]));
      const figures = targets.map((t) => `${fmt(of(t, 'perSecond'))}/s, ${fmt(of(t, 'cpuMsPerPurchase'), 3)} ms, ${fmt(of(t, 'walBytesPerPurchase'))} B`);
      const ratio = targets.length > 1 ? ` ${fmt(of(targets[1], 'cpuMsPerPurchase') / of(targets[0], 'cpuMsPerPurchase'), 2)} |` : '';
      log(`| ${perCall} x ${connections} | ${figures.join(' | ')} |${ratio}`);
    }
    log(ok ? '\nverification: all checks OK' : '\nverification: FAILED (see FAIL lines above)');
    return ok ? 0 : 1;
  } finally {
    for (const t of targets) await t.client.end().catch(() => undefined);
    for (const cleanup of cleanups) await cleanup().catch((e) => log(`clean-up: ${e?.message ?? e}`));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.log(`raw-batch: ${error?.stack ?? error}`);
      process.exit(1);
    },
  );
}
