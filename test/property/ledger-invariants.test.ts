import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { errorCode, ledgerSnapshot, recordPurchase, RecordPurchaseData } from '../support/fixtures';
import { GraphqlResponse, startTestApp, TestApp } from '../support/test-app';
import { Field, Input, MICROS_PER_SECOND, Op, opArb, Payload, PurchaseOp, Sub } from './ledger-ops';
import {
  BASE_MICROS,
  buildWorld,
  checkLedger,
  expectedPoints,
  expectedPromotion,
  formatInstant,
  LedgerState,
  World,
} from './ledger-world';
import { PROGRAM_ACCOUNTS, ProgramAccount, trialBalance } from './lifecycle-api';
import { Books, Observer, Sold } from './lifecycle-ledger';
import { LIFECYCLE_KINDS, LifecycleOp } from './lifecycle-ops';
import { LifecycleRun } from './lifecycle-run';

/**
 * Random sequences of POS submissions (new sales, replays, conflicting resubmissions, concurrent batches) mixed
 * with the rest of the points lifecycle (returns, redemptions, cancellations, adjustments, their resends)
 * against the whole service, checked against a model of what the business rules promise and against the
 * ledger's tables. Each run uses its own transactionId prefix; the database persists across runs, so each run
 * compares against a baseline read at its start, and the last test compares the sum of all runs.
 */

type Result = GraphqlResponse<RecordPurchaseData>;
interface Recorded extends Sold {
  canon: string;
}
const isLifecycle = (op: Op): op is LifecycleOp => (LIFECYCLE_KINDS as readonly string[]).includes(op.kind);

describe('the ledger under random POS and lifecycle traffic', () => {
  let t: TestApp;
  let w: World;
  /** Every successful, non-replayed result any run observed: what the whole database must add up to. */
  const observed = {
    purchases: 0,
    transactions: 0,
    points: new Map<string, bigint>(),
    program: new Map<ProgramAccount, bigint>(),
  };
  const observe = (customerId: string, points: bigint, account: ProgramAccount) => {
    if (points !== 0n) observed.transactions += 1;
    observed.points.set(customerId, (observed.points.get(customerId) ?? 0n) + points);
    observed.program.set(account, (observed.program.get(account) ?? 0n) - points);
  };
  const observer: Observer = { moved: observe };

  beforeAll(async () => {
    t = await startTestApp();
    w = await buildWorld(t);
  });
  afterAll(() => t?.close());

  const keyOf = (s: Sub) => `${s.r}|${s.input.transactionId}`;
  const customerOf = (s: Sub) => s.input.customerId.toLowerCase();
  const productIndex = (s: Sub) => w.products.findIndex((p) => p.id === s.input.productId.toLowerCase());
  /** What decides replay versus conflict: ids case-insensitively, purchasedAt as an instant, left-out fields as null. */
  const canonOf = (s: Sub) =>
    JSON.stringify([
      s.input.transactionId,
      customerOf(s),
      s.input.productId.toLowerCase(),
      s.input.quantity,
      s.input.unitPriceCents ?? null,
      s.atMicros?.toString() ?? null,
    ]);

  async function send(s: Sub): Promise<Result> {
    const result = await recordPurchase(t, w.retailers[s.r].token, s.input as unknown as Record<string, unknown>);
    const out = result.data?.recordPurchase;
    if (out && !out.replayed) {
      observed.purchases += 1;
      observe(out.purchase.customerId, BigInt(out.pointsAwarded), 'program:liability');
    }
    return result;
  }

  class Run implements Books {
    private readonly keys = new Map<string, Recorded>();
    /** Submissions that succeeded, for replays and conflicting resubmissions to pick from. */
    private readonly accepted: Sub[] = [];
    private readonly delta = new Map<string, bigint>();
    private newTransactions = 0;
    private seq = 0;
    private baseline!: LedgerState;
    private readonly lifecycle: LifecycleRun;

    constructor(private readonly no: number) {
      this.lifecycle = new LifecycleRun(w, no, this, observer);
    }

    balance(c: string): bigint {
      return (this.baseline.balances.get(c) ?? 0n) + (this.delta.get(c) ?? 0n);
    }

    move(c: string, points: bigint): void {
      this.delta.set(c, (this.delta.get(c) ?? 0n) + points);
    }

    /** The run's recorded purchases, in the order they were recorded: what returns pick from. */
    sold(): Sold[] {
      return [...this.keys.values()];
    }

    soldBy(r: number, transactionId: string): Sold | undefined {
      return this.keys.get(`${r}|${transactionId}`);
    }

    private toSub(pl: Payload): Sub {
      const input: Input = {
        transactionId: `r${this.no}-${++this.seq}:${pl.suffix}`,
        customerId: w.customers[pl.c],
        productId: w.products[pl.p].id,
        quantity: pl.quantity,
      };
      if (pl.unitPriceCents !== undefined) input.unitPriceCents = pl.unitPriceCents;
      if (pl.at) input.purchasedAt = formatInstant(pl.at.micros, pl.at.offset, pl.at.trim);
      return { r: pl.r, input, atMicros: pl.at?.micros ?? null };
    }

    /** The same key with exactly one field of the payload changed. */
    private mutate(base: Sub, field: Field, variant: number): Sub {
      const input: Input = { ...base.input };
      let atMicros = base.atMicros;
      const p = productIndex(base);
      if (field === 'customerId') {
        input.customerId = w.customers[(w.customers.indexOf(customerOf(base)) + 1 + (variant % 3)) % 4];
      } else if (field === 'productId') {
        input.productId = w.products[(p + 1 + (variant % 2)) % 3].id;
      } else if (field === 'quantity') {
        input.quantity = (input.quantity % 10_000) + 1;
      } else if (field === 'unitPriceCents') {
        // Sending the list price that a left-out price defaults to is still a different payload.
        if (input.unitPriceCents === undefined) input.unitPriceCents = w.products[p].priceCents + (variant % 2);
        else if (variant % 2 === 0) delete input.unitPriceCents;
        else input.unitPriceCents = (input.unitPriceCents + 1) % 10_000_001;
      } else if (atMicros === null) {
        atMicros = BASE_MICROS - 3600n * MICROS_PER_SECOND;
      } else {
        // Left out, or one microsecond, one millisecond or one day earlier.
        atMicros = [null, atMicros - 1n, atMicros - 1000n, atMicros - 86_400n * MICROS_PER_SECOND][variant % 4];
      }
      if (atMicros === null) delete input.purchasedAt;
      else if (atMicros !== base.atMicros) input.purchasedAt = formatInstant(atMicros, 0, false);
      const changed = { r: base.r, input, atMicros };
      expect(canonOf(changed)).not.toBe(canonOf(base));
      return changed;
    }

    private pick(n: number): Sub | undefined {
      return this.accepted.length ? this.accepted[n % this.accepted.length] : undefined;
    }

    /** Checks a fresh key's recorded result against the oracle and adds it to the model. */
    private record(s: Sub, out: RecordPurchaseData['recordPurchase']): bigint {
      const p = productIndex(s);
      const promo = expectedPromotion(w, s.r, p, s.atMicros);
      const unit = s.input.unitPriceCents ?? w.products[p].priceCents;
      const points = expectedPoints(s.input.quantity, unit, promo);
      const { promotionId, awardRate } = out.purchase;
      expect({ replayed: out.replayed, points: out.pointsAwarded, promotionId, awardRate }).toEqual({
        replayed: false,
        points: points.toString(),
        promotionId: promo?.id ?? null,
        awardRate: promo?.text ?? null,
      });
      expect(out.purchase).toMatchObject({
        customerId: customerOf(s),
        unitPriceCents: unit,
        totalPriceCents: (BigInt(s.input.quantity) * BigInt(unit)).toString(),
      });
      this.keys.set(keyOf(s), {
        canon: canonOf(s),
        r: s.r,
        transactionId: s.input.transactionId,
        purchaseId: out.purchase.id,
        customerId: customerOf(s),
        points,
        // A return is priced from the purchase's own snapshot, as recordPurchase returned it.
        quantity: out.purchase.quantity,
        unitPriceCents: out.purchase.unitPriceCents,
        awardRate: out.purchase.awardRate,
        purchasedAtMicros: s.atMicros,
        unitsReturned: 0,
      });
      this.move(customerOf(s), points);
      if (points > 0n) this.newTransactions += 1;
      return points;
    }

    /** One submission on its own: the model says whether it must be recorded, replayed or refused. */
    private async submit(s: Sub): Promise<void> {
      const prior = this.keys.get(keyOf(s));
      if (prior && prior.canon !== canonOf(s)) {
        const before = await ledgerSnapshot(t);
        const r = await send(s);
        expect(errorCode(r)).toBe('IDEMPOTENCY_CONFLICT');
        expect(await ledgerSnapshot(t)).toEqual(before);
      } else if (prior) {
        const before = await w.f.balance(prior.customerId);
        const r = await send(s);
        const after = await w.f.balance(prior.customerId);
        expect(r.errors).toBeUndefined();
        const out = r.data!.recordPurchase;
        const seen = { replayed: out.replayed, id: out.purchase.id, points: out.pointsAwarded, balance: out.customerBalance };
        expect(seen).toEqual({
          replayed: true,
          id: prior.purchaseId,
          points: prior.points.toString(),
          balance: before.toString(),
        });
        expect([before, after]).toEqual([this.balance(prior.customerId), this.balance(prior.customerId)]);
        this.accepted.push(s);
      } else {
        const r = await send(s);
        expect(r.errors).toBeUndefined();
        const out = r.data!.recordPurchase;
        this.record(s, out);
        expect(out.customerBalance).toBe(this.balance(customerOf(s)).toString());
        this.accepted.push(s);
      }
    }

    private async batch(op: Extract<Op, { kind: 'batch' }>): Promise<void> {
      const items: Sub[] = [];
      const fresh: Sub[] = [];
      for (const pl of op.fresh) {
        const a = this.toSub(pl);
        fresh.push(a);
        const b = op.conflictField ? this.mutate(a, op.conflictField, op.seed) : a;
        for (let i = 0; i < op.copies; i++) items.push(i % 2 === 0 ? a : b);
      }
      for (const n of op.replays) {
        const s = this.pick(n);
        if (s) items.push(s);
      }
      for (let i = items.length - 1, x = op.seed; i > 0; i--) {
        x = (x * 1103515245 + 12345) % 2147483648;
        const j = x % (i + 1);
        [items[i], items[j]] = [items[j], items[i]];
      }
      const settled = await Promise.allSettled(items.map((s) => send(s)));
      const results = settled.map((x) => (x.status === 'fulfilled' ? x.value : { errors: [{ message: String(x.reason) }] }));
      const touched = new Set<string>();
      for (const a of fresh) {
        const mine = items.map((s, i) => ({ s, r: results[i] })).filter((x) => keyOf(x.s) === keyOf(a));
        const ok = mine.filter((x) => x.r.data?.recordPurchase);
        const refused = mine.filter((x) => !x.r.data?.recordPurchase);
        expect(refused.map((x) => errorCode(x.r) ?? x.r.errors)).toEqual(refused.map(() => 'IDEMPOTENCY_CONFLICT'));
        const winners = ok.filter((x) => !x.r.data!.recordPurchase.replayed);
        expect(winners).toHaveLength(1);
        const winner = winners[0];
        this.record(winner.s, winner.r.data!.recordPurchase);
        const won = this.keys.get(keyOf(a))!;
        for (const x of ok) {
          const out = x.r.data!.recordPurchase;
          expect({ canon: canonOf(x.s), id: out.purchase.id, points: out.pointsAwarded }).toEqual({
            canon: won.canon,
            id: won.purchaseId,
            points: won.points.toString(),
          });
        }
        for (const x of refused) expect(canonOf(x.s)).not.toBe(won.canon);
        this.accepted.push(winner.s);
        touched.add(won.customerId);
      }
      items.forEach((s, i) => {
        const prior = fresh.some((a) => keyOf(a) === keyOf(s)) ? undefined : this.keys.get(keyOf(s));
        if (!prior) return;
        expect(results[i].errors).toBeUndefined();
        const out = results[i].data!.recordPurchase;
        expect({ replayed: out.replayed, id: out.purchase.id, points: out.pointsAwarded }).toEqual({
          replayed: true,
          id: prior.purchaseId,
          points: prior.points.toString(),
        });
        touched.add(prior.customerId);
      });
      for (const c of touched) expect(await w.f.balance(c)).toBe(this.balance(c));
    }

    async apply(op: Op): Promise<void> {
      return isLifecycle(op) ? this.lifecycle.apply(op) : this.applyPurchase(op);
    }

    private async applyPurchase(op: PurchaseOp): Promise<void> {
      if (op.kind === 'new') {
        const s = this.toSub(op.payload);
        if (op.rejectFirst) {
          // A refused request records nothing and leaves the key free for the real sale.
          const before = await ledgerSnapshot(t);
          const r = await send({ ...s, input: { ...s.input, customerId: randomUUID() } });
          expect(errorCode(r)).toBe('CUSTOMER_NOT_FOUND');
          expect(await ledgerSnapshot(t)).toEqual(before);
        }
        return this.submit(s);
      }
      if (op.kind === 'batch') return this.batch(op);
      const base = this.pick(op.pick);
      if (!base) return;
      if (op.kind === 'conflict') return this.submit(this.mutate(base, op.field, op.variant));
      if (op.kind === 'otherRetailer') return this.submit({ ...base, r: (base.r + op.shift) % 3 });
      const input = { ...base.input };
      if (op.upperIds) {
        input.customerId = input.customerId.toUpperCase();
        input.productId = input.productId.toUpperCase();
      }
      if (op.reformat && base.atMicros !== null) {
        input.purchasedAt = formatInstant(base.atMicros, op.reformat.offset, op.reformat.trim);
      }
      return this.submit({ ...base, input });
    }

    async begin(): Promise<void> {
      this.baseline = await checkLedger(w);
      await this.lifecycle.begin();
    }

    async end(): Promise<void> {
      const now = await checkLedger(w);
      expect({ purchases: now.purchases, transactions: now.transactions }).toEqual({
        purchases: this.baseline.purchases + this.keys.size,
        transactions: this.baseline.transactions + this.newTransactions + this.lifecycle.transactions,
      });
      for (const c of w.customers) {
        expect({ customer: c, balance: now.balances.get(c) }).toEqual({ customer: c, balance: this.balance(c) });
      }
      const [own] = (
        await t.sql.query(
          `select count(distinct p.id)::int as purchases, count(distinct lt.id)::int as transactions
             from purchases p left join ledger_transactions lt on lt.purchase_id = p.id
            where left(p.transaction_id, length($1)) = $1`,
          [`r${this.no}-`],
        )
      ).rows;
      expect(own).toEqual({ purchases: this.keys.size, transactions: this.newTransactions });
      await this.lifecycle.end();
    }
  }

  let runs = 0;
  /** Random runs of traffic, each checked against the model as it ends. */
  const randomRuns = (numRuns: number) =>
    fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 50, size: 'max' }), async (ops) => {
        const run = new Run(++runs);
        await run.begin();
        for (const op of ops) await run.apply(op);
        await run.end();
      }),
      { numRuns, interruptAfterTimeLimit: 120_000 },
    );

  it('records, replays and refuses exactly as the model says, and the ledger always balances', async () => {
    await randomRuns(60);
  }, 180_000);

  it('adds up, over all runs, to exactly the results the POS saw', async () => {
    // Runs of its own, so that it has traffic to add up whether or not the test above ran before it.
    await randomRuns(5);
    const now = await checkLedger(w);
    expect({ purchases: now.purchases, transactions: now.transactions }).toEqual({
      purchases: observed.purchases,
      transactions: observed.transactions,
    });
    for (const c of w.customers) {
      expect({ customer: c, balance: now.balances.get(c) }).toEqual({ customer: c, balance: observed.points.get(c) ?? 0n });
    }
    const accounts = await trialBalance(t);
    for (const code of PROGRAM_ACCOUNTS) {
      expect({ code, balance: accounts.get(code) }).toEqual({ code, balance: observed.program.get(code) ?? 0n });
    }
    expect(observed.purchases).toBeGreaterThan(0);
  }, 180_000);
});
