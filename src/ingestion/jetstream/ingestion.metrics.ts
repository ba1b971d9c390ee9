import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';

/** How a submitPurchase call in event mode ended: `accepted`, `duplicate` (accepted, dropped by the window), or a code. */
export type SubmissionStatusLabel = 'accepted' | 'duplicate' | 'BAD_USER_INPUT' | 'IDEMPOTENCY_CONFLICT' | 'SERVICE_UNAVAILABLE';
/** What a consumer did with one message. */
export type ConsumedOutcome = 'recorded' | 'replayed' | 'refused' | 'retried' | 'dead_lettered';
export type DeadLetterReason = 'undecodable' | 'max_deliver';

/**
 * Event mode's metrics (docs/ops/metrics.md), registered only when INGESTION_MODE=jetstream: submissions by how
 * they were answered, consumed messages by outcome, dead letters by reason, and the lag from a submission's
 * receipt to the commit that recorded it.
 */
@Injectable()
export class IngestionMetrics {
  private readonly submissions: Counter<'status'>;
  private readonly consumed: Counter<'outcome'>;
  private readonly deadLetters: Counter<'reason'>;
  private readonly lag: Histogram;

  constructor(registry: Registry) {
    this.submissions = new Counter({
      name: 'loyalty_ingest_submissions_total',
      help: 'submitPurchase calls in event mode, by status: accepted, duplicate (accepted; the stream already had it), or the error code answered.',
      labelNames: ['status'],
      registers: [registry],
    });
    this.consumed = new Counter({
      name: 'loyalty_ingest_consumed_total',
      help: 'Stream messages handled by the consumers, by outcome: recorded, replayed, refused (stored, terminated), retried (nak), dead_lettered.',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.deadLetters = new Counter({
      name: 'loyalty_ingest_dead_letters_total',
      help: 'Messages moved to the dead-letter stream, by reason: undecodable, or max_deliver (failed NATS_MAX_DELIVER times).',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.lag = new Histogram({
      name: 'loyalty_ingest_lag_seconds',
      help: "Time from a submission's receipt (its receivedAt) to the commit that recorded or replayed it.",
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
      registers: [registry],
    });
    for (const status of ['accepted', 'duplicate'] as const) this.submissions.labels(status).inc(0);
    for (const outcome of ['recorded', 'replayed', 'refused', 'retried', 'dead_lettered'] as const) this.consumed.labels(outcome).inc(0);
    for (const reason of ['undecodable', 'max_deliver'] as const) this.deadLetters.labels(reason).inc(0);
  }

  submitted(status: SubmissionStatusLabel): void {
    this.submissions.labels(status).inc();
  }

  handled(outcome: ConsumedOutcome, count = 1): void {
    if (count > 0) this.consumed.labels(outcome).inc(count);
  }

  deadLettered(reason: DeadLetterReason): void {
    this.deadLetters.labels(reason).inc();
    this.consumed.labels('dead_lettered').inc();
  }

  committed(receivedAt: Date, now = Date.now()): void {
    this.lag.observe(Math.max(0, now - receivedAt.getTime()) / 1000);
  }
}
