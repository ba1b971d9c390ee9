import { recordReturn, ReturnInput } from './lifecycle-api';
import { LifecycleOp, ReturnWhen, takenBackAfter, unitsToReturn } from './lifecycle-ops';
import { nowMicros, pick, RunLedger, Sold } from './lifecycle-ledger';
import { formatInstant, parseInstant } from './ledger-world';

/**
 * Returns of the run's purchases, each checked against the cumulative formula with the purchase's own snapshot:
 * recorded with exactly its step of points, replayed with the original figures, or refused with one code.
 */

export interface Returned {
  r: number;
  input: ReturnInput;
  atMicros: bigint | null;
  id: string;
  sold: Sold;
  points: bigint;
}

const MINUTE_MICROS = 60_000_000n;

export class ReturnOps {
  readonly recorded: Returned[] = [];
  /** Keys of refused returns, per retailer: free again, and sometimes reused. */
  private readonly refusedKeys: Array<{ r: number; key: string }> = [];

  constructor(private readonly l: RunLedger) {}

  private async send(r: number, input: ReturnInput) {
    const result = await recordReturn(this.l.w.t, this.l.w.retailers[r].token, input);
    const out = result.data?.recordReturn;
    if (out && !out.replayed) this.l.observer.moved(out.return.customerId, -BigInt(out.pointsReversed), 'program:returns');
    return result;
  }

  private async refuse(code: string, r: number, input: ReturnInput): Promise<void> {
    await this.l.expectRefusal(code, () => this.send(r, input));
    this.refusedKeys.push({ r, key: input.transactionId });
  }

  /**
   * The sale's instant to the microsecond. When the POS left purchasedAt out it is read from the table: the
   * API writes instants to the millisecond only.
   */
  private async purchasedAt(sold: Sold): Promise<bigint> {
    if (sold.purchasedAtMicros === null) {
      const { rows } = await this.l.w.t.sql.query<{ micros: string }>(
        'select (extract(epoch from purchased_at) * 1000000)::bigint::text as micros from purchases where id = $1',
        [sold.purchaseId],
      );
      sold.purchasedAtMicros = BigInt(rows[0].micros);
    }
    return sold.purchasedAtMicros;
  }

  /** The instant a return names, or null (left out), and whether the rules accept it for a sale at `at`. */
  private returnedAt(at: bigint, when: ReturnWhen): { micros: bigint | null; valid: boolean } {
    // Left out means "now": only when the sale is surely past (a sale may be dated up to 4 minutes ahead).
    if (when.mode === 'omit' && at < nowMicros() - 1_000_000n) return { micros: null, valid: true };
    if (when.mode === 'later') return { micros: at + when.laterMicros, valid: true };
    if (when.mode === 'early') return { micros: at - 1n, valid: false };
    if (when.mode === 'future') return { micros: nowMicros() + 6n * MINUTE_MICROS, valid: false };
    return { micros: at, valid: true };
  }

  /** The purchase a return op names: the picked sale as its retailer, or another retailer, holds it (if any). */
  target(op: Extract<LifecycleOp, { kind: 'return' }>): Sold | undefined {
    const picked = pick(this.l.books.sold(), op.pick);
    return picked && this.l.books.soldBy((picked.r + op.shift) % 3, picked.transactionId);
  }

  async record(op: Extract<LifecycleOp, { kind: 'return' }>): Promise<void> {
    const picked = pick(this.l.books.sold(), op.pick);
    if (!picked) return;
    const r = (picked.r + op.shift) % 3;
    const reusable = op.reuse ? this.refusedKeys.findIndex((k) => k.r === r) : -1;
    const transactionId = reusable >= 0 ? this.refusedKeys.splice(reusable, 1)[0].key : this.l.key('ret', op.suffix);
    const sold = this.l.books.soldBy(r, picked.transactionId);
    if (!sold) {
      // Another retailer that sold nothing under this id: a valid return otherwise, so NOT_FOUND is all that is wrong.
      return this.refuse('NOT_FOUND', r, { transactionId, purchaseTransactionId: picked.transactionId, quantity: 1 });
    }
    const remaining = sold.quantity - sold.unitsReturned;
    const quantity = unitsToReturn(op.units, op.zeroUnits, remaining);
    const soldAt = await this.purchasedAt(sold);
    const at = this.returnedAt(soldAt, op.when);
    const input: ReturnInput = { transactionId, purchaseTransactionId: sold.transactionId, quantity };
    if (at.micros !== null) input.returnedAt = formatInstant(at.micros, op.when.offset, op.when.trim);
    if (!at.valid || quantity < 1 || quantity > remaining) return this.refuse('BAD_USER_INPUT', r, input);

    const points = takenBackAfter(sold, sold.unitsReturned + quantity) - takenBackAfter(sold, sold.unitsReturned);
    const result = await this.send(r, input);
    expect(result.errors).toBeUndefined();
    const out = result.data!.recordReturn;
    sold.unitsReturned += quantity;
    this.l.moved(sold.customerId, -points, 'program:returns');
    const { id, returnedAt, recordedAt: _recordedAt, ...rest } = out.return;
    expect({ replayed: out.replayed, pointsReversed: out.pointsReversed, balance: out.customerBalance, return: rest }).toEqual({
      replayed: false,
      pointsReversed: points.toString(),
      // May be below zero: the points may have been spent already.
      balance: this.l.books.balance(sold.customerId).toString(),
      return: {
        transactionId,
        retailerId: this.l.w.retailers[r].id,
        purchaseId: sold.purchaseId,
        customerId: sold.customerId,
        quantity,
        pointsReversed: points.toString(),
      },
    });
    // To the millisecond: the API writes no more (the table keeps the microseconds, checked at the end of the run).
    if (at.micros !== null) expect(parseInstant(returnedAt) / 1000n).toBe(at.micros / 1000n);
    else expect(parseInstant(returnedAt) / 1000n).toBeGreaterThanOrEqual(soldAt / 1000n);
    this.recorded.push({ r, input, atMicros: at.micros, id, sold, points });
  }

  /** The same return again (a replay, also with its instant written another way) or with one field changed. */
  async again(op: Extract<LifecycleOp, { kind: 'returnAgain' }>): Promise<void> {
    const prior = pick(this.recorded, op.pick);
    if (!prior) return;
    const input: ReturnInput = { ...prior.input };
    if (op.change === 'reformat' && prior.atMicros !== null) {
      input.returnedAt = formatInstant(prior.atMicros, [60, -210, 0, 780][op.variant], op.variant % 2 === 0);
    } else if (op.change === 'quantity') {
      input.quantity = (prior.input.quantity % 10_000) + 1;
    } else if (op.change === 'purchase') {
      const other = this.l.books.sold().find((s) => s.r === prior.r && s.transactionId !== prior.input.purchaseTransactionId);
      input.purchaseTransactionId = op.variant % 2 === 0 && other ? other.transactionId : `${prior.input.purchaseTransactionId}-x`;
    } else if (op.change === 'returnedAt') {
      if (prior.atMicros === null) input.returnedAt = formatInstant(await this.purchasedAt(prior.sold), 0, false);
      else if (op.variant % 2 === 0) delete input.returnedAt;
      else input.returnedAt = formatInstant(prior.atMicros + 1n, 0, false);
    }
    if (op.change !== 'none' && op.change !== 'reformat') {
      return this.l.expectRefusal('IDEMPOTENCY_CONFLICT', () => this.send(prior.r, input));
    }
    const result = await this.send(prior.r, input);
    expect(result.errors).toBeUndefined();
    const out = result.data!.recordReturn;
    const { id, quantity, pointsReversed } = out.return;
    expect({ replayed: out.replayed, points: out.pointsReversed, balance: out.customerBalance, id, quantity, pointsReversed }).toEqual({
      replayed: true,
      points: prior.points.toString(),
      balance: this.l.books.balance(prior.sold.customerId).toString(),
      id: prior.id,
      quantity: prior.input.quantity,
      pointsReversed: prior.points.toString(),
    });
  }
}
