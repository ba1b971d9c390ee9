import { Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { errorOutcome } from './outcomes';
import { SeriesCache } from './series-cache';

/** The lifecycle's movements of points, as the `kind` label names them. */
export type MovementKind = 'return' | 'redemption' | 'cancellation' | 'adjustment';

/** Which way a movement moved the customer's points. */
export type Direction = 'credit' | 'debit';

/** The label series each kind can produce, made at start so that every one reads 0 before its first movement. */
const DIRECTIONS: Record<MovementKind, Direction[]> = {
  return: ['debit'],
  redemption: ['debit'],
  cancellation: ['credit'],
  adjustment: ['credit', 'debit'],
};

/**
 * Counts of the lifecycle's movements (returns, redemptions, cancellations, adjustments) and of the points they
 * moved, for every feature to call from its resolver, once per movement:
 *
 *   try {
 *     const result = await this.service.doIt(...);
 *     this.movements.succeeded('redemption', result.replayed, -result.redemption.points);
 *     return result;
 *   } catch (error) {
 *     this.movements.failed('redemption', error);
 *     throw error;
 *   }
 */
@Injectable()
export class MovementMetrics {
  private readonly movements: SeriesCache<Counter.Internal>;
  private readonly points: SeriesCache<Counter.Internal>;

  constructor(registry: Registry) {
    const movements = new Counter({
      name: 'loyalty_ledger_movements_total',
      help: 'Returns, redemptions, cancellations and adjustments answered, by kind and outcome (recorded, replayed or the error code).',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    });
    const points = new Counter({
      name: 'loyalty_ledger_movement_points_total',
      help: "Points moved by recorded movements, by kind and direction: credit (to the customer) or debit (from the customer).",
      labelNames: ['kind', 'direction'],
      registers: [registry],
    });
    this.movements = new SeriesCache((kind, outcome) => movements.labels(kind, outcome));
    this.points = new SeriesCache((kind, direction) => points.labels(kind, direction));
    for (const [kind, directions] of Object.entries(DIRECTIONS)) {
      for (const outcome of ['recorded', 'replayed']) this.movements.get(kind, outcome).inc(0);
      for (const direction of directions) this.points.get(kind, direction).inc(0);
    }
  }

  /**
   * A movement answered with a result. `customerPoints` is what it did to the customer's balance, signed: a
   * return's -pointsReversed, a redemption's -points, a cancellation's +points, an adjustment's points. A replay
   * is counted, but moved nothing new: its points are not.
   */
  succeeded(kind: MovementKind, replayed: boolean, customerPoints: bigint): void {
    if (replayed) {
      this.movements.get(kind, 'replayed').inc();
      return;
    }
    this.movements.get(kind, 'recorded').inc();
    // A double counts integers exactly up to 2^53 points in all, more than any program issues.
    if (customerPoints > 0n) this.points.get(kind, 'credit').inc(Number(customerPoints));
    else if (customerPoints < 0n) this.points.get(kind, 'debit').inc(Number(-customerPoints));
  }

  /** A movement refused or failed: counted under the code its client is answered with (outcomes.ts). */
  failed(kind: MovementKind, error: unknown): void {
    this.movements.get(kind, errorOutcome(error)).inc();
  }
}
