import { Controller, Get, Global, Header, Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { LedgerHealthMetrics } from './ledger-health.metrics';
import { LedgerHealthRepository } from './ledger-health.repository';
import { MovementMetrics } from './movement.metrics';
import { PoolMetrics } from './pool-metrics';
import { registerProcessMetrics } from './process-metrics';

/**
 * GET /metrics in the Prometheus text format. Public, like /health (the auth guard guards GraphQL only); it
 * shows counts and timestamps, never ids or tokens. Each application has its own registry: features add their
 * metrics to it (see reconciliation.metrics.ts, purchase.metrics.ts), and two applications in one process never
 * share one. Every family is listed in docs/ops/metrics.md.
 */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly registry: Registry) {}

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}

function createRegistry(): Registry {
  const registry = new Registry();
  registerProcessMetrics(registry);
  return registry;
}

/**
 * The registry and the metrics shared by features: the process's, the database pools', the ledger's health,
 * and MovementMetrics, which the lifecycle's resolvers call.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    { provide: Registry, useFactory: createRegistry },
    PoolMetrics,
    LedgerHealthRepository,
    LedgerHealthMetrics,
    MovementMetrics,
  ],
  exports: [Registry, MovementMetrics],
})
export class MetricsModule {}
