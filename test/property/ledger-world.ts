import { Fixtures } from '../support/fixtures';
import { TestApp } from '../support/test-app';

/**
 * The fixed world the ledger properties run in, and an oracle for it written independently of src/: which
 * promotion applies (scope precedence, the retailer's local date) and how many points a sale earns.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
/** The service's clock when the file started, in microseconds; generated instants are relative to it. */
export const BASE_MICROS = BigInt(Date.now()) * 1000n;
/** The retailer promotion starts on this UTC calendar date (ten days ago), so generated sales straddle it. */
export const RETAILER_PROMO_START = new Date(Number(BASE_MICROS / 1000n) - 10 * DAY_MS).toISOString().slice(0, 10);
/** Midnight UTC of RETAILER_PROMO_START, in microseconds: sales near it test the retailer's time zone. */
export const BOUNDARY_MICROS = BigInt(Date.parse(`${RETAILER_PROMO_START}T00:00:00Z`)) * 1000n;

export interface Promo {
  id: string;
  /** Award rate in 1/10000 points per dollar. */
  scaled: bigint;
  text: string;
}

export interface World {
  t: TestApp;
  f: Fixtures;
  retailers: Array<{ id: string; token: string; timezone: string; region: string | null }>;
  customers: string[];
  products: Array<{ id: string; priceCents: number }>;
  promos: { everyone: Promo; region: Promo; retailer: Promo };
}

const RETAILERS = [
  { name: 'North Harbour', region: 'north', timezone: 'America/Los_Angeles' },
  { name: 'Ginza Corner', region: null, timezone: 'Asia/Tokyo' },
  { name: 'Kiez Kiosk', region: null, timezone: 'Europe/Berlin' },
];

/**
 * Product 0 has no promotion. Product 1: an every-retailer promotion at "100". Product 2: a region promotion
 * at "1.5" for region "north" (retailer 0) and a retailer promotion at "0.25" for retailer 0 from
 * RETAILER_PROMO_START on: the narrower scope wins there even though its rate is lower.
 */
export async function buildWorld(t: TestApp): Promise<World> {
  const f = new Fixtures(t);
  const retailers = [];
  for (const r of RETAILERS) retailers.push({ ...(await f.retailer(r)), timezone: r.timezone, region: r.region });
  const customers = [];
  for (let i = 0; i < 4; i++) customers.push(await f.customer(`Customer${i}`, 'Property'));
  const products = [];
  for (const priceCents of [499, 1999, 350]) products.push({ id: await f.product(priceCents), priceCents });
  const promo = async (input: Parameters<Fixtures['promotion']>[0]): Promise<Promo> => ({
    id: (await f.promotion(input)).id,
    scaled: scaledRate(input.awardRate),
    text: input.awardRate,
  });
  const promos = {
    everyone: await promo({ productId: products[1].id, awardRate: '100' }),
    region: await promo({ productId: products[2].id, awardRate: '1.5', region: 'north' }),
    retailer: await promo({
      productId: products[2].id,
      awardRate: '0.25',
      retailerId: retailers[0].id,
      startDate: RETAILER_PROMO_START,
    }),
  };
  return { t, f, retailers, customers, products, promos };
}

function scaledRate(text: string): bigint {
  const [whole, fraction = ''] = text.split('.');
  return BigInt(whole) * 10000n + BigInt(fraction.padEnd(4, '0'));
}

/** The calendar date on a wall clock in `timeZone` (en-CA formats as YYYY-MM-DD). */
export function localDate(epochMicros: bigint, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(Number(epochMicros / 1000n)),
  );
}

/** The promotion the business rules select for a sale; `atMicros` null means "now" (purchasedAt left out). */
export function expectedPromotion(w: World, retailer: number, product: number, atMicros: bigint | null): Promo | null {
  if (product === 1) return w.promos.everyone;
  if (product !== 2 || w.retailers[retailer].region !== 'north') return null;
  const at = atMicros ?? BigInt(Date.now()) * 1000n;
  return localDate(at, w.retailers[retailer].timezone) >= RETAILER_PROMO_START ? w.promos.retailer : w.promos.region;
}

/** floor(total x rate / 100), exactly. */
export function expectedPoints(quantity: number, unitPriceCents: number, promo: Promo | null): bigint {
  return promo ? (BigInt(quantity) * BigInt(unitPriceCents) * promo.scaled) / 1_000_000n : 0n;
}

/** RFC 3339 text of an instant at a given offset; `trim` drops trailing zero digits (and writes Z for UTC). */
export function formatInstant(epochMicros: bigint, offsetMinutes: number, trim: boolean): string {
  const seconds = epochMicros / 1_000_000n;
  const wall = new Date(Number(seconds) * 1000 + offsetMinutes * 60_000).toISOString().slice(0, 19);
  let fraction = (epochMicros % 1_000_000n).toString().padStart(6, '0');
  if (trim) fraction = fraction.replace(/0+$/, '');
  const abs = Math.abs(offsetMinutes);
  const offset =
    trim && offsetMinutes === 0
      ? 'Z'
      : `${offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${wall}${fraction ? `.${fraction}` : ''}${offset}`;
}

export interface LedgerState {
  purchases: number;
  transactions: number;
  balances: Map<string, bigint>;
}

/**
 * Reads the ledger straight from the tables and asserts what must hold at every commit, whatever happened
 * before: balanced transactions of >= 2 entries, balances that sum to zero and equal the entries, each
 * purchase's ledger transaction matching its points, and the customer query agreeing with all of that.
 */
export async function checkLedger(w: World): Promise<LedgerState> {
  const q = async (text: string, values: unknown[] = []) => (await w.t.sql.query(text, values)).rows;

  expect(
    await q(`select t.id, coalesce(sum(e.amount), 0)::text as total, count(e.id)::int as entries
               from ledger_transactions t left join ledger_entries e on e.transaction_id = t.id
              group by t.id having coalesce(sum(e.amount), 0) <> 0 or count(e.id) < 2`),
  ).toEqual([]);
  expect(await q('select coalesce(sum(balance), 0)::text as s from account_balances')).toEqual([{ s: '0' }]);
  expect(
    await q(`select a.id, b.total::text as balances, e.total::text as entries from accounts a
               left join (select account_id, sum(balance) as total from account_balances group by 1) b on b.account_id = a.id
               left join (select account_id, sum(amount) as total from ledger_entries group by 1) e on e.account_id = a.id
              where coalesce(b.total, 0) <> coalesce(e.total, 0)`),
  ).toEqual([]);
  // A purchase has a ledger transaction exactly when it earned points: liability -points, customer +points.
  expect(
    await q(`select p.id, p.points_earned::text, count(e.id)::int as entries,
                    coalesce(sum(e.amount) filter (where e.account_id = p.customer_id), 0)::text as credited
               from purchases p
               left join ledger_transactions t on t.purchase_id = p.id
               left join ledger_entries e on e.transaction_id = t.id
              group by p.id
             having (p.points_earned > 0) <> (count(t.id) > 0)
                 or (p.points_earned > 0 and (count(e.id) <> 2
                     or coalesce(sum(e.amount) filter (where e.account_id = p.customer_id), 0) <> p.points_earned))`),
  ).toEqual([]);

  const balances = new Map<string, bigint>();
  for (const c of w.customers) {
    const [row] = await q(
      `select (select coalesce(sum(balance), 0) from account_balances where account_id = $1)::text as balances,
              (select coalesce(sum(amount), 0) from ledger_entries where account_id = $1)::text as entries`,
      [c],
    );
    const viaApi = await w.f.balance(c);
    expect({ customer: c, balances: row.balances, entries: row.entries }).toEqual({
      customer: c,
      balances: viaApi.toString(),
      entries: viaApi.toString(),
    });
    balances.set(c, viaApi);
  }
  const [counts] = await q(
    'select (select count(*) from purchases)::int as purchases, (select count(*) from ledger_transactions)::int as transactions',
  );
  return { purchases: counts.purchases, transactions: counts.transactions, balances };
}

/** The instant an RFC 3339 text names, in microseconds since the epoch (digits past the sixth are dropped). */
export function parseInstant(text: string): bigint {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/i.exec(text);
  if (!match) throw new Error(`not an RFC 3339 instant: ${text}`);
  const seconds = BigInt(Date.parse(`${match[1]}${match[3]}`)) / 1000n;
  return seconds * 1_000_000n + BigInt((match[2] ?? '').padEnd(6, '0').slice(0, 6));
}
