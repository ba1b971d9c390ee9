import { Fixtures, ledgerSnapshot, recordPurchase } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/test-app';
import { addDays, ledgerTransactionsOf, utcDateDaysAgo } from './helpers';

describe('which promotion applies, through the API', () => {
  let t: TestApp;
  let f: Fixtures;
  let customerId: string;
  let seq = 0;
  beforeAll(async () => {
    t = await startTestApp();
    f = new Fixtures(t);
    customerId = await f.customer();
  });
  afterAll(() => t.close());

  /** A $10.00 sale of one unit: points = rate x 10. */
  async function sale(retailer: { id: string; token: string }, productId: string, purchasedAt?: string) {
    const transactionId = `promo-${++seq}`;
    const r = await recordPurchase(t, retailer.token, { transactionId, customerId, productId, quantity: 1, unitPriceCents: 1000, purchasedAt });
    expect(r.errors).toBeUndefined();
    return { ...r.data!.recordPurchase, transactionId };
  }

  it('a retailer-scope promotion beats its region, which beats everyone, whatever the rates', async () => {
    const productId = await f.product();
    const own = await f.retailer({ region: 'west' });
    const neighbour = await f.retailer({ region: 'west' });
    const east = await f.retailer({ region: 'east' });
    const noRegion = await f.retailer();
    const everyone = await f.promotion({ productId, awardRate: '10' });
    const west = await f.promotion({ productId, awardRate: '5', region: 'west' });
    const mine = await f.promotion({ productId, awardRate: '2', retailerId: own.id });

    expect((await sale(own, productId)).purchase).toMatchObject({ promotionId: mine.id, awardRate: '2', pointsEarned: '20' });
    expect((await sale(neighbour, productId)).purchase).toMatchObject({ promotionId: west.id, awardRate: '5', pointsEarned: '50' });
    expect((await sale(east, productId)).purchase).toMatchObject({ promotionId: everyone.id, awardRate: '10', pointsEarned: '100' });
    expect((await sale(noRegion, productId)).purchase).toMatchObject({ promotionId: everyone.id, pointsEarned: '100' });

    // Another retailer's own promotion and another region's never apply.
    await f.promotion({ productId, awardRate: '99', retailerId: neighbour.id });
    expect((await sale(own, productId)).purchase).toMatchObject({ promotionId: mine.id });
    expect((await sale(east, productId)).purchase).toMatchObject({ promotionId: everyone.id });
  });

  it('within one scope the highest rate wins, then the newest series', async () => {
    const productId = await f.product();
    const shop = await f.retailer({ region: 'north' });
    const low = await f.promotion({ productId, awardRate: '3' });
    const high = await f.promotion({ productId, awardRate: '7' });
    await f.promotion({ productId, awardRate: '6.9999' });
    expect((await sale(shop, productId)).purchase).toMatchObject({ promotionId: high.id, pointsEarned: '70' });

    // The winner revised below the others: the series' latest version is its rule.
    const lowered = await f.revise(high.id, { awardRate: '1' });
    expect((await sale(shop, productId)).purchase).toMatchObject({ awardRate: '6.9999', pointsEarned: '69' });

    // Equal rates: the newest series wins; a revision does not make an old series newer.
    const a = await f.promotion({ productId, awardRate: '8' });
    const b = await f.promotion({ productId, awardRate: '8' });
    expect((await sale(shop, productId)).purchase).toMatchObject({ promotionId: b.id, pointsEarned: '80' });
    const aRevised = await f.revise(a.id, { awardRate: '8' });
    expect((await sale(shop, productId)).purchase).toMatchObject({ promotionId: b.id });
    // Revised above the other, the older series wins on rate, with its latest version's id.
    const aHigher = await f.revise(a.id, { awardRate: '8.5' });
    expect((await sale(shop, productId)).purchase).toMatchObject({ promotionId: aHigher.id, pointsEarned: '85' });
    expect([low.version, lowered.version, aRevised.version, aHigher.version]).toEqual([0, 1, 1, 2]);
  });

  it('no applicable promotion: the purchase is recorded with 0 points and no ledger transaction', async () => {
    const productId = await f.product();
    const promoted = await f.product();
    const shop = await f.retailer({ region: 'south' });
    await f.promotion({ productId: promoted, awardRate: '10' });
    await f.promotion({ productId, awardRate: '10', region: 'elsewhere' });
    await f.promotion({ productId, awardRate: '10', startDate: addDays(utcDateDaysAgo(0), 2), endDate: '2999-12-31' });
    const balance = await f.balance(customerId);
    const before = await ledgerSnapshot(t);

    const r = await sale(shop, productId);
    expect(r).toMatchObject({ pointsAwarded: '0', customerBalance: balance.toString(), replayed: false });
    expect(r.purchase).toMatchObject({ promotionId: null, awardRate: null, pointsEarned: '0', totalPriceCents: '1000' });
    const after = await ledgerSnapshot(t);
    expect(after).toEqual({ ...before, purchases: before.purchases + 1 });
    expect(await ledgerTransactionsOf(t, shop.id, r.transactionId)).toBe(0);
    expect(await f.balance(customerId)).toBe(balance);
  });

  it('a rate that rounds below one point earns 0 points and writes no ledger transaction', async () => {
    const productId = await f.product();
    const shop = await f.retailer();
    const promotion = await f.promotion({ productId, awardRate: '0.0999' });
    const r = await sale(shop, productId); // floor(1000 x 0.0999 / 100) = floor(0.999)
    expect(r.purchase).toMatchObject({ promotionId: promotion.id, awardRate: '0.0999', pointsEarned: '0' });
    expect(await ledgerTransactionsOf(t, shop.id, r.transactionId)).toBe(0);
  });

  it('a revision that moves the end date into the past terminates the series; a boosted revision applies its rate', async () => {
    const productId = await f.product();
    const shop = await f.retailer();
    const v0 = await f.promotion({ productId, awardRate: '4', startDate: utcDateDaysAgo(20) });
    expect((await sale(shop, productId)).purchase).toMatchObject({ promotionId: v0.id, pointsEarned: '40' });

    const yesterday = utcDateDaysAgo(1);
    const ended = await f.revise(v0.id, { endDate: yesterday });
    expect((await sale(shop, productId)).purchase).toMatchObject({ promotionId: null, pointsEarned: '0' });
    // Version 0, whose dates still cover today, never applies again.
    expect((await sale(shop, productId)).purchase.promotionId).toBeNull();
    // A sale dated within the latest version's dates still earns under it.
    const early = await sale(shop, productId, `${utcDateDaysAgo(3)}T12:00:00Z`);
    expect(early.purchase).toMatchObject({ promotionId: ended.id, pointsEarned: '40' });

    const boosted = await f.revise(v0.id, { endDate: '2999-12-31', awardRate: '12.5' });
    expect(boosted.version).toBe(2);
    expect((await sale(shop, productId)).purchase).toMatchObject({ promotionId: boosted.id, awardRate: '12.5', pointsEarned: '125' });
  });

  describe("inclusive dates on the retailer's wall clock", () => {
    it('Pacific/Kiritimati (UTC+14): the local date is a day ahead of UTC', async () => {
      const productId = await f.product();
      const kiritimati = await f.retailer({ timezone: 'Pacific/Kiritimati' });
      const utc = await f.retailer({ timezone: 'UTC' });
      const start = utcDateDaysAgo(6);
      const end = addDays(start, 2);
      const promotion = await f.promotion({ productId, awardRate: '3', startDate: start, endDate: end });
      const earns = async (shop: typeof utc, at: string) => (await sale(shop, productId, at)).purchase.pointsEarned;

      // The first and last local instants of the promotion's days count; the instants next to them do not.
      expect(await earns(kiritimati, `${start}T00:00:00+14:00`)).toBe('30');
      expect(await earns(kiritimati, `${addDays(start, -1)}T23:59:59.999+14:00`)).toBe('0');
      expect(await earns(kiritimati, `${end}T23:59:59.999999+14:00`)).toBe('30');
      expect(await earns(kiritimati, `${addDays(end, 1)}T00:00:00+14:00`)).toBe('0');

      // 11:00Z on the end date: still the end date in UTC, already the next day in Kiritimati.
      const instant = `${end}T11:00:00Z`;
      expect(await earns(utc, instant)).toBe('30');
      expect(await earns(kiritimati, instant)).toBe('0');
      // 10:30Z on the day before the start: the start date in Kiritimati, the day before in UTC.
      const early = `${addDays(start, -1)}T10:30:00Z`;
      expect(await earns(kiritimati, early)).toBe('30');
      expect(await earns(utc, early)).toBe('0');
      expect((await sale(kiritimati, productId, early)).purchase.promotionId).toBe(promotion.id);
    });

    it('America/Chicago (UTC-6 or -5): the local date is a day behind UTC in the early UTC hours', async () => {
      const productId = await f.product();
      const chicago = await f.retailer({ timezone: 'America/Chicago' });
      const utc = await f.retailer({ timezone: 'UTC' });
      const day = utcDateDaysAgo(4);
      await f.promotion({ productId, awardRate: '2', startDate: day, endDate: day });
      const earns = async (shop: typeof utc, at: string) => (await sale(shop, productId, at)).purchase.pointsEarned;

      // 03:00Z the next day is 21:00 or 22:00 of `day` in Chicago, whatever daylight saving says.
      const lateEvening = `${addDays(day, 1)}T03:00:00Z`;
      expect(await earns(chicago, lateEvening)).toBe('20');
      expect(await earns(utc, lateEvening)).toBe('0');
      // 03:00Z on `day` itself is still the day before in Chicago.
      const earlyUtc = `${day}T03:00:00Z`;
      expect(await earns(chicago, earlyUtc)).toBe('0');
      expect(await earns(utc, earlyUtc)).toBe('20');
      // 07:00Z on `day` is 01:00 or 02:00 of `day` in Chicago.
      expect(await earns(chicago, `${day}T07:00:00Z`)).toBe('20');
      // 08:00Z the next day is 02:00 or 03:00 of the next day in Chicago.
      expect(await earns(chicago, `${addDays(day, 1)}T08:00:00Z`)).toBe('0');
    });
  });
});
