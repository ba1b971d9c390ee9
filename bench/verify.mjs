// Checks after each scenario, in SQL: what the database holds agrees with what the responses said, and the
// ledger's balances agree with its entries.
import { sleep } from './net.mjs';

/**
 * Waits (at most 15 s) until the service has had no statement running for three checks in a row, 100 ms apart:
 * abandoned requests finish first. One idle check is not enough: requests still queued for a pooled connection
 * leave every connection idle for as long as the service's event loop pauses between two of them.
 */
export async function waitForQuiet(client) {
  let quiet = 0;
  for (let i = 0; i < 150 && quiet < 3; i++) {
    const { rows } = await client.query(
      `select count(*)::int as busy from pg_stat_activity
        where datname = current_database() and backend_type = 'client backend' and state = 'active'
          and pid <> pg_backend_pid()`,
    );
    quiet = rows[0].busy === 0 ? quiet + 1 : 0;
    if (quiet < 3) await sleep(100);
  }
}

const check = (name, ok, detail) => ({ name, ok, detail });

/** One scenario's rows: its transactionIds start with `prefix`; ids still in flight at the end are left out. */
export async function verifyScenario(client, { prefix, expected, unanswered }) {
  const { rows } = await client.query(
    `with s as (
       select p.id, p.points_earned from purchases p
        where starts_with(p.transaction_id, $1) and not (p.transaction_id = any ($2::text[]))
     ), t as (
       select t.id, t.purchase_id from ledger_transactions t join s on s.id = t.purchase_id
     )
     select (select count(*) from s)::int as recorded,
            (select count(*) from s where points_earned > 0)::int as credited,
            (select coalesce(sum(points_earned), 0) from s)::text as points,
            (select count(*) from t)::int as transactions,
            (select count(*) from (select purchase_id from t group by 1 having count(*) > 1) x)::int as credited_twice,
            (select count(*) from ledger_entries e join t on t.id = e.transaction_id)::int as entries,
            (select coalesce(sum(e.amount), 0) from ledger_entries e join t on t.id = e.transaction_id
              where e.amount > 0)::text as entry_points`,
    [prefix, unanswered],
  );
  const r = rows[0];
  const expectedPoints = expected.points.toString();
  return [
    check('purchases recorded = successful non-replayed responses', r.recorded === expected.recorded,
      `${r.recorded} vs ${expected.recorded}`),
    check('purchases credited = non-replayed responses that earned points', r.credited === expected.credited,
      `${r.credited} vs ${expected.credited}`),
    check('ledger transactions = purchases credited', r.transactions === expected.credited,
      `${r.transactions} vs ${expected.credited}`),
    check('no purchase credited twice (one transaction, two entries each)',
      r.credited_twice === 0 && r.entries === 2 * r.transactions, `${r.credited_twice} twice, ${r.entries} entries`),
    check('points credited = points in the responses', r.points === expectedPoints && r.entry_points === expectedPoints,
      `${r.points} on purchases, ${r.entry_points} in entries, ${expectedPoints} in responses`),
  ];
}

/** Every account's balance equals the sum of its entries (one grouped query), and all balances sum to zero. */
export async function verifyLedger(client) {
  const { rows } = await client.query(
    `with b as (select account_id, sum(balance) as balance from account_balances group by 1),
          e as (select account_id, sum(amount) as amount from ledger_entries group by 1)
     select count(*) filter (where coalesce(b.balance, 0) <> coalesce(e.amount, 0))::int as mismatched,
            count(*)::int as accounts,
            (select coalesce(sum(balance), 0) from account_balances)::text as total
       from b full join e on e.account_id = b.account_id`,
  );
  const r = rows[0];
  return [
    check('every balance = sum of its entries', r.mismatched === 0, `${r.mismatched} of ${r.accounts} accounts differ`),
    check('total of all balances = 0', r.total === '0', `total ${r.total}`),
  ];
}
