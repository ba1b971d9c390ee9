import fc from 'fast-check';
import { customerAccountId, Posting, PROGRAM_LIABILITY_ACCOUNT_ID, purchasePostings, purchaseTransactionKey } from './ledger';

const CUSTOMER = '3f2c1b9e-8d4a-4c6b-9e1f-2a3b4c5d6e7f';
const OTHER_CUSTOMER = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

const total = (amounts: Iterable<bigint>) => [...amounts].reduce((a, b) => a + b, 0n);

describe('purchasePostings', () => {
  it('debits the program liability and credits the customer', () => {
    expect(purchasePostings(CUSTOMER, 22n)).toEqual([
      { accountId: PROGRAM_LIABILITY_ACCOUNT_ID, amount: -22n },
      { accountId: CUSTOMER, amount: 22n },
    ]);
  });

  it('writes nothing for a purchase that earned no points', () => {
    expect(purchasePostings(CUSTOMER, 0n)).toEqual([]);
  });

  it('refuses negative points', () => {
    expect(() => purchasePostings(CUSTOMER, -1n)).toThrow(RangeError);
  });

  it('stays exact beyond 2^53', () => {
    const points = 2n ** 63n - 1n;
    expect(purchasePostings(CUSTOMER, points).map((p) => p.amount)).toEqual([-points, points]);
  });
});

describe('naming', () => {
  it('derives account ids and transaction keys', () => {
    expect(customerAccountId(CUSTOMER)).toBe(CUSTOMER);
    expect(purchaseTransactionKey('p-1')).toBe('purchase:p-1');
  });
});

describe('ledger invariants (property)', () => {
  const customers = [CUSTOMER, OTHER_CUSTOMER, '11111111-2222-4333-8444-555555555555'];
  const purchases = fc.array(
    fc.record({ customer: fc.constantFrom(...customers), points: fc.bigInt({ min: 0n, max: 10n ** 18n }) }),
    { maxLength: 50 },
  );

  it('every purchase balances with non-zero postings, each customer holds the sum of its points', () => {
    fc.assert(
      fc.property(purchases, (list) => {
        const balances = new Map<string, bigint>();
        for (const { customer, points } of list) {
          const postings: Posting[] = purchasePostings(customer, points);
          expect(postings.length).toBe(points === 0n ? 0 : 2);
          expect(postings.every((p) => p.amount !== 0n)).toBe(true);
          expect(total(postings.map((p) => p.amount))).toBe(0n);
          for (const p of postings) balances.set(p.accountId, (balances.get(p.accountId) ?? 0n) + p.amount);
        }
        const earned = (c: string) => total(list.filter((x) => x.customer === c).map((x) => x.points));
        for (const c of customers) expect(balances.get(c) ?? 0n).toBe(earned(c));
        expect(balances.get(PROGRAM_LIABILITY_ACCOUNT_ID) ?? 0n).toBe(-total(list.map((x) => x.points)));
        expect([...balances.keys()].every((a) => [...customers, PROGRAM_LIABILITY_ACCOUNT_ID].includes(a))).toBe(true);
      }),
    );
  });
});
