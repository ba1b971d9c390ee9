// The auditors' benchmark data: N past purchases with their ledger transactions and balanced entries, loaded in
// SQL. Each statement inserts complete purchases (purchase, ledger transaction, two entries), so the ledger's
// triggers accept every statement. Two connections load in parallel, each on its own half of the customers, so
// that they never wait on each other's balance rows.
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadInBatches } from './database.mjs';
import { LIABILITY_ACCOUNT_ID as LIABILITY_ID } from './dataset.mjs';

const LIABILITY_CODE = 'program:liability';
const BATCH = 100_000;
const WORKERS = 2;
const HISTORY_DAYS = 30;

/**
 * Customers 0 and 1 are "hot": each gets 1 purchase in 20 (5%). The other customers share the rest evenly, so
 * with 8,000 customers and 1,000,000 purchases each has ~112 entries: a full page of 100 and more.
 */
export async function loadPurchases({ url, purchases, customers, log }) {
  const admin = new pg.Client({ connectionString: url, application_name: 'loyalty-bench-audit' });
  await admin.connect();
  try {
    const ids = (
      await admin.query(
        `insert into customers (first_name, last_name)
         select 'Audit', 'Customer ' || g from generate_series(0, $1::int - 1) g returning id`,
        [customers],
      )
    ).rows.map((r) => r.id);
    const retailerId = (
      await admin.query(`insert into retailers (name, timezone, token_hash) values ('Audit bench', 'UTC', $1) returning id`, [
        createHash('sha256').update(randomBytes(32)).digest(),
      ])
    ).rows[0].id;
    const productId = (await admin.query(`insert into products (name, price_cents) values ('Lager', 1000) returning id`)).rows[0].id;
    const promotionId = (
      await admin.query(
        `with s as (select gen_random_uuid() as id)
         insert into promotions (id, series_id, version, product_id, start_date, end_date, award_rate)
         select id, id, 0, $1, '2000-01-01', '2999-12-31', 1 from s returning id`,
        [productId],
      )
    ).rows[0].id;

    // Recorded over the last HISTORY_DAYS in purchase order, so that recorded_at and entry ids grow together as
    // they do in production; the sale happened up to a minute before it was recorded.
    const statement = `
      with src as (
        select g, gen_random_uuid() as purchase_id, gen_random_uuid() as tx_id,
               ($4::uuid[])[1 + case when g % 20 = 0 then $3::int
                                     else 2 + 2 * ((g * 7919) % $5::int) + $3::int end] as customer_id,
               (1 + g % 3)::int as quantity,
               $6::timestamptz - ($7::bigint - g) * ($8::float8 * interval '1 second') as recorded_at
          from generate_series($1::bigint, $2::bigint) g
      ), p as (
        insert into purchases (id, retailer_id, transaction_id, customer_id, product_id, quantity, unit_price_cents,
                               total_price_cents, promotion_id, award_rate, points_earned, purchased_at, recorded_at,
                               payload_hash)
        select purchase_id, $9::uuid, 'audit-' || g, customer_id, $10::uuid, quantity, 1000, quantity * 1000,
               $11::uuid, 1, quantity * 10, recorded_at - (g % 60) * interval '1 second', recorded_at,
               sha256(convert_to('audit-' || g, 'UTF8'))
          from src
      ), t as (
        insert into ledger_transactions (id, key, kind, purchase_id, effective_at, recorded_at)
        select tx_id, 'purchase:' || purchase_id, 'purchase', purchase_id, recorded_at - (g % 60) * interval '1 second',
               recorded_at
          from src
      )
      insert into ledger_entries (transaction_id, account_id, amount)
      select s.tx_id, x.account_id, x.amount
        from src s cross join lateral (values ('${LIABILITY_ID}'::uuid, -10 * s.quantity), (s.customer_id, 10 * s.quantity))
             as x(account_id, amount)
       order by s.g, x.amount`;

    const now = (await admin.query('select now() as now')).rows[0].now;
    const spacingSeconds = (HISTORY_DAYS * 86_400) / purchases;
    const perWorker = Math.floor((customers - 2) / WORKERS);
    const started = Date.now();
    await loadInBatches({
      url,
      applicationName: 'loyalty-bench-audit',
      total: purchases,
      batchSize: BATCH,
      workers: WORKERS,
      timeout: '900s',
      load: (client, from, to, w) =>
        client.query(statement, [from, to, w, ids, perWorker, now, purchases, spacingSeconds, retailerId, productId, promotionId]),
      onBatch: (done) =>
        log(`  loaded ${done.toLocaleString('en-US')} purchases (${Math.round((Date.now() - started) / 1000)} s)`),
    });
    log('  vacuum analyze');
    await admin.query('vacuum analyze purchases, ledger_transactions, ledger_entries, account_balances, accounts');
    const { rows } = await admin.query(
      `select a.code, count(e.id)::int as entries
         from accounts a left join ledger_entries e on e.account_id = a.id
        where a.id = any($1::uuid[]) group by a.code`,
      [[LIABILITY_ID, ids[0], ids[2]]],
    );
    const entries = Object.fromEntries(rows.map((r) => [r.code, r.entries]));
    return {
      seconds: (Date.now() - started) / 1000,
      accounts: [
        { label: 'liability', code: LIABILITY_CODE, entries: entries[LIABILITY_CODE] },
        { label: 'hot customer', code: `customer:${ids[0]}`, entries: entries[`customer:${ids[0]}`] },
        { label: 'customer', code: `customer:${ids[2]}`, entries: entries[`customer:${ids[2]}`] },
      ],
    };
  } finally {
    await admin.end();
  }
}
