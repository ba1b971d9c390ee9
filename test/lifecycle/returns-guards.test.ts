import { randomUUID } from 'node:crypto';
import { DatabaseError } from 'pg';
import { returnPointsReversed } from '../../src/returns/return-points';
import { parseAwardRate } from '../../src/promotions/award-rate';
import { startTestApp, TestApp } from '../support/test-app';
import { BoughtPurchase, key, mustReturn, ReturnsShop, returnTables } from './returns-kit';

/**
 * Whatever writes purchase_returns (here the schema's owner, by hand), the database refuses a return that
 * over-returns, takes back other points than the cumulative formula says, or is not computed from the state
 * its purchase's earlier returns left.
 */
describe('the database guards purchase_returns', () => {
  let t: TestApp;
  let shop: ReturnsShop;
  let p: BoughtPurchase;
  const rate = parseAwardRate('1.5');
  if (typeof rate === 'string') throw new Error(rate);
  /** The purchase: 3 units at 333 cents, 1.5 points per dollar. */
  const snapshot = { quantity: 3, unitPriceCents: 333, awardRate: rate };

  beforeAll(async () => {
    t = await startTestApp();
    shop = await ReturnsShop.open(t, '1.5', 333);
    p = await shop.buy(3);
    // One unit returned through the API: the next return starts from units_returned_before = 1.
    const first = await mustReturn(t, shop.pos.token, { transactionId: key('return'), purchaseTransactionId: p.transactionId, quantity: 1 });
    expect(first.pointsReversed).toBe('5');
  });
  afterAll(() => t.close());

  interface Row {
    unitsBefore: number;
    quantity: number;
    points: bigint;
    retailerId?: string;
    customerId?: string;
    returnedAt?: string;
  }

  /** Inserts one return row as the owner in a transaction that is always rolled back: its error, or null. */
  async function insert(row: Row): Promise<DatabaseError | null> {
    const client = await t.sql.connect();
    try {
      await client.query('begin');
      await client.query(
        `insert into purchase_returns (id, retailer_id, transaction_id, purchase_id, customer_id, quantity,
                                       units_returned_before, points_reversed, returned_at, payload_hash)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, decode(repeat('ab', 32), 'hex'))`,
        [
          randomUUID(),
          row.retailerId ?? shop.pos.id,
          key('by-hand'),
          p.id,
          row.customerId ?? p.customerId,
          row.quantity,
          row.unitsBefore,
          row.points.toString(),
          row.returnedAt ?? new Date().toISOString(),
        ],
      );
      return null;
    } catch (error) {
      if (error instanceof DatabaseError) return error;
      throw error;
    } finally {
      await client.query('rollback');
      client.release();
    }
  }

  const outcome = (e: DatabaseError | null) => (e ? { code: e.code, constraint: e.constraint } : null);

  it("accepts the row that follows the earlier return with the formula's points (the control)", async () => {
    expect(returnPointsReversed(snapshot, 1, 2)).toBe(9n);
    expect(await insert({ unitsBefore: 1, quantity: 2, points: 9n })).toBeNull();
  });

  it('refuses returning more units than were bought (23514)', async () => {
    expect(outcome(await insert({ unitsBefore: 1, quantity: 3, points: 9n }))).toEqual({ code: '23514', constraint: 'purchase_returns_match_purchase' });
  });

  it.each([4n, 6n, 0n])('refuses %p points where the formula gives 5 (23514)', async (points) => {
    expect(returnPointsReversed(snapshot, 1, 1)).toBe(5n);
    expect(outcome(await insert({ unitsBefore: 1, quantity: 1, points }))).toEqual({ code: '23514', constraint: 'purchase_returns_match_purchase' });
  });

  it('refuses a second return computed from a state already used (23505)', async () => {
    // Right points for units_returned_before = 0, but the first return already started there.
    expect(outcome(await insert({ unitsBefore: 0, quantity: 1, points: returnPointsReversed(snapshot, 0, 1) }))).toEqual({
      code: '23505',
      constraint: 'purchase_returns_sequence',
    });
  });

  it('refuses a return that skips units its purchase never returned (23514)', async () => {
    expect(outcome(await insert({ unitsBefore: 2, quantity: 1, points: returnPointsReversed(snapshot, 2, 1) }))).toEqual({
      code: '23514',
      constraint: 'purchase_returns_sequence',
    });
  });

  it('refuses a return under another retailer or customer, or before the sale (23514)', async () => {
    const points = returnPointsReversed(snapshot, 1, 1);
    for (const change of [{ retailerId: randomUUID() }, { customerId: randomUUID() }, { returnedAt: '2001-01-01T00:00:00Z' }]) {
      expect({ change, refused: outcome(await insert({ unitsBefore: 1, quantity: 1, points, ...change })) }).toEqual({
        change,
        refused: { code: '23514', constraint: 'purchase_returns_match_purchase' },
      });
    }
  });

  it('refuses UPDATE, DELETE and TRUNCATE of returns', async () => {
    const before = await returnTables(t);
    for (const statement of ['update purchase_returns set quantity = quantity', 'delete from purchase_returns', 'truncate purchase_returns']) {
      const error = await t.sql.query(statement).then(
        () => null,
        (e: unknown) => e,
      );
      expect({ statement, refused: error instanceof DatabaseError && /append-only/.test(error.message) }).toEqual({ statement, refused: true });
    }
    expect(await returnTables(t)).toEqual(before);
  });
});
