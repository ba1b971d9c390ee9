import { Inject, Injectable, Logger } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { APP_CONFIG, AppConfig } from '../config/config';
import { gaugeSource } from './gauge-source';
import { LedgerHealthRepository } from './ledger-health.repository';

/**
 * Live gauges of what the ledger holds: the points outstanding and each program account's balance. They are
 * read from the database at most once per METRICS_LEDGER_READ_SECONDS, whatever the number of scrapers, and
 * concurrent scrapes share one read (shared-read.ts). Between reads a scrape shows the last figures; when a
 * read fails they stay as they were, and the failure is logged once per interval.
 */
@Injectable()
export class LedgerHealthMetrics {
  private readonly logger = new Logger(LedgerHealthMetrics.name);

  constructor(registry: Registry, repository: LedgerHealthRepository, @Inject(APP_CONFIG) config: AppConfig) {
    // The repository's method looked up at each read, not bound once (a test counts the reads with a spy).
    const latest = gaugeSource(
      () => repository.read(),
      config.metricsLedgerReadSeconds * 1000,
      (message) => this.logger.warn(`ledger gauges unavailable: ${message}`),
    );
    new Gauge({
      name: 'loyalty_points_outstanding',
      help: 'Points the customers hold in all (the sum of their balances), read at most once per METRICS_LEDGER_READ_SECONDS.',
      registers: [registry],
      async collect() {
        const health = await latest();
        // A double holds the sum exactly up to 2^53 points.
        if (health) this.set(Number(health.pointsOutstanding));
      },
    });
    new Gauge({
      name: 'loyalty_program_account_balance',
      help: "A program account's balance (negative: points it gave out), read at most once per METRICS_LEDGER_READ_SECONDS.",
      labelNames: ['account'],
      registers: [registry],
      async collect() {
        const health = await latest();
        if (health) for (const account of health.programAccounts) this.set({ account: account.code }, Number(account.balance));
      },
    });
  }
}
