import { randomBytes, randomUUID } from 'node:crypto';
import { DomainError } from '../../src/common/errors/domain-error';
import { PurchasesRepository, PurchaseToRecord } from '../../src/purchases/purchases.repository';
import { Fixtures, ledgerSnapshot } from '../support/fixtures';
import { purchaseToRecord } from '../support/purchase-to-record';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The group-commit path below the API: many purchases submitted at once share database transactions, yet each
 * keeps its own outcome, its own error and a balance as if it had committed alone.
 */
describe('recording purchases in batches', () => {
  let t: TestApp;
  let repository: PurchasesRepository;
  let retailerId: string;
  let productId: string;
  let promotionId: string;

  beforeAll(async () => {
    t = await startTestApp({ DB_POOL_SIZE: '4', PURCHASE_BATCH_SIZE: '16' });
    repository = t.app.get(PurchasesRepository);
    const f = new Fixtures(t);
    retailerId = (await f.retailer()).id;
    productId = await f.product(1000);
    promotionId = (await f.promotion({ productId, awardRate: '1' })).id;
  });
  afterAll(() => t.close());

  function purchase(customerId: string, transactionId: string, points: bigint, hash = randomBytes(32)): PurchaseToRecord {
    const quantity = Number(points) / 10;
    return purchaseToRecord({ retailerId, customerId, productId, transactionId, quantity, promotionId, awardRate: '1', points, payloadHash: hash });
  }

  it('keeps every outcome separate inside shared transactions', async () => {
    const customer = await new Fixtures(t).customer();
    const sameHash = randomBytes(32);
    const submissions = [
      ...Array.from({ length: 60 }, (_, i) => purchase(customer, `b-${i}`, 10n)),
      purchase(customer, 'dup', 20n, sameHash),
      purchase(customer, 'dup', 20n, sameHash),
      purchase(customer, 'dup', 30n),
      purchase(randomUUID(), 'nobody', 10n),
    ];
    const settled = await Promise.allSettled(submissions.map((s) => repository.record(s)));
    const outcomes = settled.map((s) => (s.status === 'fulfilled' ? s.value.outcome : (s.reason as DomainError).code));

    expect(outcomes.slice(0, 60).every((o) => o === 'recorded')).toBe(true);
    expect(outcomes.slice(60, 63).sort()).toEqual(['conflict', 'recorded', 'replayed']);
    expect(outcomes[63]).toBe('CUSTOMER_NOT_FOUND');

    const recorded = settled.filter((s) => s.status === 'fulfilled' && s.value.outcome === 'recorded');
    // Balances as if each purchase had committed alone: all distinct, the largest one is the final balance.
    const balances = recorded.map((s) => (s as PromiseFulfilledResult<{ customerBalance: bigint }>).value.customerBalance);
    expect(new Set(balances).size).toBe(balances.length);
    expect(balances.reduce((a, b) => (a > b ? a : b))).toBe(620n);
    expect(await new Fixtures(t).balance(customer)).toBe(620n);

    const snapshot = await ledgerSnapshot(t);
    expect(snapshot.balanceTotal).toBe(0n);
    const { rows } = await t.sql.query('select count(*)::int as n from purchases where customer_id = $1', [customer]);
    expect(rows[0].n).toBe(61);
  });

  it('records nothing for a purchase of an unknown customer and leaves its key free', async () => {
    const ghost = randomUUID();
    await expect(repository.record(purchase(ghost, 'later', 10n))).rejects.toMatchObject({ code: 'CUSTOMER_NOT_FOUND' });
    const customer = await new Fixtures(t).customer();
    await expect(repository.record(purchase(customer, 'later', 10n))).resolves.toMatchObject({ outcome: 'recorded' });
  });

  it('fails only the purchase whose writes the database refuses, not the rest of its batch', async () => {
    const customer = await new Fixtures(t).customer();
    const good = Array.from({ length: 20 }, (_, i) => purchase(customer, `iso-${i}`, 10n));
    const bad = { ...purchase(customer, 'iso-bad', 10n), points: 11n }; // breaks the points formula CHECK
    const settled = await Promise.allSettled([...good.slice(0, 10), bad, ...good.slice(10)].map((s) => repository.record(s)));
    expect(settled.filter((s) => s.status === 'rejected')).toHaveLength(1);
    expect(settled[10].status).toBe('rejected');
    expect(await new Fixtures(t).balance(customer)).toBe(200n);
  });
});
