import { Registry } from 'prom-client';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-code';
import { MovementMetrics } from './movement.metrics';

/** Every series of a metric as "label=value,... value", sorted. */
async function series(registry: Registry, name: string): Promise<string[]> {
  const metric = registry.getSingleMetric(name);
  const { values } = await metric!.get();
  return values
    .map((v) => `${Object.entries(v.labels).map(([k, l]) => `${k}=${l}`).join(',')} ${v.value}`)
    .sort();
}

describe('MovementMetrics', () => {
  it('starts every series a kind can produce at 0', async () => {
    const registry = new Registry();
    new MovementMetrics(registry);
    expect(await series(registry, 'loyalty_ledger_movement_points_total')).toEqual([
      'kind=adjustment,direction=credit 0',
      'kind=adjustment,direction=debit 0',
      'kind=cancellation,direction=credit 0',
      'kind=redemption,direction=debit 0',
      'kind=return,direction=debit 0',
    ]);
    expect(await series(registry, 'loyalty_ledger_movements_total')).toHaveLength(8);
  });

  it('counts each movement once, its points by their sign, a replay without points, a failure by its code', async () => {
    const registry = new Registry();
    const m = new MovementMetrics(registry);
    m.succeeded('return', false, -30n);
    m.succeeded('return', true, -30n);
    m.succeeded('redemption', false, -100n);
    m.succeeded('cancellation', false, 100n);
    m.succeeded('adjustment', false, 50n);
    m.succeeded('adjustment', false, -20n);
    m.succeeded('adjustment', false, 0n);
    m.failed('redemption', new DomainError(ErrorCode.INSUFFICIENT_POINTS, 'no'));
    m.failed('redemption', new DomainError(ErrorCode.INSUFFICIENT_POINTS, 'no'));
    m.failed('cancellation', new Error('bug'));
    expect(await series(registry, 'loyalty_ledger_movement_points_total')).toEqual([
      'kind=adjustment,direction=credit 50',
      'kind=adjustment,direction=debit 20',
      'kind=cancellation,direction=credit 100',
      'kind=redemption,direction=debit 100',
      'kind=return,direction=debit 30',
    ]);
    expect(await series(registry, 'loyalty_ledger_movements_total')).toEqual([
      'kind=adjustment,outcome=recorded 3',
      'kind=adjustment,outcome=replayed 0',
      'kind=cancellation,outcome=INTERNAL_SERVER_ERROR 1',
      'kind=cancellation,outcome=recorded 1',
      'kind=cancellation,outcome=replayed 0',
      'kind=redemption,outcome=INSUFFICIENT_POINTS 2',
      'kind=redemption,outcome=recorded 1',
      'kind=redemption,outcome=replayed 0',
      'kind=return,outcome=recorded 1',
      'kind=return,outcome=replayed 1',
    ]);
  });
});
