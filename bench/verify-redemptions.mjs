// Checks after each redemption scenario, in SQL: the redemptions the database holds agree with the responses, and
// the customers' balances and program:redemptions moved by exactly those points (verifyLedger then checks the rest).
export const REDEMPTIONS_ACCOUNT_ID = '00000000-0000-0000-0000-00000000a003';

const check = (name, ok, detail) => ({ name, ok, detail });

const TOTALS = `select (select coalesce(sum(b.balance), 0) from account_balances b join accounts a on a.id = b.account_id
                         where a.kind = 'customer')::text as customers,
                       (select coalesce(sum(b.balance), 0) from account_balances b
                         where b.account_id = '${REDEMPTIONS_ACCOUNT_ID}')::text as program`;

/**
 * Before a scenario: each funded customer's balance (in a temporary table of the bench's session), the sum of all
 * customers' balances and program:redemptions' balance. Call with nothing else writing.
 */
export async function snapshotBalances(client, customers) {
  await client.query('drop table if exists bench_balances_before');
  await client.query(
    `create temp table bench_balances_before as
     select c.id as account_id, coalesce((select sum(b.balance) from account_balances b where b.account_id = c.id), 0) as balance
       from unnest($1::uuid[]) as c(id)`,
    [customers],
  );
  const { rows } = await client.query(TOTALS);
  return { customers: BigInt(rows[0].customers), program: BigInt(rows[0].program) };
}

/**
 * One scenario's redemptions: their keys start with `prefix`. Keys still in flight at the end are left out of the
 * comparison with the responses, not out of the balances: whatever committed must have moved them.
 */
export async function verifyRedemptions(client, { prefix, expected, unanswered, before }) {
  const { rows } = await client.query(
    `with r as (
       select id, customer_id, points, idempotency_key from redemptions where starts_with(idempotency_key, $1)
     ), t as (
       select t.id, t.redemption_id from ledger_transactions t join r on r.id = t.redemption_id
     ), spent as (
       select customer_id, sum(points) as points from r group by 1
     )
     select (select count(*) from r where not (idempotency_key = any ($2::text[])))::int as answered,
            (select coalesce(sum(points), 0) from r where not (idempotency_key = any ($2::text[])))::text as answered_points,
            (select count(*) from r)::int as recorded,
            (select coalesce(sum(points), 0) from r)::text as points,
            (select count(*) from t)::int as transactions,
            (select count(*) from (select redemption_id from t group by 1 having count(*) > 1) x)::int as twice,
            (select count(*) from ledger_entries e join t on t.id = e.transaction_id)::int as entries,
            (select count(*) from bench_balances_before b left join spent s on s.customer_id = b.account_id
              where coalesce((select sum(x.balance) from account_balances x where x.account_id = b.account_id), 0)
                    <> b.balance - coalesce(s.points, 0))::int as customers_off,
            (select count(*) from spent s
              where not exists (select 1 from bench_balances_before b where b.account_id = s.customer_id))::int as unfunded`,
    [prefix, unanswered],
  );
  const r = rows[0];
  const after = (await client.query(TOTALS)).rows[0];
  const points = BigInt(r.points);
  const customersMoved = BigInt(after.customers) - before.customers;
  const programMoved = BigInt(after.program) - before.program;
  return [
    check('redemptions recorded = successful non-replayed responses',
      r.answered === expected.recorded && r.answered_points === expected.points.toString(),
      `${r.answered} vs ${expected.recorded}, ${r.answered_points} vs ${expected.points} points`),
    check('one ledger transaction per redemption, two entries each',
      r.transactions === r.recorded && r.twice === 0 && r.entries === 2 * r.recorded,
      `${r.recorded} redemptions, ${r.transactions} transactions, ${r.entries} entries`),
    check('each customer\'s balance moved by exactly its redemptions',
      r.customers_off === 0 && r.unfunded === 0 && customersMoved === -points,
      `${r.customers_off} customers off, ${r.unfunded} not funded; all customers ${customersMoved} for ${points} points`),
    check('program:redemptions moved by exactly the points redeemed', programMoved === points,
      `${programMoved} vs ${points}`),
  ];
}
