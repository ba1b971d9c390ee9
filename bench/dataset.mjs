// The data set, loaded with SQL: customers (their accounts are opened by the database's trigger), retailers with
// known POS tokens, products with and without a promotion current today.
import { createHash, randomBytes } from 'node:crypto';

export const LIABILITY_ACCOUNT_ID = '00000000-0000-0000-0000-00000000a001';
export const CUSTOMERS = 100_000;

const RETAILERS = [
  ['Northwind Boston', 'northeast', 'America/New_York'],
  ['Northwind Albany', 'northeast', 'America/New_York'],
  ['Northwind Montreal', 'northeast', 'America/Toronto'],
  ['Prairie Chicago', 'midwest', 'America/Chicago'],
  ['Prairie Denver', 'midwest', 'America/Denver'],
  ['Pacific Seattle', 'west', 'America/Los_Angeles'],
  ['Pacific Honolulu', 'west', 'Pacific/Honolulu'],
  ['Harbor Lisbon', 'europe', 'Europe/Lisbon'],
  ['Harbor Berlin', 'europe', 'Europe/Berlin'],
  ['Online store', null, 'UTC'],
];
// [name, price in cents, award rate or null]: every promoted purchase earns at least one point.
const PRODUCTS = [
  ['Coffee beans 1 kg', 1999, '100'],
  ['Sandwich', 450, '1.5'],
  ['Headphones', 12000, '2.25'],
  ['Notebook', 350, '10'],
  ['Gift card', 2500, null],
  ['Bottle deposit', 25, null],
];

/** Exact points: floor(total x rate / 100), the rate read as a decimal with up to 4 places. */
export function pointsFor(totalCents, rate) {
  if (rate === null) return 0n;
  const [whole, fraction = ''] = rate.split('.');
  return (BigInt(totalCents) * BigInt(whole + fraction.padEnd(4, '0'))) / 1_000_000n;
}

export async function loadDataset(client, { customers = CUSTOMERS } = {}) {
  await client.query(
    `insert into customers (first_name, last_name)
     select 'Bench', 'Customer ' || g from generate_series(1, $1::int) g`,
    [customers],
  );

  const tokens = RETAILERS.map(() => `pos_${randomBytes(32).toString('base64url')}`);
  const { rows: retailerRows } = await client.query(
    `insert into retailers (name, region, timezone, token_hash)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::bytea[])
     returning id, name, region, timezone`,
    [
      RETAILERS.map((r) => r[0]),
      RETAILERS.map((r) => r[1]),
      RETAILERS.map((r) => r[2]),
      tokens.map((t) => createHash('sha256').update(t, 'utf8').digest()),
    ],
  );
  const retailers = retailerRows.map((r) => ({ ...r, token: tokens[RETAILERS.findIndex((x) => x[0] === r.name)] }));

  const { rows: productRows } = await client.query(
    `insert into products (name, price_cents) select * from unnest($1::text[], $2::int[]) returning id, name, price_cents`,
    [PRODUCTS.map((p) => p[0]), PRODUCTS.map((p) => p[1])],
  );
  const products = productRows.map((r) => {
    const rate = PRODUCTS.find((p) => p[0] === r.name)[2];
    return { id: r.id, priceCents: r.price_cents, rate, promotionId: null };
  });

  // One every-retailer series per promoted product, current today in every time zone (version 0: id = series).
  const promoted = products.filter((p) => p.rate !== null);
  const { rows: promotionRows } = await client.query(
    `insert into promotions (id, series_id, version, product_id, start_date, end_date, award_rate)
     select u.id, u.id, 0, u.product_id, current_date - 7, current_date + 30, u.rate
       from (select gen_random_uuid() as id, product_id, rate
               from unnest($1::uuid[], $2::numeric[]) as x(product_id, rate)) u
     returning id, product_id`,
    [promoted.map((p) => p.id), promoted.map((p) => p.rate)],
  );
  for (const row of promotionRows) products.find((p) => p.id === row.product_id).promotionId = row.id;

  const { rows: customerRows } = await client.query('select id from customers order by id');
  await client.query('analyze customers, accounts, retailers, products, promotions');
  return {
    customers: customerRows.map((r) => r.id),
    retailers,
    promoted,
    plain: products.filter((p) => p.rate === null),
  };
}
