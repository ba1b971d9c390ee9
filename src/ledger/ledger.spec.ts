import fc from 'fast-check';
import {
  balancesFrom,
  customerAccountCode,
  customerAccountId,
  isBalanced,
  Posting,
  PROGRAM_LIABILITY_ACCOUNT_ID,
  purchasePostings,
  purchaseTransactionKey,
  sum,
} from './ledger';

const CUSTOMER = '3f2c1b9e-8d4a-4c6b-9e1f-2a3b4c5d6e7f';
const OTHER_CUSTOMER = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

describe('purchasePostings', () => {
  it('debits the program liability and credits the customer', () => {
    expect(purchasePostings(CUSTOMER, 22n)).toEqual([
      { accountId: PROGRAM_LIABILITY_ACCOUNT_ID, amount: -22n },
      { accountId: CUSTOMER, amount: 22n },
    ]);
    expect(isBalanced(purchasePostings(CUSTOMER, 22n))).toBe(true);
  });

  it('writes nothing for a purchase that earned no points', () => {
    expect(purchasePostings(CUSTOMER, 0n)).toEqual([]);
  });

  it('refuses negative points', () => {
    expect(() => purchasePostings(CUSTOMER, -1n)).toThrow(RangeError);
  });

  it('stays exact beyond 2^53', () => {
    const points = 2n ** 63n - 1n;
    const postings = purchasePostings(CUSTOMER, points);
    expect(postings.map((p) => p.amount)).toEqual([-points, points]);
    expect(isBalanced(postings)).toBe(true);
  });
});

describe('isBalanced', () => {
  const p = (accountId: string, amount: bigint): Posting => ({ accountId, amount });

  it('accepts two or more non-zero postings that sum to zero', () => {
    expect(isBalanced([p('a', -5n), p('b', 5n)])).toBe(true);
    expect(isBalanced([p('a', -5n), p('b', 2n), p('c', 3n)])).toBe(true);
  });

  it('refuses postings that do not sum to zero', () => {
    expect(isBalanced([p('a', -5n), p('b', 4n)])).toBe(false);
    expect(isBalanced([p('a', 5n), p('b', 5n)])).toBe(false);
  });

  it('refuses fewer than two postings', () => {
    expect(isBalanced([])).toBe(false);
    expect(isBalanced([p('a', 5n)])).toBe(false);
  });

  it('refuses a zero posting, even in a balanced set', () => {
    expect(isBalanced([p('a', 0n), p('b', 0n)])).toBe(false);
    expect(isBalanced([p('a', -5n), p('b', 5n), p('c', 0n)])).toBe(false);
  });
});

describe('balancesFrom', () => {
  it('sums the postings of each account', () => {
    const balances = balancesFrom([
      ...purchasePostings(CUSTOMER, 10n),
      ...purchasePostings(OTHER_CUSTOMER, 7n),
      ...purchasePostings(CUSTOMER, 5n),
    ]);
    expect(balances).toEqual(
      new Map([
        [PROGRAM_LIABILITY_ACCOUNT_ID, -22n],
        [CUSTOMER, 15n],
        [OTHER_CUSTOMER, 7n],
      ]),
    );
  });

  it('is empty for no postings', () => {
    expect(balancesFrom([]).size).toBe(0);
  });
});

describe('naming', () => {
  it('derives account ids, codes and transaction keys', () => {
    expect(customerAccountId(CUSTOMER)).toBe(CUSTOMER);
    expect(customerAccountCode(CUSTOMER)).toBe(`customer:${CUSTOMER}`);
    expect(purchaseTransactionKey('p-1')).toBe('purchase:p-1');
    expect(sum([1n, -3n, 5n])).toBe(3n);
    expect(sum([])).toBe(0n);
  });
});

describe('ledger invariants (property)', () => {
  const customers = [CUSTOMER, OTHER_CUSTOMER, '11111111-2222-4333-8444-555555555555'];
  const purchases = fc.array(
    fc.record({ customer: fc.constantFrom(...customers), points: fc.bigInt({ min: 0n, max: 10n ** 18n }) }),
    { maxLength: 50 },
  );

  it('every purchase balances, all balances sum to zero, each customer holds the sum of its points', () => {
    fc.assert(
      fc.property(purchases, (list) => {
        const all: Posting[] = [];
        for (const { customer, points } of list) {
          const postings = purchasePostings(customer, points);
          if (points === 0n) expect(postings).toEqual([]);
          else expect(isBalanced(postings)).toBe(true);
          all.push(...postings);
        }
        const balances = balancesFrom(all);
        expect(sum(balances.values())).toBe(0n);
        const earned = (c: string) => sum(list.filter((x) => x.customer === c).map((x) => x.points));
        for (const c of customers) expect(balances.get(c) ?? 0n).toBe(earned(c));
        expect(balances.get(PROGRAM_LIABILITY_ACCOUNT_ID) ?? 0n).toBe(-sum(list.map((x) => x.points)));
        for (const account of balances.keys()) {
          expect([...customers, PROGRAM_LIABILITY_ACCOUNT_ID]).toContain(account);
        }
      }),
    );
  });
});
