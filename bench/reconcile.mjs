#!/usr/bin/env node
// `npm run bench:reconcile -- [--purchases N] [--quick] [--added N] [--keep]`: how long `npm run reconcile` takes.
// Loads N purchases (with their ledger transactions and entries, through the real guards) into a fresh database,
// times a full run of the production build's CLI, adds 10,000 purchases and times the incremental run after it.
// Targets (docs/reconciliation.md): full over 1,000,000 purchases under 30 s; incremental after 10,000 under 2 s.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { machineBusy } from './cpu.mjs';
import { provisionDatabase } from './database.mjs';

const USAGE = `usage: npm run bench:reconcile -- [--purchases N] [--quick] [--added N] [--keep]
  --purchases N  purchases loaded before the full run (default 1,000,000)
  --quick        100,000 purchases
  --added N      purchases added before the incremental run (default 10,000)
  --keep         keep the bench database (on DATABASE_URL's server)
Without DATABASE_URL an embedded PostgreSQL is started in a temporary folder and removed at the end.`;
const TARGETS = { full: 30, incremental: 2 };
const BATCH = 100_000;
const LIABILITY = '00000000-0000-0000-0000-00000000a001';
const CLI = fileURLToPath(new URL('../dist/cli/reconcile.js', import.meta.url));

const log = (line) => console.log(line);
const fmt = (n) => n.toLocaleString('en-US');

function parseOptions(argv) {
  const options = { purchases: 1_000_000, added: 10_000, keep: false };
  const number = (name, value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 100_000_000) throw new Error(`${name} needs a whole number from 1 to 100000000`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') options.purchases = 100_000;
    else if (arg === '--purchases') options.purchases = number(arg, argv[++i]);
    else if (arg === '--added') options.added = number(arg, argv[++i]);
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--help' || arg === '-h') return { help: USAGE };
    else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  return options;
}

const TIME_ZONES = ['America/Los_Angeles', 'America/Chicago', 'Europe/Berlin', 'Asia/Tokyo', 'UTC', 'Australia/Sydney'];
const REGIONS = ['north', 'south', null];
const RETAILERS = 24;
const PRODUCTS = 10;

/**
 * Reference data, and which promotion the rules select for each (product, retailer), written down by hand so
 * that the loaded purchases are what the service would have recorded: a revised series (only its latest
 * version applies), a region promotion that beats an everyone promotion, a retailer promotion that beats both,
 * plain everyone promotions, and products without any (0 points, no ledger transaction).
 */
async function loadReferenceData(db, customers) {
  await db.query(`insert into retailers (name, region, timezone, token_hash)
    select 'Bench retailer ' || i, ($1::text[])[1 + i % 3], ($2::text[])[1 + i % ${TIME_ZONES.length}],
           sha256(('bench-retailer-' || i)::bytea)
      from generate_series(0, ${RETAILERS - 1}) i`, [REGIONS, TIME_ZONES]);
  await db.query(`create temp table bench_retailers as
    select (row_number() over (order by name) - 1)::int as idx, id, region from retailers`);
  await db.query(`insert into products (name, price_cents) select 'Bench product ' || i, 199 + i * 350
    from generate_series(0, ${PRODUCTS - 1}) i`);
  await db.query(`create temp table bench_products as
    select (row_number() over (order by name) - 1)::int as idx, id, price_cents from products`);
  await db.query(`insert into customers (first_name, last_name) select 'Bench', 'Customer ' || i
    from generate_series(1, $1::int) i`, [customers]);
  await db.query(`create temp table bench_customers as
    select (row_number() over (order by id) - 1)::int as idx, id from customers`);
  await db.query('alter table bench_customers add primary key (idx)');

  const product = async (idx) => (await db.query('select id from bench_products where idx = $1', [idx])).rows[0].id;
  const retailer0 = (await db.query('select id from bench_retailers where idx = 0')).rows[0].id;
  const promotion = async (productIdx, rate, scope = {}) =>
    (await db.query(`insert into promotions (id, series_id, version, product_id, retailer_id, region, start_date, end_date, award_rate)
       select id, id, 0, $1, $2, $3, '2000-01-01', '2999-12-31', $4 from (select gen_random_uuid() as id) x returning id`,
      [await product(productIdx), scope.retailerId ?? null, scope.region ?? null, rate])).rows[0].id;
  const revised = await promotion(0, '100');
  const latest = (await db.query(`insert into promotions (series_id, version, product_id, start_date, end_date, award_rate)
     select series_id, 1, product_id, start_date, end_date, 150 from promotions where id = $1 returning id`, [revised])).rows[0].id;
  const everyone1 = await promotion(1, '1.5');
  const north1 = await promotion(1, '2', { region: 'north' });
  const everyone2 = await promotion(2, '1');
  const retailer2 = await promotion(2, '3', { retailerId: retailer0 });
  const plain = [];
  for (const [idx, rate] of [[3, '0.25'], [4, '10'], [5, '5.5'], [6, '42'], [7, '7']]) plain.push([idx, await promotion(idx, rate)]);

  // The rules' choice per (product, retailer); products 8 and 9 have none.
  await db.query('create temp table bench_choice (product_idx int, retailer_idx int, promotion_id uuid, primary key (product_idx, retailer_idx))');
  const retailers = (await db.query('select idx, region from bench_retailers')).rows;
  for (const r of retailers) {
    const choices = [[0, latest], [1, r.region === 'north' ? north1 : everyone1], [2, r.idx === 0 ? retailer2 : everyone2], ...plain];
    for (const [productIdx, promotionId] of choices) {
      await db.query('insert into bench_choice values ($1, $2, $3)', [productIdx, r.idx, promotionId]);
    }
  }
  return (await db.query('select max(seq)::text as seq from promotions')).rows[0].seq;
}

/** Purchases `from`..`to` (inclusive), each with its ledger transaction and two entries, in one statement. */
async function loadPurchases(db, from, to, customers, catalogSeq) {
  await db.query(`with src as materialized (
      select g, gen_random_uuid() as pid, gen_random_uuid() as tid, r.id as retailer_id, c.id as customer_id,
             p.id as product_id, 1 + (g % 5)::int as quantity, p.price_cents, ch.promotion_id, pr.award_rate,
             coalesce(div((1 + g % 5) * p.price_cents * pr.award_rate, 100), 0)::bigint as points,
             now() - make_interval(secs => (g * 7) % 2592000) as purchased_at
        from generate_series($1::bigint, $2::bigint) g
        join bench_retailers r on r.idx = g % ${RETAILERS}
        join bench_customers c on c.idx = (g * 7919) % $3::int
        join bench_products p on p.idx = (g / 3) % ${PRODUCTS}
        left join bench_choice ch on ch.product_idx = p.idx and ch.retailer_idx = r.idx
        left join promotions pr on pr.id = ch.promotion_id
    ), purchased as (
      insert into purchases (id, retailer_id, transaction_id, customer_id, product_id, quantity, unit_price_cents,
                             total_price_cents, promotion_id, award_rate, points_earned, purchased_at, payload_hash,
                             promotion_catalog_seq)
      select pid, retailer_id, 'bench-' || g, customer_id, product_id, quantity, price_cents,
             quantity::bigint * price_cents, promotion_id, award_rate, points, purchased_at,
             sha256(('bench-' || g)::bytea), $4::bigint
        from src
    ), transactions as (
      insert into ledger_transactions (id, key, kind, purchase_id, effective_at)
      select tid, 'purchase:' || pid, 'purchase', pid, purchased_at from src where points > 0
    )
    insert into ledger_entries (transaction_id, account_id, amount)
    select tid, '${LIABILITY}'::uuid, -points from src where points > 0
    union all
    select tid, customer_id, points from src where points > 0`, [from, to, customers, catalogSeq]);
}

/** The production build's CLI, as an operator or a CronJob runs it; its JSON report and the wall time. */
async function runCli(url, args) {
  const busy = await machineBusy(1000);
  if (busy !== null && busy > 30) log(`warning: ${busy.toFixed(0)}% of a core was busy before the run: other work skews the figure`);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, '--json', ...args], {
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      try {
        resolve({ code, seconds, report: JSON.parse(out) });
      } catch {
        reject(new Error(`reconcile exited ${code} without a JSON report: ${out}`));
      }
    });
  });
}

function describe(label, run, target) {
  const r = run.report;
  const own = (Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000;
  const verdict = run.seconds < target ? 'within' : 'OVER';
  log(`${label}: ${run.seconds.toFixed(2)} s wall (process start to exit), ${own.toFixed(2)} s in the run itself; ` +
    `target ${target} s: ${verdict}`);
  log(`  status ${r.status}, mode ${r.mode}, read ${fmt(Number(r.counts.purchases))} purchases, ` +
    `${fmt(Number(r.counts.ledgerTransactions))} ledger transactions, ${fmt(Number(r.counts.accounts))} accounts, exit ${run.code}`);
  return r.status === 'clean' && run.code === 0;
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) return log(options.help), 0;
  const db = await provisionDatabase({ keep: options.keep, log });
  const client = new pg.Client({ connectionString: db.url, application_name: 'loyalty-bench' });
  try {
    await client.connect();
    log(`PostgreSQL ${db.server.version}, shared_buffers ${db.server.shared_buffers}; database ${db.name}`);
    const customers = Math.max(1000, Math.min(100_000, Math.floor(options.purchases / 10)));
    let started = performance.now();
    const catalogSeq = await loadReferenceData(client, customers);
    for (let from = 1; from <= options.purchases; from += BATCH) {
      await loadPurchases(client, from, Math.min(from + BATCH - 1, options.purchases), customers, catalogSeq);
      process.stdout.write(`\rloaded ${fmt(Math.min(from + BATCH - 1, options.purchases))} purchases`);
    }
    // What autovacuum would have done by the night after such a load: statistics and the visibility map.
    await client.query('vacuum analyze');
    const { rows } = await client.query(`select (select count(*) from purchases)::int as purchases,
      (select count(*) from ledger_transactions)::int as transactions, (select count(*) from ledger_entries)::int as entries,
      pg_size_pretty(pg_database_size(current_database())) as size`);
    log(`\n${fmt(rows[0].purchases)} purchases, ${fmt(rows[0].transactions)} ledger transactions, ` +
      `${fmt(rows[0].entries)} entries, ${fmt(customers)} customers, ${rows[0].size} (${((performance.now() - started) / 1000).toFixed(0)} s to load)`);

    const full = await runCli(db.url, ['--full']);
    const fullOk = describe(`full run over ${fmt(options.purchases)} purchases`, full, TARGETS.full);

    started = performance.now();
    await loadPurchases(client, options.purchases + 1, options.purchases + options.added, customers, catalogSeq);
    log(`added ${fmt(options.added)} purchases (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    const incremental = await runCli(db.url, []);
    const incrementalOk = describe(`incremental run after ${fmt(options.added)} new purchases`, incremental, TARGETS.incremental);
    if (incremental.report.mode !== 'incremental') log('  expected an incremental run after a clean full run');
    return fullOk && incrementalOk && incremental.report.mode === 'incremental' ? 0 : 1;
  } finally {
    await client.end().catch(() => undefined);
    await db.drop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    log(`bench:reconcile: ${error?.stack ?? error}`);
    process.exit(1);
  },
);
