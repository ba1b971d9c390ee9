import { randomUUID } from 'node:crypto';
import { errorCode, Fixtures, recordPurchase } from '../support/fixtures';
import { ADMIN_TOKEN, AUDITOR_TOKEN, startTestApp, TestApp } from '../support/test-app';
import { PURCHASE_SUBMISSION, SUBMIT_PURCHASE, Submission } from './ingestion-kit';

/** submitPurchase and purchaseSubmission in direct mode (no INGESTION_MODE): recorded before the answer. */
describe('submitPurchase in direct mode', () => {
  let t: TestApp;
  let f: Fixtures;
  let productId: string;
  let retailer: { id: string; token: string };
  let other: { id: string; token: string };
  const purchasedAt = new Date(Date.now() - 60_000).toISOString();

  beforeAll(async () => {
    t = await startTestApp();
    f = new Fixtures(t);
    productId = await f.product(1000);
    await f.promotion({ productId, awardRate: '1.5' });
    retailer = await f.retailer();
    other = await f.retailer();
  });
  afterAll(() => t.close());

  const submit = (token: string | null, input: Record<string, unknown>) =>
    t.gql<{ submitPurchase: Submission }>(token, SUBMIT_PURCHASE, { input });
  const submission = (token: string | null, transactionId: string) =>
    t.gql<{ purchaseSubmission: Submission | null }>(token, PURCHASE_SUBMISSION, { transactionId });

  it('records before answering RECORDED, replays a resend, and reads it back through purchaseSubmission', async () => {
    const customerId = await f.customer();
    const input = { transactionId: 's-1', customerId, productId, quantity: 2, purchasedAt };
    const first = await submit(retailer.token, input);
    expect(first.errors).toBeUndefined();
    expect(first.data!.submitPurchase).toMatchObject({
      transactionId: 's-1',
      status: 'RECORDED',
      errorCode: null,
      purchase: { transactionId: 's-1', retailerId: retailer.id, customerId, quantity: 2, pointsEarned: '30' },
    });
    expect(await f.balance(customerId)).toBe(30n);

    const again = await submit(retailer.token, input);
    expect(again.data!.submitPurchase).toEqual(first.data!.submitPurchase);
    expect(await f.balance(customerId)).toBe(30n);

    const read = await submission(retailer.token, 's-1');
    expect(read.data!.purchaseSubmission).toEqual(first.data!.submitPurchase);
    // The same key through recordPurchase is a replay of the submission: one path.
    const replay = await recordPurchase(t, retailer.token, input);
    expect(replay.data!.recordPurchase).toMatchObject({ replayed: true, purchase: { id: first.data!.submitPurchase.purchase!.id } });
  });

  it("answers recordPurchase's errors, records nothing for them, and keeps the first outcome of a key", async () => {
    const customerId = await f.customer();
    const input = { transactionId: 's-2', customerId, productId, quantity: 1, purchasedAt };
    const recorded = await submit(retailer.token, input);
    expect(recorded.data!.submitPurchase.status).toBe('RECORDED');

    const conflict = await submit(retailer.token, { ...input, quantity: 4 });
    expect(errorCode(conflict)).toBe('IDEMPOTENCY_CONFLICT');
    expect(conflict.data).toBeNull();
    expect((await submission(retailer.token, 's-2')).data!.purchaseSubmission).toEqual(recorded.data!.submitPurchase);

    const refusals = [
      [{ ...input, transactionId: 's-3', customerId: randomUUID() }, 'CUSTOMER_NOT_FOUND'],
      [{ ...input, transactionId: 's-4', productId: randomUUID() }, 'PRODUCT_NOT_FOUND'],
      [{ ...input, transactionId: 's-5', quantity: 0 }, 'BAD_USER_INPUT'],
      [{ ...input, transactionId: 's-6', purchasedAt: new Date(Date.now() + 3_600_000).toISOString() }, 'BAD_USER_INPUT'],
    ] as const;
    for (const [refused, code] of refusals) {
      expect(errorCode(await submit(retailer.token, refused))).toBe(code);
      expect((await submission(retailer.token, refused.transactionId)).data!.purchaseSubmission).toBeNull();
    }
    expect(await f.balance(customerId)).toBe(15n);
  });

  it("answers null for a transactionId nothing was submitted under, and for another retailer's", async () => {
    const customerId = await f.customer();
    expect((await submission(retailer.token, 'never-sent')).data).toEqual({ purchaseSubmission: null });
    const theirs = await submit(other.token, { transactionId: 'theirs', customerId, productId, quantity: 1, purchasedAt });
    expect(theirs.data!.submitPurchase.status).toBe('RECORDED');
    expect((await submission(other.token, 'theirs')).data!.purchaseSubmission!.status).toBe('RECORDED');
    expect((await submission(retailer.token, 'theirs')).data).toEqual({ purchaseSubmission: null });
  });

  it('is for POS tokens only', async () => {
    const customerId = await f.customer();
    const input = { transactionId: 's-role', customerId, productId, quantity: 1, purchasedAt };
    for (const [token, code] of [[ADMIN_TOKEN, 'FORBIDDEN'], [AUDITOR_TOKEN, 'FORBIDDEN'], [null, 'UNAUTHENTICATED']] as const) {
      expect(errorCode(await submit(token, input))).toBe(code);
      expect(errorCode(await submission(token, 's-role'))).toBe(code);
    }
    expect(await f.balance(customerId)).toBe(0n);
  });
});
