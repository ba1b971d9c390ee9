import { Inject, Injectable, Logger } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { gaugeSource } from '../../metrics/gauge-source';
import { NatsLink } from './nats-link';

/** What the stream holds for the ledger, as JetStream reports it. */
export interface IngestionBacklog {
  /** Submissions accepted and not settled yet: not delivered, or delivered and not acknowledged. */
  messages: number;
  /** Age of the oldest of them (0 when there is none): a work queue keeps only what is not settled. */
  oldestAgeSeconds: number;
  /** Messages in the dead-letter stream, waiting for an operator. */
  deadLetters: number;
}

/**
 * The gauges an operator needs when no consumer runs at all (the lag histogram then observes nothing): the
 * backlog, its oldest message's age (past NATS_STREAM_MAX_AGE_SECONDS the stream would drop it) and the dead
 * letters kept. Read from JetStream at most once per METRICS_LEDGER_READ_SECONDS, whatever the scrapers.
 */
@Injectable()
export class IngestionBacklogMetrics {
  private readonly logger = new Logger(IngestionBacklogMetrics.name);

  constructor(registry: Registry, nats: NatsLink, @Inject(APP_CONFIG) config: AppConfig) {
    const latest = gaugeSource(
      () => readBacklog(nats, config),
      config.metricsLedgerReadSeconds * 1000,
      (message) => this.logger.warn(`ingestion gauges unavailable: ${message}`),
    );
    const gauge = (name: string, help: string, pick: (b: IngestionBacklog) => number) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        async collect() {
          const backlog = await latest();
          if (backlog) this.set(pick(backlog));
        },
      });
    gauge('loyalty_ingest_backlog_messages', 'Accepted submissions not recorded or refused yet (pending or unacknowledged in the stream).', (b) => b.messages);
    gauge(
      'loyalty_ingest_oldest_backlog_age_seconds',
      'Age of the oldest accepted submission still in the stream (0 when none); the stream drops it past NATS_STREAM_MAX_AGE_SECONDS.',
      (b) => b.oldestAgeSeconds,
    );
    gauge('loyalty_ingest_dead_letter_messages', 'Messages kept in the dead-letter stream, waiting for an operator.', (b) => b.deadLetters);
  }
}

export async function readBacklog(nats: NatsLink, config: AppConfig, now = Date.now()): Promise<IngestionBacklog> {
  const { stream } = config.ingestion;
  const [main, dead] = await Promise.all([nats.jsm.streams.info(stream), nats.jsm.streams.info(`${stream}_DEAD`)]);
  const messages = main.state.messages;
  const firstAt = Date.parse(main.state.first_ts);
  return {
    messages,
    oldestAgeSeconds: messages > 0 && Number.isFinite(firstAt) ? Math.max(0, (now - firstAt) / 1000) : 0,
    deadLetters: dead.state.messages,
  };
}
