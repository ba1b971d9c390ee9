import { findings, only, Scope } from './reconciliation.sql';

/**
 * Checks 7-9, the points lifecycle's (migrations/0010_points_lifecycle.sql), for ReconciliationRepository alone:
 * one set-based query each, full or incremental, returning one row per kind of drift like checks 1-4.
 *
 * Their rows are append-only and carry committed_xid like purchases, so an incremental run reads the returns,
 * redemptions, cancellations and adjustments committed after the watermark, and those whose ledger transaction
 * is in scope (SCOPE_CTES).
 */

/** Each movement's program account: the other side of its ledger transaction. */
const PROGRAMS = `programs as (
  select k.movement, a.id as account_id, k.code
    from (values ('return', 'program:returns'), ('redemption', 'program:redemptions'),
                 ('cancellation', 'program:cancellations'), ('adjustment', 'program:adjustments')) k(movement, code)
    left join accounts a on a.code = k.code
)`;

/**
 * Check 7: each return follows its purchase. The returns of a purchase form one chain, ordered by the units they
 * were computed from: each return's units_returned_before is the sum of the earlier ones' quantities, the chain
 * never passes the units bought, and each return's points are the cumulative formula's step with the purchase's
 * own snapshot:
 *   floor((q - before) x price x rate / 100) - floor((q - before - quantity) x price x rate / 100).
 * The step is judged on the return's own units_returned_before (what it was computed from); a chain that skips or
 * repeats units is broken-sequence, and the step is not judged where it would pass the units bought.
 * Incremental: every return of the purchases that have a return in scope (a chain is judged whole).
 */
export function returnsMatchPurchasesSql(scope: Scope): string {
  const purchases =
    scope.kind === 'full' ? 'true' : 'r.purchase_id in (select purchase_id from purchase_returns where id in (select id from scope_returns))';
  return findings(
    scope,
    `with chains as materialized (
       select r.id, r.retailer_id, r.customer_id, r.purchase_id, r.quantity, r.units_returned_before, r.points_reversed,
              r.returned_at,
              coalesce(sum(r.quantity) over (partition by r.purchase_id order by r.units_returned_before, r.id
                                             rows between unbounded preceding and 1 preceding), 0) as chained_before,
              sum(r.quantity) over (partition by r.purchase_id order by r.units_returned_before, r.id
                                    rows unbounded preceding) as chained_total
         from purchase_returns r
        where ${purchases}
     ), judged as (
       select c.*, p.id is not null as found, p.retailer_id as purchase_retailer, p.customer_id as purchase_customer,
              p.quantity as bought, p.purchased_at,
              div((p.quantity - c.units_returned_before)::bigint * p.unit_price_cents * coalesce(p.award_rate, 0), 100)
              - div((p.quantity - c.units_returned_before - c.quantity)::bigint * p.unit_price_cents
                    * coalesce(p.award_rate, 0), 100) as step
         from chains c left join purchases p on p.id = c.purchase_id
     )
     select k.kind, j.id::text as id, k.expected, k.actual, k.amount
       from judged j
      cross join lateral (values
        ('return-of-unknown-purchase', not j.found, 'an existing purchase', j.purchase_id::text, 0::numeric),
        ('wrong-retailer-or-customer',
         j.found and (j.retailer_id <> j.purchase_retailer or j.customer_id <> j.purchase_customer),
         'retailer ' || j.purchase_retailer || ', customer ' || j.purchase_customer,
         'retailer ' || j.retailer_id || ', customer ' || j.customer_id, 0),
        ('returned-before-purchase', j.found and j.returned_at < j.purchased_at,
         'at or after ' || j.purchased_at, j.returned_at::text, 0),
        ('broken-sequence', j.units_returned_before <> j.chained_before,
         j.chained_before || ' units returned before', j.units_returned_before || ' units returned before', 0),
        ('units-exceeded', j.found and j.chained_total > j.bought,
         'at most ' || j.bought || ' units returned in all', j.chained_total || ' units returned in all', 0),
        ('wrong-reversal', j.found and j.units_returned_before + j.quantity <= j.bought and j.points_reversed <> j.step,
         j.step::text, j.points_reversed::text, abs(j.step - j.points_reversed))
      ) k(kind, bad, expected, actual, amount)
      where k.bad`,
  );
}

/**
 * Check 8: each movement has the ledger transactions it implies, found through the reference columns' unique
 * indexes: a return with points one (kind return) debiting its customer by points_reversed, a return without
 * points none; a redemption one (kind redemption) debiting its points; a cancellation, at most one per redemption,
 * one (kind cancellation) crediting the redemption's points back; an adjustment one moving its customer by its
 * signed points. The other side of each is its kind's program account only; and no ledger transaction of those
 * kinds lacks its row. Named by the movement's id (a cancellation's is its redemption's), or the ledger
 * transaction's for the last two kinds.
 */
export function movementsMatchLedgerSql(scope: Scope): string {
  const transactions = scope.kind === 'full' ? 'ledger_transactions' : 'scope_transactions';
  return findings(
    scope,
    `with ${PROGRAMS}, owned as materialized (
       -- Each movement, what its ledger transaction must post on the customer, whether it must have one, and each
       -- ledger transaction it has (null when none). known: false for a cancellation whose redemption is gone.
       select 'return' as movement, r.id, r.customer_id, -r.points_reversed as expected, r.points_reversed > 0 as posts,
              true as known, 1::bigint as copies, t.id as transaction_id
         from purchase_returns r left join ledger_transactions t on t.return_id = r.id
        where ${only(scope, 'r.id', 'scope_returns')}
       union all
       select 'redemption', d.id, d.customer_id, -d.points, true, true, 1, t.id
         from redemptions d left join ledger_transactions t on t.redemption_id = d.id and t.kind = 'redemption'
        where ${only(scope, 'd.id', 'scope_redemptions')}
       union all
       select 'cancellation', c.redemption_id, d.customer_id, d.points, true, d.id is not null, c.copies, t.id
         from (select redemption_id, count(*) as copies from redemption_cancellations
                where ${only(scope, 'redemption_id', 'scope_cancellations')} group by redemption_id) c
         left join redemptions d on d.id = c.redemption_id
         left join ledger_transactions t on t.redemption_id = c.redemption_id and t.kind = 'cancellation'
       union all
       select 'adjustment', a.id, a.customer_id, a.points, true, true, 1, t.id
         from points_adjustments a left join ledger_transactions t on t.adjustment_id = a.id
        where ${only(scope, 'a.id', 'scope_adjustments')}
     ), posted as (
       -- Per transaction: its amount on the movement's customer, and its entries on any account but that customer's
       -- and its kind's program account.
       select o.transaction_id, g.code as program,
              coalesce(sum(e.amount) filter (where e.account_id = o.customer_id), 0) as customer_amount,
              coalesce(sum(abs(e.amount)) filter (where e.account_id <> o.customer_id and e.account_id <> g.account_id), 0)
                as stray_amount,
              string_agg(x.code, ' ' order by x.code)
                filter (where e.account_id <> o.customer_id and e.account_id <> g.account_id) as stray_accounts
         from owned o
         join programs g on g.movement = o.movement
         join ledger_entries e on e.transaction_id = o.transaction_id
         join accounts x on x.id = e.account_id
        where o.known
        group by o.transaction_id, g.code
     ), per_movement as (
       select o.movement, o.id, o.expected, o.posts, o.known, o.copies, count(o.transaction_id) as n,
              coalesce(sum(p.customer_amount), 0) as actual
         from owned o left join posted p on p.transaction_id = o.transaction_id
        group by o.movement, o.id, o.expected, o.posts, o.known, o.copies
     )
     select k.kind, m.id::text as id, k.expected, k.actual, k.amount
       from per_movement m
      cross join lateral (values
        (m.movement || '-missing-transaction', m.known and m.posts and m.n = 0, m.expected::text, 'no transaction',
         abs(m.expected)),
        (m.movement || '-duplicate-transactions', m.known and m.n > 1, '1 transaction', m.n || ' transactions',
         abs(m.expected - m.actual)),
        (m.movement || '-unexpected-transaction', m.known and not m.posts and m.n > 0, 'no transaction',
         m.n || ' transaction(s) moving ' || m.actual, abs(m.actual)),
        (case m.movement when 'return' then 'return-wrong-debit' when 'redemption' then 'redemption-wrong-debit'
                         when 'cancellation' then 'cancellation-wrong-credit' else 'adjustment-wrong-amount' end,
         m.known and m.posts and m.n = 1 and m.actual <> m.expected, m.expected::text, m.actual::text,
         abs(m.expected - m.actual)),
        ('duplicate-cancellations', m.copies > 1, '1 cancellation', m.copies || ' cancellations', 0),
        ('cancellation-without-redemption', not m.known, 'an existing redemption', 'none', 0)
      ) k(kind, bad, expected, actual, amount)
      where k.bad
     union all
     select 'wrong-program-account', p.transaction_id::text, p.program, p.stray_accounts, p.stray_amount
       from posted p where p.stray_amount <> 0
     union all
     select 'transaction-without-movement', t.id::text,
            'its ' || t.kind || ' ' || coalesce(coalesce(t.return_id, t.redemption_id, t.adjustment_id)::text, '(none named)'),
            moved || ' points moved', moved
       from ${transactions} t
      cross join lateral (select coalesce(sum(amount) filter (where amount > 0), 0) as moved
                            from ledger_entries where transaction_id = t.id) x
      where t.kind in ('return', 'redemption', 'cancellation', 'adjustment')
        and ((t.kind = 'return' and not exists (select 1 from purchase_returns r where r.id = t.return_id))
          or (t.kind = 'redemption' and not exists (select 1 from redemptions d where d.id = t.redemption_id))
          or (t.kind = 'cancellation'
              and not exists (select 1 from redemption_cancellations c where c.redemption_id = t.redemption_id))
          or (t.kind = 'adjustment' and not exists (select 1 from points_adjustments a where a.id = t.adjustment_id)))`,
  );
}

/**
 * Check 9: only a return may take a balance below zero, so a customer below zero must owe no more than the points
 * its returns took back: balance + sum(points_reversed of its returns) >= 0. (Every other debit is refused when
 * the balance does not cover it, so balance + returned points never drops below zero.) The balance is the
 * materialized one; check 2 holds it to the entries. Incremental: the customers whose account is in scope.
 */
export function negativeBalancesExplainedSql(scope: Scope): string {
  return findings(
    scope,
    `with negative as (
       select b.account_id, sum(b.balance) as balance from account_balances b
        where ${scope.kind === 'full' ? 'true' : 'b.account_id in (select account_id from scope_accounts)'}
        group by b.account_id having sum(b.balance) < 0
     )
     select 'unexplained-negative-balance' as kind, a.customer_id::text as id, 'at least ' || -x.returned as expected,
            n.balance::text as actual, -(n.balance + x.returned) as amount
       from negative n
       join accounts a on a.id = n.account_id and a.kind = 'customer'
      cross join lateral (select coalesce(sum(r.points_reversed), 0) as returned
                            from purchase_returns r where r.customer_id = a.customer_id) x
      where n.balance + x.returned < 0`,
  );
}
