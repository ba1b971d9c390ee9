import { Controller, Get, Global, Header, Module } from '@nestjs/common';
import { Registry } from 'prom-client';

/**
 * GET /metrics in the Prometheus text format. Public, like /health (the auth guard guards GraphQL only); it
 * shows counts and timestamps, never ids or tokens. Each application has its own registry: features add their
 * metrics to it (see reconciliation.metrics.ts), and two applications in one process never share one.
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

@Global()
@Module({
  controllers: [MetricsController],
  providers: [{ provide: Registry, useFactory: () => new Registry() }],
  exports: [Registry],
})
export class MetricsModule {}
