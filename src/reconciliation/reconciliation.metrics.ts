import { Injectable, Logger } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { gaugeSource } from '../metrics/gauge-source';
import { ReconciliationRunsRepository } from './reconciliation-runs.repository';

/** Unix seconds of an instant, 0 for never (the gauges' convention). */
const seconds = (at: Date | null | undefined) => (at ? at.getTime() / 1000 : 0);

/**
 * The reconciliation's gauges, read from reconciliation_runs at scrape time, so that every instance reports the
 * latest run whichever process ran it, as soon as it ended. One indexed read of one row serves all five gauges,
 * and concurrent scrapes share it. Alert on drift_count > 0, and on last_clean_run_timestamp_seconds older than a
 * day and a bit (runs stopped, keep failing, or keep finding drift: an errored run does not count as a run).
 */
@Injectable()
export class ReconciliationMetrics {
  private readonly logger = new Logger(ReconciliationMetrics.name);

  constructor(registry: Registry, runs: ReconciliationRunsRepository) {
    // Not cached across scrapes: a scrape right after a run, even one made by another process, shows it.
    const latest = gaugeSource(
      () => runs.forMetrics(),
      0,
      (message) => this.logger.warn(`reconciliation metrics unavailable: ${message}`),
    );
    new Gauge({
      name: 'loyalty_reconciliation_drift_count',
      help: 'Rows in drift found by the latest finished reconciliation run (0: clean or empty, or no run yet).',
      registers: [registry],
      async collect() {
        const read = await latest();
        if (read) this.set((read.latest?.findings ?? []).reduce((sum, f) => sum + Number(f.count), 0));
      },
    });
    new Gauge({
      name: 'loyalty_reconciliation_drift_rows',
      help: 'Rows in drift per finding (check and kind) of the latest finished reconciliation run; none when it was clean.',
      labelNames: ['check', 'kind'],
      registers: [registry],
      async collect() {
        const read = await latest();
        if (!read) return;
        // The previous run's findings go: only the latest run's are shown.
        this.reset();
        for (const f of read.latest?.findings ?? []) this.set({ check: f.check, kind: f.kind }, Number(f.count));
      },
    });
    new Gauge({
      name: 'loyalty_reconciliation_last_run_timestamp_seconds',
      help: 'When the latest reconciliation run that finished its checks ended, in Unix seconds (0: never).',
      registers: [registry],
      async collect() {
        const read = await latest();
        if (read) this.set(seconds(read.latest?.finishedAt));
      },
    });
    new Gauge({
      name: 'loyalty_reconciliation_last_run_duration_seconds',
      help: 'How long the latest reconciliation run that finished its checks took, in seconds (0: no run yet).',
      registers: [registry],
      async collect() {
        const read = await latest();
        if (read) this.set(read.latest ? seconds(read.latest.finishedAt) - seconds(read.latest.startedAt) : 0);
      },
    });
    new Gauge({
      name: 'loyalty_reconciliation_last_clean_run_timestamp_seconds',
      help: 'When the latest reconciliation run that found no drift (clean, or an empty ledger) ended, in Unix seconds (0: never).',
      registers: [registry],
      async collect() {
        const read = await latest();
        if (read) this.set(seconds(read.lastCleanAt));
      },
    });
  }
}
