import { reconcile } from '../reconciliation/drift-kit';
import { PROGRAM_ACCOUNTS, trialBalance } from './lifecycle-api';
import { Books, Observer, RunLedger } from './lifecycle-ledger';
import { LifecycleOp, takenBackAfter } from './lifecycle-ops';
import { PointsOps } from './lifecycle-points';
import { ReturnOps } from './lifecycle-returns';
import { World } from './ledger-world';

/**
 * The lifecycle half of one property run: applies its operations, then checks what the tables, the auditors'
 * trial balance and the reconciliation say against the model, over this run and over all history.
 */
export class LifecycleRun {
  private readonly l: RunLedger;
  private readonly returns: ReturnOps;
  private readonly points: PointsOps;
  private baseline = new Map<string, bigint>();

  constructor(w: World, no: number, books: Books, observer: Observer) {
    this.l = new RunLedger(w, no, books, observer);
    this.returns = new ReturnOps(this.l);
    this.points = new PointsOps(this.l);
  }

  /** Ledger transactions the run's lifecycle movements wrote. */
  get transactions(): number {
    return this.l.transactions;
  }

  async apply(op: LifecycleOp): Promise<void> {
    switch (op.kind) {
      case 'return': {
        const sold = op.spendFirst ? this.returns.target(op) : undefined;
        if (sold) {
          const c = this.l.w.customers.indexOf(sold.customerId);
          await this.points.redeem({ kind: 'redeem', c, amount: { share: 'all', n: 0n }, reuse: false });
        }
        return this.returns.record(op);
      }
      case 'returnAgain':
        return this.returns.again(op);
      case 'redeem':
        return this.points.redeem(op);
      case 'redeemAgain':
        return this.points.redeemAgain(op);
      case 'cancel':
        return this.points.cancel(op);
      case 'adjust':
        return this.points.adjust(op);
      case 'adjustAgain':
        return this.points.adjustAgain(op);
    }
  }

  async begin(): Promise<void> {
    this.baseline = await trialBalance(this.l.w.t);
  }

  async end(): Promise<void> {
    await this.checkTrialBalance();
    await this.checkReturns();
    await this.checkOwnRows();
    await this.checkNoOverdraft();
    const { rows } = await this.l.w.t.sql.query<{ empty: boolean }>(
      'select not exists (select 1 from purchases) and not exists (select 1 from ledger_transactions) as empty',
    );
    const report = await reconcile(this.l.w.t);
    expect({ status: report.status, findings: report.findings }).toEqual({ status: rows[0].empty ? 'empty' : 'clean', findings: [] });
  }

  /** Each program account moved by exactly the model's movements of its kind; each customer is at the model's balance. */
  private async checkTrialBalance(): Promise<void> {
    const now = await trialBalance(this.l.w.t);
    const issued = this.l.books.sold().reduce((sum, s) => sum + s.points, 0n);
    const delta = { 'program:liability': -issued, ...this.l.program };
    for (const code of PROGRAM_ACCOUNTS) {
      expect({ code, balance: now.get(code) }).toEqual({ code, balance: (this.baseline.get(code) ?? 0n) + delta[code] });
    }
    for (const c of this.l.w.customers) {
      expect({ c, balance: now.get(`customer:${c}`) }).toEqual({ c, balance: this.l.books.balance(c) });
    }
  }

  /** Units returned never pass units bought, anywhere; the run's purchases had exactly the model's returns. */
  private async checkReturns(): Promise<void> {
    const q = async (text: string, values: unknown[] = []) => (await this.l.w.t.sql.query(text, values)).rows;
    expect(
      await q(`select p.id from purchases p join purchase_returns r on r.purchase_id = p.id
                group by p.id, p.quantity having sum(r.quantity) > p.quantity`),
    ).toEqual([]);
    const sold = this.l.books.sold();
    const rows = await q(
      `select p.id, coalesce(sum(r.quantity), 0)::int as units, coalesce(sum(r.points_reversed), 0)::text as points
         from purchases p left join purchase_returns r on r.purchase_id = p.id
        where p.id = any($1::uuid[]) group by p.id`,
      [sold.map((s) => s.purchaseId)],
    );
    const byId = new Map(rows.map((row) => [row.id as string, { units: row.units as number, points: row.points as string }]));
    for (const s of sold) {
      expect({ purchase: s.purchaseId, ...byId.get(s.purchaseId) }).toEqual({
        purchase: s.purchaseId,
        units: s.unitsReturned,
        points: takenBackAfter(s, s.unitsReturned).toString(),
      });
    }
    // Each return is stored at the instant it was sent with, to the microsecond; a left-out one not before its sale.
    const stored = await q(
      `select r.id, (extract(epoch from r.returned_at) * 1000000)::bigint::text as at,
              r.returned_at >= p.purchased_at as "afterSale"
         from purchase_returns r join purchases p on p.id = r.purchase_id where r.id = any($1::uuid[])`,
      [this.returns.recorded.map((r) => r.id)],
    );
    const at = new Map(stored.map((row) => [row.id as string, { at: BigInt(row.at as string), afterSale: row.afterSale as boolean }]));
    for (const r of this.returns.recorded) {
      expect({ id: r.id, afterSale: at.get(r.id)?.afterSale, at: r.atMicros === null ? null : at.get(r.id)?.at }).toEqual({
        id: r.id,
        afterSale: true,
        at: r.atMicros,
      });
    }
  }

  /** The tables hold exactly the run's recorded movements under its keys: refusals left nothing behind. */
  private async checkOwnRows(): Promise<void> {
    const prefix = `r${this.l.no}-`;
    const [own] = (
      await this.l.w.t.sql.query(
        `select (select count(*) from purchase_returns where left(transaction_id, length($1)) = $1)::int as returns,
                (select count(*) from redemptions where left(idempotency_key, length($1)) = $1)::int as redemptions,
                (select count(*) from redemption_cancellations c join redemptions r on r.id = c.redemption_id
                  where left(r.idempotency_key, length($1)) = $1)::int as cancellations,
                (select count(*) from points_adjustments where left(idempotency_key, length($1)) = $1)::int as adjustments`,
        [prefix],
      )
    ).rows;
    expect(own).toEqual({
      returns: this.returns.recorded.length,
      redemptions: this.points.redemptions.length,
      cancellations: this.points.redemptions.filter((r) => r.cancelledAt !== null).length,
      adjustments: this.points.adjustments.length,
    });
  }

  /**
   * No redemption or debit adjustment ever left a balance below zero: the balance right after each of their
   * entries, over all history. Entry ids follow commit order here because lifecycle operations run one at a time.
   */
  private async checkNoOverdraft(): Promise<void> {
    const { rows } = await this.l.w.t.sql.query(
      `select x.transaction_id, x.kind, x.running::text from (
         select e.transaction_id, t.kind, a.points as adjusted,
                sum(e.amount) over (partition by e.account_id order by e.id) as running
           from ledger_entries e
           join ledger_transactions t on t.id = e.transaction_id
           left join points_adjustments a on a.id = t.adjustment_id
          where e.account_id = any($1::uuid[])) x
        where x.running < 0 and (x.kind = 'redemption' or (x.kind = 'adjustment' and x.adjusted < 0))`,
      [this.l.w.customers],
    );
    expect(rows).toEqual([]);
  }
}
