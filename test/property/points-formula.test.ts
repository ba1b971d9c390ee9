import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { DatabaseError, PoolClient } from 'pg';
import { Fixtures, recordPurchase } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The purchases_points_formula CHECK, on the database alone: for any quantity, unit price and award rate the
 * column allows, it accepts exactly floor(total x rate / 100) points and refuses one point more (and one less).
 */

const MAX_SCALED = 10n ** 12n - 1n; // numeric(12, 4)
const MILLION = 1_000_000n;

interface Case {
  quantity: number;
  unitPriceCents: number;
  /** Award rate in 1/10000 points per dollar; null: no promotion (then the rate is null and points must be 0). */
  scaled: bigint | null;
}

/** x such that a * x = 1 (mod m), for a coprime to m. */
function inverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [a % m, m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1, s0, s1] = [r1, r0 - q * r1, s1, s0 - q * s1];
  }
  return ((s0 % m) + m) % m;
}

const coprimeTo10 = (max: number) => fc.integer({ min: 1, max }).filter((n) => n % 2 !== 0 && n % 5 !== 0);

const caseArb: fc.Arbitrary<Case> = fc.oneof(
  // Anything the columns allow.
  fc.record({
    quantity: fc.integer({ min: 1, max: 10_000 }),
    unitPriceCents: fc.integer({ min: 0, max: 10_000_000 }),
    scaled: fc.option(fc.bigInt(0n, MAX_SCALED), { nil: null, freq: 8 }),
  }),
  // Everyday sales: a few items, modest prices, rates such as 1.5 or 0.25.
  fc.record({
    quantity: fc.integer({ min: 1, max: 20 }),
    unitPriceCents: fc.integer({ min: 0, max: 100_000 }),
    scaled: fc.bigInt(0n, 10_000_000n),
  }),
  // total x rate / 100 just below a whole number (fraction .99xxxx): the inputs where a floor goes wrong if
  // anything rounds on the way. The total is coprime to 10, so a rate exists for any last six digits.
  fc
    .record({
      quantity: coprimeTo10(10_000),
      unitPriceCents: coprimeTo10(10_000_000),
      shortfall: fc.bigInt(1n, 10_000n),
      multiple: fc.bigInt(0n, MAX_SCALED / MILLION - 1n),
    })
    .map(({ quantity, unitPriceCents, shortfall, multiple }) => {
      const total = BigInt(quantity) * BigInt(unitPriceCents);
      const residue = (((MILLION - shortfall) * inverse(total % MILLION, MILLION)) % MILLION) as bigint;
      return { quantity, unitPriceCents, scaled: residue + multiple * MILLION };
    }),
);

function rateText(scaled: bigint): string {
  return `${scaled / 10000n}.${(scaled % 10000n).toString().padStart(4, '0')}`;
}

describe('the points formula CHECK on purchases', () => {
  let t: TestApp;
  let f: Fixtures;
  let retailer: { id: string; token: string };
  let customerId: string;
  let productId: string;
  let promotionId: string;

  // Each test a database of its own: the first counts every purchase, the second records one.
  beforeEach(async () => {
    t = await startTestApp();
    f = new Fixtures(t);
    retailer = await f.retailer();
    customerId = await f.customer();
    productId = await f.product(1000);
    promotionId = (await f.promotion({ productId, awardRate: '1' })).id;
  });
  afterEach(() => t?.close());

  /** 'accepted', or the name of the constraint that refused the row (the row is never kept). */
  async function tryInsert(client: PoolClient, c: Case, points: bigint): Promise<string> {
    await client.query('savepoint attempt');
    try {
      await client.query(
        `insert into purchases (retailer_id, transaction_id, customer_id, product_id, quantity, unit_price_cents,
                                total_price_cents, promotion_id, award_rate, points_earned, purchased_at, payload_hash)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9::numeric, $10, now(), $11)`,
        [
          retailer.id,
          `formula-${randomBytes(8).toString('hex')}`,
          customerId,
          productId,
          c.quantity,
          c.unitPriceCents,
          (BigInt(c.quantity) * BigInt(c.unitPriceCents)).toString(),
          c.scaled === null ? null : promotionId,
          c.scaled === null ? null : rateText(c.scaled),
          points.toString(),
          randomBytes(32),
        ],
      );
      return 'accepted';
    } catch (error) {
      if (error instanceof DatabaseError && error.code === '23514') return error.constraint ?? 'check_violation';
      throw error;
    } finally {
      await client.query('rollback to savepoint attempt');
    }
  }

  it('accepts exactly floor(total x rate / 100) points and refuses one more or one less', async () => {
    const client = await t.sql.connect();
    try {
      await client.query('begin');
      await fc.assert(
        fc.asyncProperty(caseArb, async (c) => {
          const exact = c.scaled === null ? 0n : (BigInt(c.quantity) * BigInt(c.unitPriceCents) * c.scaled) / (100n * 10000n);
          const outcome = {
            exact: await tryInsert(client, c, exact),
            oneMore: await tryInsert(client, c, exact + 1n),
            oneLess: exact > 0n ? await tryInsert(client, c, exact - 1n) : 'purchases_points_formula',
          };
          const rate = c.scaled === null ? null : rateText(c.scaled);
          expect({ rate, points: exact.toString(), outcome }).toEqual({
            rate,
            points: exact.toString(),
            outcome: { exact: 'accepted', oneMore: 'purchases_points_formula', oneLess: 'purchases_points_formula' },
          });
        }),
        { numRuns: 300 },
      );
    } finally {
      await client.query('rollback');
      client.release();
    }
    const { rows } = await t.sql.query('select count(*)::int as n from purchases');
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('records through the API a purchase whose exact points lie just below a whole number', async () => {
    // 9999 x 99999.99 dollars at 2798.9999 points per dollar = 2798719720137.999999 points: the CHECK must
    // accept the floor that the service computes (a shrunk counterexample of the property above).
    const product = await f.product(9_999_999);
    await f.promotion({ productId: product, awardRate: '2798.9999' });
    const input = { transactionId: 'formula-api-1', customerId, productId: product, quantity: 9999 };
    const r = await recordPurchase(t, retailer.token, input);
    expect(r.errors).toBeUndefined();
    expect(r.data?.recordPurchase.pointsAwarded).toBe('2798719720137');
    expect(await f.balance(customerId)).toBe(2798719720137n);
  });
});
