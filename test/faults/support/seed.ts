import { createHash, randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** What the POS clients of a fault test use: one retailer and its token, customers, one promoted product. */
export interface FaultDataset {
  posToken: string;
  retailerId: string;
  customerIds: string[];
  productId: string;
  /** Points per dollar of the product's every-retailer promotion. */
  awardRate: string;
}

/**
 * Loads the data set with SQL as the schema owner, the way bench/dataset.mjs does: a POS token is stored as the
 * sha256 digest of its text, customers get their points account from the database's trigger.
 */
export async function seedDataset(ownerUrl: string, customers = 20): Promise<FaultDataset> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const posToken = `pos_${randomBytes(32).toString('base64url')}`;
    const tokenHash = createHash('sha256').update(posToken, 'utf8').digest();
    const retailer = await client.query<{ id: string }>(
      `insert into retailers (name, region, timezone, token_hash) values ('Fault Store', null, 'UTC', $1) returning id`,
      [tokenHash],
    );
    const customerRows = await client.query<{ id: string }>(
      `insert into customers (first_name, last_name) select 'Fault', 'Customer ' || g from generate_series(1, $1::int) g returning id`,
      [customers],
    );
    const product = await client.query<{ id: string }>(`insert into products (name, price_cents) values ('Fault Coffee', 1000) returning id`);
    const awardRate = '1.5';
    await client.query(
      `insert into promotions (id, series_id, version, product_id, start_date, end_date, award_rate)
       select id, id, 0, $1, current_date - 7, current_date + 30, $2 from (select gen_random_uuid() as id) g`,
      [product.rows[0].id, awardRate],
    );
    return {
      posToken,
      retailerId: retailer.rows[0].id,
      customerIds: customerRows.rows.map((r) => r.id),
      productId: product.rows[0].id,
      awardRate,
    };
  } finally {
    await client.end();
  }
}
