import { Fixtures, recordPurchase } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/test-app';

describe('a purchase end to end', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('credits floor(total x rate / 100) points and reports the balance', async () => {
    const f = new Fixtures(t);
    const retailer = await f.retailer();
    const customerId = await f.customer();
    const productId = await f.product(499);
    await f.promotion({ productId, awardRate: '1.5' });
    const r = await recordPurchase(t, retailer.token, { transactionId: 'smoke-1', customerId, productId, quantity: 3 });
    expect(r.errors).toBeUndefined();
    expect(r.data?.recordPurchase.pointsAwarded).toBe('22'); // floor(1497 * 1.5 / 100) = floor(22.455)
    expect(r.data?.recordPurchase.customerBalance).toBe('22');
    expect(await f.balance(customerId)).toBe(22n);
  });
});
