import { balancesInOrder, BalanceRow, statementsOf } from './purchase-statements';

const item = (transactionId: string, retailerId = 'r1') => ({ retailerId, transactionId });
const ids = (statements: Array<Array<{ transactionId: string }>>) => statements.map((s) => s.map((i) => i.transactionId));

describe('statementsOf', () => {
  it('cuts statements of at most max items, in order', () => {
    expect(ids(statementsOf(['a', 'b', 'c', 'd', 'e'].map((k) => item(k)), 2))).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(statementsOf([], 500)).toEqual([]);
  });

  it('starts a new statement when a key repeats, and only then', () => {
    expect(ids(statementsOf(['a', 'b', 'a', 'c', 'b', 'a'].map((k) => item(k)), 10))).toEqual([['a', 'b'], ['a', 'c', 'b'], ['a']]);
    // The same transactionId of two retailers is two keys.
    expect(statementsOf([item('a', 'r1'), item('a', 'r2')], 10)).toHaveLength(1);
  });

  it('refuses a max below 1', () => {
    expect(() => statementsOf([item('a')], 0)).toThrow(RangeError);
  });
});

describe('balancesInOrder', () => {
  const row = (outcome: BalanceRow['outcome'], customerId: string, pointsEarned: bigint, customerBalance: bigint): BalanceRow => ({
    outcome,
    customerId,
    pointsEarned,
    customerBalance,
  });

  it("takes a replay's later same-customer credits off, and leaves every other row alone", () => {
    const rows = [
      row('recorded', 'c1', 10n, 110n),
      row('replayed', 'c1', 5n, 135n), // the statement's end: 100 + 10 + 25
      row('replayed', 'c2', 7n, 7n),
      row('recorded', 'c1', 25n, 135n),
      row('conflict', 'c1', 3n, 135n),
      row('customer_not_found', '', 0n, 0n),
    ];
    expect(balancesInOrder(rows)).toEqual([110n, 110n, 7n, 135n, 135n, 0n]);
  });
});
