// How the raw baseline calls the migrations' purchase function, whichever of its shapes is in place: the
// single-purchase record_purchase(p_id, ...) or the batch record_purchases(p_ids[], ...), read from the catalog
// by argument name, so that an added argument shows up as a clear error here rather than a wrong call.
import { createRequire } from 'node:module';
import { LIABILITY_ACCOUNT_ID } from './dataset.mjs';

const require = createRequire(import.meta.url);
// Loaded on first use: only the batched path needs the build (dist/) for it.
let binaryArrays;
const encoder = () => (binaryArrays ??= require('../dist/database/binary-array.js'));

// Argument name without its p_ prefix -> the purchase field it carries. Batch functions use plural names.
const FIELDS = {
  id: 'id', ids: 'id',
  retailer_id: 'retailerId', retailer_ids: 'retailerId',
  transaction_id: 'transactionId', transaction_ids: 'transactionId',
  customer_id: 'customerId', customer_ids: 'customerId',
  product_id: 'productId', product_ids: 'productId',
  quantity: 'quantity', quantities: 'quantity',
  unit_price_cents: 'unitPriceCents', unit_prices: 'unitPriceCents',
  purchased_at: 'purchasedAt', purchased_ats: 'purchasedAt',
  payload_hash: 'payloadHash', payload_hashes: 'payloadHash',
  promotion_id: 'promotionId', promotion_ids: 'promotionId',
  award_rate: 'awardRate', award_rates: 'awardRate',
  points: 'points',
  ledger_key: 'ledgerKey', ledger_keys: 'ledgerKey',
  catalog_seq: 'catalogSeq', catalog_seqs: 'catalogSeq',
  // Postings are arrays in both shapes; items number the purchase (1) that each posting belongs to.
  posting_items: 'postingItems',
  posting_accounts: 'postingAccounts',
  posting_amounts: 'postingAmounts',
};
const POSTING_FIELDS = new Set(['postingItems', 'postingAccounts', 'postingAmounts']);

export async function purchaseCall(client) {
  const { rows } = await client.query(
    `select p.proname as name, p.proargnames as names,
            array(select format_type(t, null) from unnest(p.proargtypes) t) as types
       from pg_proc p
      where p.proname in ('record_purchases', 'record_purchase') and p.pronamespace = 'public'::regnamespace
      order by p.proname desc`,
  );
  if (rows.length === 0) throw new Error('the migrations define no record_purchase(s) function');
  const fn = rows[0];
  const batch = fn.name === 'record_purchases';
  const args = fn.types.map((type, i) => {
    const argName = fn.names[i];
    const field = FIELDS[argName.replace(/^p_/, '')];
    if (!field) throw new Error(`the raw baseline does not know argument ${argName} of ${fn.name}(): add it to bench/purchase-call.mjs`);
    return { field, type, wrap: batch && !POSTING_FIELDS.has(field) };
  });
  return {
    name: batch ? `${fn.name}, one purchase per call` : fn.name,
    // For callers that build whole batches (bench/raw-batch.mjs): the function's shape and argument fields.
    batch,
    args,
    text: `select * from ${fn.name}(${args.map((a, i) => `$${i + 1}::${a.type}`).join(', ')})`,
    values: (purchase) => args.map((a) => (a.wrap ? [purchase[a.field]] : purchase[a.field])),
  };
}

/**
 * The arguments of one batch call for `purchases` (purchaseFields objects): every per-purchase array, the
 * postings numbered by item. With `arrays` 'binary', each array whose type the service sends in binary (uuid,
 * bytea, integer, bigint, text) is encoded by the service's own encoder, as the service does; the others
 * (timestamptz, numeric), and every array with 'text', go as node-postgres's text arrays.
 */
export function batchValues(args, purchases, arrays = 'binary') {
  return args.map((a) => {
    let values;
    if (a.field === 'postingItems') values = purchases.flatMap((p, i) => p.postingItems.map(() => i + 1));
    else if (a.field === 'postingAccounts' || a.field === 'postingAmounts') values = purchases.flatMap((p) => p[a.field]);
    else values = purchases.map((p) => p[a.field]);
    const kind = arrays === 'binary' ? encoder().arrayKindOfType(a.type) : null;
    return kind ? encoder().binaryArray(kind, values) : values;
  });
}

/** The fields the service would pass for this purchase (see the service's repository). */
export function purchaseFields(p, { id, transactionId, payloadHash, catalogSeq }) {
  const points = p.points;
  return {
    id,
    retailerId: p.retailer.id,
    transactionId,
    customerId: p.customerId,
    productId: p.product.id,
    quantity: p.quantity,
    unitPriceCents: p.product.priceCents,
    purchasedAt: new Date().toISOString(),
    payloadHash,
    promotionId: p.product.promotionId,
    awardRate: p.product.rate,
    points: points.toString(),
    ledgerKey: `purchase:${id}`,
    catalogSeq: String(catalogSeq),
    postingItems: points > 0n ? [1, 1] : [],
    postingAccounts: points > 0n ? [LIABILITY_ACCOUNT_ID, p.customerId] : [],
    postingAmounts: points > 0n ? [(-points).toString(), points.toString()] : [],
  };
}
