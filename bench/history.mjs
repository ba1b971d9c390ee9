// `--large`: ledger history loaded with SQL before scenario a runs again. Each statement inserts complete
// purchases with their ledger transactions and balanced entries (the ledger's triggers check every statement),
// at a retailer of its own so that no key collides with the scenarios'. Two connections load in parallel, each
// on its own half of the customers, so that they never wait on each other's balance rows.
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadInBatches } from './database.mjs';
import { LIABILITY_ACCOUNT_ID } from './dataset.mjs';

export const HISTORY_PURCHASES = 5_000_000;
const BATCH = 50_000;
const WORKERS = 2;

// purchases column -> its value in the batch statement below. A required column that is not listed here stops the
// load with a message (the schema moved on); an optional one keeps its default.
const PURCHASE_VALUES = {
  id: 'purchase_id',
  retailer_id: '$8::uuid',
  transaction_id: "'history-' || g",
  customer_id: 'customer_id',
  product_id: '$9::uuid',
  quantity: 'quantity',
  unit_price_cents: '$5::int',
  total_price_cents: 'quantity * $5::bigint',
  promotion_id: '$6::uuid',
  award_rate: '$7::numeric',
  points_earned: 'points',
  purchased_at: 'purchased_at',
  payload_hash: "sha256(convert_to('history-' || g, 'UTF8'))",
  promotion_catalog_seq: '$10::bigint',
};

async function purchaseColumns(client) {
  const { rows } = await client.query(
    `select column_name as name, is_nullable = 'NO' and column_default is null and is_identity = 'NO' as required
       from information_schema.columns where table_schema = 'public' and table_name = 'purchases'`,
  );
  const unknown = rows.filter((c) => c.required && !(c.name in PURCHASE_VALUES)).map((c) => c.name);
  if (unknown.length) throw new Error(`--large: bench/history.mjs does not know purchases.${unknown.join(', ')}`);
  return rows.map((c) => c.name).filter((name) => name in PURCHASE_VALUES);
}

function insertBatch(columns) {
  return `
  with c as (
    select id, (row_number() over (order by id) - 1)::int as n from customers
  ), src as (
    select gen_random_uuid() as purchase_id, gen_random_uuid() as tx_id, g, c.id as customer_id,
           (1 + g % 3)::int as quantity,
           floor((1 + g % 3) * $5::bigint * $7::numeric / 100)::bigint as points,
           now() - (g % 2500000) * interval '1 second' as purchased_at
      from generate_series($1::bigint, $2::bigint) g
      join c on c.n = (g % $3::int) * ${WORKERS} + $4::int
  ), p as (
    insert into purchases (${columns.join(', ')})
    select ${columns.map((c) => PURCHASE_VALUES[c]).join(', ')} from src
  ), t as (
    insert into ledger_transactions (id, key, kind, purchase_id, effective_at)
    select tx_id, 'purchase:' || purchase_id, 'purchase', purchase_id, purchased_at from src
  )
  insert into ledger_entries (transaction_id, account_id, amount)
  select s.tx_id, x.account_id, x.amount
    from src s cross join lateral (values ('${LIABILITY_ACCOUNT_ID}'::uuid, -s.points), (s.customer_id, s.points))
         as x(account_id, amount)`;
}

export async function loadHistory({ url, dataset, purchases = HISTORY_PURCHASES, log }) {
  const admin = new pg.Client({ connectionString: url, application_name: 'loyalty-bench-history' });
  await admin.connect();
  try {
    const token = randomBytes(32).toString('base64url');
    const { rows } = await admin.query(
      `insert into retailers (name, region, timezone, token_hash) values ('History loader', null, 'UTC', $1) returning id`,
      [createHash('sha256').update(token).digest()],
    );
    const retailerId = rows[0].id;
    const product = dataset.promoted[0];
    const perWorker = Math.floor(dataset.customers.length / WORKERS);
    const statement = insertBatch(await purchaseColumns(admin));
    const catalogSeq = (await admin.query('select coalesce(max(seq), 0)::text as seq from promotions')).rows[0].seq;
    const started = Date.now();
    const done = await loadInBatches({
      url,
      applicationName: 'loyalty-bench-history',
      total: purchases,
      batchSize: BATCH,
      workers: WORKERS,
      timeout: '600s',
      load: (client, from, to, w) =>
        client.query(statement, [
          from, to, perWorker, w, product.priceCents, product.promotionId, product.rate, retailerId, product.id,
          catalogSeq,
        ]),
      onBatch: (done, b) => {
        if ((b + 1) % 10 === 0) log(`  history: ${done.toLocaleString('en-US')} purchases (${Math.round((Date.now() - started) / 1000)} s)`);
      },
    });
    log('  history: vacuum analyze and checkpoint');
    await admin.query('vacuum analyze purchases, ledger_transactions, ledger_entries, account_balances');
    await admin.query('checkpoint').catch(() => undefined);
    const count = await admin.query('select count(*)::bigint as n from ledger_entries');
    return { purchases: done, entries: Number(count.rows[0].n), seconds: (Date.now() - started) / 1000 };
  } finally {
    await admin.end();
  }
}
