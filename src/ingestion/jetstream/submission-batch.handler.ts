import { Inject, Injectable, Logger } from '@nestjs/common';
import type { JsMsg } from '@nats-io/jetstream';
import { headers } from '@nats-io/nats-core';
import { ItemResult } from '../../common/batching/micro-batcher';
import { DomainError } from '../../common/errors/domain-error';
import { isTransientDatabaseFailure } from '../../common/errors/transient-failure';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { RETRY_CAP_MS } from '../../config/ingestion-config';
import { RetailerIdentity } from '../../common/auth/principal';
import { PurchaseBatchService } from '../../purchases/purchase-batch.service';
import { PurchaseResult } from '../../purchases/purchases.service';
import { Refusal, REFUSABLE_CODES, RefusableCode, SubmissionRefusalsRepository } from '../submission-refusals.repository';
import { IngestionMetrics } from './ingestion.metrics';
import { NATS_REQUEST_TIMEOUT_MS, NatsLink } from './nats-link';
import { RetailersById } from './retailers-by-id';
import { decodeSubmission, deadSubject, fingerprintOf, retailerOfSubject, Submission } from './submission-message';

const logger = new Logger('IngestConsumer');
const REFUSABLE = new Set<string>(REFUSABLE_CODES);

interface Item {
  msg: JsMsg;
  submission: Submission;
}

/**
 * What a consumer does with one pulled batch (docs/ingestion.md): the messages are decoded, their retailers looked
 * up, and recorded through the batch path in one recordEach, in stream order (each item for its own retailer). Each
 * message is then settled by its outcome:
 * - recorded or replayed: acknowledged, after the commit (recordEach resolves once committed);
 * - refused for good (REFUSABLE_CODES): the refusal is stored (first outcome wins), then the message is terminated;
 * - the database did not answer: nak with backoff, as often as it takes (no retry can do harm: the database's
 *   unique key decides replay or conflict, so a redelivery never credits twice);
 * - any other failure: nak with backoff until NATS_MAX_DELIVER deliveries, then it goes to the dead-letter stream
 *   and is terminated; an undecodable message goes there at once.
 * A message is never acknowledged or terminated before what it stands for is durable in PostgreSQL or in the
 * dead-letter stream: a crash at any point leaves it to be delivered again.
 */
@Injectable()
export class SubmissionBatchHandler {
  constructor(
    private readonly batch: PurchaseBatchService,
    private readonly nats: NatsLink,
    private readonly retailers: RetailersById,
    private readonly refusals: SubmissionRefusalsRepository,
    private readonly metrics: IngestionMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async handle(messages: readonly JsMsg[]): Promise<void> {
    // A batch that waits on a slow database must not outlive the ack wait and be delivered to another loop meanwhile.
    const keepAlive = setInterval(() => messages.forEach((m) => m.working()), (this.config.ingestion.ackWaitSeconds * 1000) / 3);
    try {
      const decoded: Item[] = [];
      for (const msg of messages) {
        try {
          decoded.push({ msg, submission: decodeSubmission(msg.data) });
        } catch (error) {
          await this.deadLetter(msg, 'undecodable', (error as Error).message);
        }
      }
      const known = await this.withRetailers(decoded);
      if (known.length > 0) await this.record(known);
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** The items whose retailer exists, with it; the others are settled as failures (retried, then dead-lettered). */
  private async withRetailers(items: Item[]): Promise<Array<Item & { retailer: RetailerIdentity }>> {
    const retailers = new Map<string, RetailerIdentity | null | Error>();
    for (const id of new Set(items.map((i) => i.submission.retailerId))) {
      retailers.set(id, await this.retailers.find(id).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))));
    }
    const known: Array<Item & { retailer: RetailerIdentity }> = [];
    for (const item of items) {
      const retailer = retailers.get(item.submission.retailerId);
      if (retailer instanceof Error) await this.settleFailure(item.msg, retailer);
      else if (!retailer) await this.failed(item.msg, `no retailer ${item.submission.retailerId}`);
      else known.push({ ...item, retailer });
    }
    return known;
  }

  /**
   * The whole pull in one call of the batch path, whatever the number of retailers in it: statements of up to
   * 500 purchases rather than one small statement per retailer (the database's cost per purchase falls with the
   * statement's size, docs/performance.md).
   */
  private async record(items: Array<Item & { retailer: RetailerIdentity }>): Promise<void> {
    let results: Array<ItemResult<PurchaseResult>>;
    try {
      results = await this.batch.recordEach(
        items.map(({ retailer, submission }) => ({ retailer, input: submission.input, receivedAt: submission.receivedAt })),
      );
    } catch (error) {
      for (const item of items) await this.settleFailure(item.msg, error);
      return;
    }

    const refused: Array<{ msg: JsMsg; refusal: Refusal }> = [];
    for (const [k, result] of results.entries()) {
      const { msg, submission } = items[k];
      if (result.ok) {
        msg.ack();
        this.metrics.handled(result.value.replayed ? 'replayed' : 'recorded');
        this.metrics.committed(submission.receivedAt);
      } else if (result.error instanceof DomainError && REFUSABLE.has(result.error.code)) {
        const refusal = refusalOf(submission, result.error, msg.info.streamSequence);
        // A key the refusals table cannot hold (only a message published around the service can carry one) goes to
        // the dead letters alone, rather than failing the whole batch's insert.
        if (storable(refusal)) refused.push({ msg, refusal });
        else await this.deadLetter(msg, 'undecodable', `refused (${refusal.errorCode}) under a transactionId that cannot be stored`);
      } else {
        await this.settleFailure(msg, result.error);
      }
    }
    if (refused.length === 0) return;
    try {
      await this.refusals.insertAll(refused.map((r) => r.refusal));
    } catch (error) {
      for (const { msg } of refused) await this.settleFailure(msg, error);
      return;
    }
    // No reason text: servers before 2.10.4 ignore a "+TERM <reason>" acknowledgement altogether.
    for (const { msg } of refused) msg.term();
    this.metrics.handled('refused', refused.length);
  }

  /** A failure that is not a refusal: retried while the database is away, bounded by NATS_MAX_DELIVER otherwise. */
  private async settleFailure(msg: JsMsg, error: unknown): Promise<void> {
    if (isTransientDatabaseFailure(error)) {
      this.retry(msg);
      return;
    }
    logger.error(`message ${msg.info.streamSequence} failed (delivery ${msg.info.deliveryCount}): ${describe(error)}`);
    await this.failed(msg, describe(error));
  }

  private async failed(msg: JsMsg, reason: string): Promise<void> {
    if (msg.info.deliveryCount >= this.config.ingestion.maxDeliver) await this.deadLetter(msg, 'max_deliver', reason);
    else this.retry(msg);
  }

  private retry(msg: JsMsg): void {
    msg.nak(retryDelayMs(this.config.ingestion.retryBaseMs, msg.info.deliveryCount));
    this.metrics.handled('retried');
  }

  /**
   * Stores the message as it is in the dead-letter stream, with why, then terminates it; if the dead-letter stream
   * does not take it, the message stays where it is and comes back later.
   */
  private async deadLetter(msg: JsMsg, reason: 'undecodable' | 'max_deliver', detail: string): Promise<void> {
    const c = this.config.ingestion;
    const h = headers();
    h.set('Loyalty-Dead-Reason', reason);
    h.set('Loyalty-Error', oneLine(detail));
    h.set('Loyalty-Subject', msg.subject);
    h.set('Loyalty-Stream-Sequence', String(msg.info.streamSequence));
    h.set('Loyalty-Deliveries', String(msg.info.deliveryCount));
    try {
      await this.nats.js.publish(deadSubject(c, retailerOfSubject(c, msg.subject)), msg.data, {
        headers: h,
        // A dead letter published twice (a crash before the term) is stored once.
        msgID: `dead:${c.stream}:${msg.info.streamSequence}`,
        timeout: NATS_REQUEST_TIMEOUT_MS,
      });
    } catch (error) {
      logger.warn(`dead letter of message ${msg.info.streamSequence} not stored, retried later: ${(error as Error).message}`);
      this.retry(msg);
      return;
    }
    logger.warn(`message ${msg.info.streamSequence} dead-lettered (${reason}): ${oneLine(detail)}`);
    msg.term();
    this.metrics.deadLettered(reason);
  }
}

/** The base, doubling per delivery, capped at RETRY_CAP_MS. */
export function retryDelayMs(baseMs: number, deliveryCount: number): number {
  return Math.min(RETRY_CAP_MS, baseMs * 2 ** Math.min(20, Math.max(0, deliveryCount - 1)));
}

function refusalOf(submission: Submission, error: DomainError, streamSequence: number): Refusal {
  return {
    retailerId: submission.retailerId,
    transactionId: submission.input.transactionId,
    errorCode: error.code as RefusableCode,
    message: error.message,
    payloadHash: fingerprintOf(submission.input),
    streamSequence,
  };
}

/** What migration 0013's CHECKs accept: a refusal outside them would fail the insert of its whole batch. */
function storable(refusal: Refusal): boolean {
  const length = [...refusal.transactionId].length;
  return length >= 1 && length <= 128;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

const oneLine = (text: string) => text.replace(/[\r\n]+/g, ' ').slice(0, 500);
