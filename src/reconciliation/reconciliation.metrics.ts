import { Injectable, Logger } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { ReconciliationRunsRepository } from './reconciliation-runs.repository';

/**
 * The reconciliation's gauges, read from reconciliation_runs at scrape time, so that every instance reports the
 * latest run whichever process ran it. Alert on drift_count > 0, and on last_run_timestamp_seconds older than a
 * day and a bit (runs stopped, or keep failing: an errored run does not count as a run).
 */
@Injectable()
export class ReconciliationMetrics {
  private readonly logger = new Logger(ReconciliationMetrics.name);

  constructor(registry: Registry, runs: ReconciliationRunsRepository) {
    const latest = async () => {
      try {
        return { run: await runs.latestFinished() };
      } catch (error) {
        this.logger.warn(`reconciliation metrics unavailable: ${(error as Error).message}`);
        return null;
      }
    };
    new Gauge({
      name: 'loyalty_reconciliation_drift_count',
      help: 'Rows in drift found by the latest finished reconciliation run (0: clean or empty, or no run yet).',
      registers: [registry],
      async collect() {
        const read = await latest();
        if (read) this.set(read.run ? Number(read.run.driftCount) : 0);
      },
    });
    new Gauge({
      name: 'loyalty_reconciliation_last_run_timestamp_seconds',
      help: 'When the latest reconciliation run that finished its checks ended, in Unix seconds (0: never).',
      registers: [registry],
      async collect() {
        const read = await latest();
        if (read) this.set(read.run ? read.run.finishedAt.getTime() / 1000 : 0);
      },
    });
  }
}
