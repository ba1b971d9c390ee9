import { randomUUID } from 'node:crypto';
import { adjustPoints, AdjustInput, cancelRedemption, redeemPoints, RedeemInput } from './lifecycle-api';
import { KeyedChange, LifecycleOp, pointsToCredit, pointsToSpend } from './lifecycle-ops';
import { pick, RunLedger } from './lifecycle-ledger';

/**
 * Redemptions, their cancellations and adjustments of the run's customers: the model knows each balance, so it
 * knows whether a redemption or a debit is covered (recorded, never leaving a balance below zero) or refused
 * with INSUFFICIENT_POINTS and nothing changed.
 */

interface Redeemed {
  input: RedeemInput;
  id: string;
  points: bigint;
  cancelledAt: string | null;
}
interface Adjusted {
  input: AdjustInput;
  id: string;
}

/** One field of a redemption's or an adjustment's payload changed, or the customer id in capitals (the same). */
function changed<T extends { customerId: string; points: string }>(change: KeyedChange, input: T, text: keyof T & string): T {
  if (change === 'upperId') return { ...input, customerId: input.customerId.toUpperCase() };
  // Twice the points: never 0, and never the same.
  if (change === 'points') return { ...input, points: (BigInt(input.points) * 2n).toString() };
  if (change === 'text') return { ...input, [text]: `${String(input[text])} (again)` };
  return { ...input };
}
const isConflict = (change: KeyedChange) => change === 'points' || change === 'text';

export class PointsOps {
  readonly redemptions: Redeemed[] = [];
  readonly adjustments: Adjusted[] = [];
  /** Keys of refused redemptions and adjustments: free again, and sometimes reused. */
  private readonly refusedKeys = { redemptions: [] as string[], adjustments: [] as string[] };

  constructor(private readonly l: RunLedger) {}

  private async sendRedemption(input: RedeemInput) {
    const result = await redeemPoints(this.l.w.t, input);
    const out = result.data?.redeemPoints;
    if (out && !out.replayed) this.l.observer.moved(out.redemption.customerId, -BigInt(out.redemption.points), 'program:redemptions');
    return result;
  }

  async redeem(op: Extract<LifecycleOp, { kind: 'redeem' }>): Promise<void> {
    const customerId = this.l.w.customers[op.c];
    const balance = this.l.books.balance(customerId);
    const points = pointsToSpend(op.amount, balance);
    const idempotencyKey = (op.reuse && this.refusedKeys.redemptions.shift()) || this.l.key('red');
    const input: RedeemInput = { idempotencyKey, customerId, points: points.toString(), rewardReference: `reward of ${idempotencyKey}` };
    if (points > balance) {
      await this.l.expectRefusal('INSUFFICIENT_POINTS', () => this.sendRedemption(input));
      this.refusedKeys.redemptions.push(idempotencyKey);
      return;
    }
    const result = await this.sendRedemption(input);
    expect(result.errors).toBeUndefined();
    const out = result.data!.redeemPoints;
    this.l.moved(customerId, -points, 'program:redemptions');
    const { id, redeemedAt: _redeemedAt, ...rest } = out.redemption;
    expect({ replayed: out.replayed, balance: out.customerBalance, redemption: rest }).toEqual({
      replayed: false,
      balance: this.l.books.balance(customerId).toString(),
      redemption: { ...input, status: 'COMPLETED', cancelledAt: null },
    });
    expect(BigInt(out.customerBalance)).toBeGreaterThanOrEqual(0n);
    this.redemptions.push({ input, id, points, cancelledAt: null });
  }

  async redeemAgain(op: Extract<LifecycleOp, { kind: 'redeemAgain' }>): Promise<void> {
    const prior = pick(this.redemptions, op.pick);
    if (!prior) return;
    const input = changed(op.change, prior.input, 'rewardReference');
    if (isConflict(op.change)) return this.l.expectRefusal('IDEMPOTENCY_CONFLICT', () => this.sendRedemption(input));
    const result = await this.sendRedemption(input);
    expect(result.errors).toBeUndefined();
    const out = result.data!.redeemPoints;
    const { id, status, cancelledAt } = out.redemption;
    // A replay shows the redemption as it is now: CANCELLED once cancelled.
    expect({ replayed: out.replayed, balance: out.customerBalance, id, status, cancelledAt }).toEqual({
      replayed: true,
      balance: this.l.books.balance(prior.input.customerId).toString(),
      id: prior.id,
      status: prior.cancelledAt === null ? 'COMPLETED' : 'CANCELLED',
      cancelledAt: prior.cancelledAt,
    });
  }

  /** Cancels a redemption: the first time gives its points back, a second time replays; an unknown id: NOT_FOUND. */
  async cancel(op: Extract<LifecycleOp, { kind: 'cancel' }>): Promise<void> {
    if (op.unknown) return this.l.expectRefusal('NOT_FOUND', () => cancelRedemption(this.l.w.t, randomUUID()));
    const prior = pick(this.redemptions, op.pick);
    if (!prior) return;
    const result = await cancelRedemption(this.l.w.t, prior.id);
    expect(result.errors).toBeUndefined();
    const out = result.data!.cancelRedemption;
    const first = prior.cancelledAt === null;
    if (first && !out.replayed) this.l.observer.moved(out.redemption.customerId, BigInt(out.redemption.points), 'program:cancellations');
    if (first) this.l.moved(prior.input.customerId, prior.points, 'program:cancellations');
    const { id, status, cancelledAt } = out.redemption;
    expect({ replayed: out.replayed, balance: out.customerBalance, id, status }).toEqual({
      replayed: !first,
      balance: this.l.books.balance(prior.input.customerId).toString(),
      id: prior.id,
      status: 'CANCELLED',
    });
    expect(cancelledAt).toEqual(first ? expect.any(String) : prior.cancelledAt);
    prior.cancelledAt = cancelledAt;
  }

  private async sendAdjustment(input: AdjustInput) {
    const result = await adjustPoints(this.l.w.t, input);
    const out = result.data?.adjustPoints;
    if (out && !out.replayed) this.l.observer.moved(out.adjustment.customerId, BigInt(out.adjustment.points), 'program:adjustments');
    return result;
  }

  async adjust(op: Extract<LifecycleOp, { kind: 'adjust' }>): Promise<void> {
    const customerId = this.l.w.customers[op.c];
    const balance = this.l.books.balance(customerId);
    const points = op.credit ? pointsToCredit(op.amount) : -pointsToSpend(op.amount, balance);
    const idempotencyKey = (op.reuse && this.refusedKeys.adjustments.shift()) || this.l.key('adj');
    const input: AdjustInput = { idempotencyKey, customerId, points: points.toString(), reason: `Property run ${this.l.no}: ${idempotencyKey}` };
    // Only a debit can be refused: a credit is recorded even when the balance stays below zero after it.
    if (points < 0n && balance + points < 0n) {
      await this.l.expectRefusal('INSUFFICIENT_POINTS', () => this.sendAdjustment(input));
      this.refusedKeys.adjustments.push(idempotencyKey);
      return;
    }
    const result = await this.sendAdjustment(input);
    expect(result.errors).toBeUndefined();
    const out = result.data!.adjustPoints;
    this.l.moved(customerId, points, 'program:adjustments');
    const { id, createdAt: _createdAt, ...rest } = out.adjustment;
    expect({ replayed: out.replayed, balance: out.customerBalance, adjustment: rest }).toEqual({
      replayed: false,
      balance: this.l.books.balance(customerId).toString(),
      adjustment: { ...input, actor: this.l.w.t.config.adminName },
    });
    if (points < 0n) expect(BigInt(out.customerBalance)).toBeGreaterThanOrEqual(0n);
    this.adjustments.push({ input, id });
  }

  async adjustAgain(op: Extract<LifecycleOp, { kind: 'adjustAgain' }>): Promise<void> {
    const prior = pick(this.adjustments, op.pick);
    if (!prior) return;
    const input = changed(op.change, prior.input, 'reason');
    if (isConflict(op.change)) return this.l.expectRefusal('IDEMPOTENCY_CONFLICT', () => this.sendAdjustment(input));
    const result = await this.sendAdjustment(input);
    expect(result.errors).toBeUndefined();
    const out = result.data!.adjustPoints;
    const { id, points } = out.adjustment;
    expect({ replayed: out.replayed, balance: out.customerBalance, id, points }).toEqual({
      replayed: true,
      balance: this.l.books.balance(prior.input.customerId).toString(),
      id: prior.id,
      points: prior.input.points,
    });
  }
}
