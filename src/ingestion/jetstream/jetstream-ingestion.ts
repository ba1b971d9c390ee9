import { Inject, Injectable, Logger } from '@nestjs/common';
import { RetailerIdentity } from '../../common/auth/principal';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-code';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { RecordPurchaseInput } from '../../purchases/dto/record-purchase.input';
import { PurchaseModel } from '../../purchases/models/purchase.model';
import { PurchasesService } from '../../purchases/purchases.service';
import { PurchaseSubmissionModel, SubmissionStatus } from '../models/purchase-submission.model';
import { PurchaseIngestion } from '../purchase-ingestion';
import { SubmissionRefusalsRepository } from '../submission-refusals.repository';
import { IngestionMetrics } from './ingestion.metrics';
import { NATS_REQUEST_TIMEOUT_MS, NatsLink } from './nats-link';
import { assertSubmittable } from './submission-checks';
import { decodeSubmission, encodeSubmission, fingerprintOf, messageId, submissionSubject } from './submission-message';

const logger = new Logger('JetStreamIngestion');

const unavailable = () =>
  new DomainError(ErrorCode.SERVICE_UNAVAILABLE, 'The event stream is unavailable; retry the same request shortly', { retryable: true });

/**
 * Event mode (INGESTION_MODE=jetstream): a submission is stored in the JetStream stream and answered ACCEPTED once
 * the stream acknowledged it; the consumers (purchase-consumer.ts) record it later through the batch path.
 * purchaseSubmission answers from what the database holds (a recorded purchase, then a stored refusal), else from
 * the stream (a message still waiting), else null.
 */
@Injectable()
export class JetStreamIngestion implements PurchaseIngestion {
  constructor(
    private readonly nats: NatsLink,
    private readonly purchases: PurchasesService,
    private readonly refusals: SubmissionRefusalsRepository,
    private readonly metrics: IngestionMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async submit(retailer: RetailerIdentity, input: RecordPurchaseInput, receivedAt: Date): Promise<PurchaseSubmissionModel> {
    try {
      assertSubmittable(input, receivedAt, this.config.maxPurchaseAgeDays);
    } catch (error) {
      this.metrics.submitted('BAD_USER_INPUT');
      throw error;
    }
    // A publish while disconnected would be buffered by the client and maybe stored after an answer saying it was not.
    if (!this.nats.connected) return this.refuse(unavailable());
    const c = this.config.ingestion;
    let duplicate: boolean;
    try {
      const ack = await this.nats.js.publish(
        submissionSubject(c, retailer.id, input.transactionId),
        encodeSubmission({ retailerId: retailer.id, input, receivedAt }),
        { msgID: messageId(retailer.id, input.transactionId), timeout: NATS_REQUEST_TIMEOUT_MS },
      );
      duplicate = ack.duplicate;
    } catch (error) {
      logger.warn(`publish failed: ${(error as Error).message}`);
      return this.refuse(unavailable());
    }
    if (duplicate && (await this.conflictsWithStored(retailer.id, input))) {
      return this.refuse(
        new DomainError(ErrorCode.IDEMPOTENCY_CONFLICT, 'This transactionId was already submitted for this retailer with a different purchase'),
      );
    }
    this.metrics.submitted(duplicate ? 'duplicate' : 'accepted');
    return { transactionId: input.transactionId, status: SubmissionStatus.ACCEPTED, purchase: null, errorCode: null };
  }

  async find(retailer: RetailerIdentity, transactionId: string): Promise<PurchaseSubmissionModel | null> {
    const settled = await this.settled(retailer.id, transactionId);
    if (settled) return settled;
    if (await this.waiting(retailer.id, transactionId)) {
      return { transactionId, status: SubmissionStatus.ACCEPTED, purchase: null, errorCode: null };
    }
    // Consumed between the two reads: the commit (or the stored refusal) comes before the message leaves the stream.
    return this.settled(retailer.id, transactionId);
  }

  private refuse(error: DomainError): never {
    this.metrics.submitted(error.code as 'SERVICE_UNAVAILABLE' | 'IDEMPOTENCY_CONFLICT');
    throw error;
  }

  /** RECORDED or REFUSED from the database, or null when neither outcome is stored yet. */
  private async settled(retailerId: string, transactionId: string): Promise<PurchaseSubmissionModel | null> {
    const purchase = await this.purchases.findByKey(retailerId, transactionId);
    if (purchase) return recorded(purchase);
    const refusal = (await this.refusals.find(retailerId, [transactionId])).get(transactionId);
    return refusal ? { transactionId, status: SubmissionStatus.REFUSED, purchase: null, errorCode: refusal.errorCode } : null;
  }

  /** The key's message as the stream still holds it (not yet acknowledged), or null. */
  private async stored(retailerId: string, transactionId: string) {
    try {
      return await this.nats.jsm.streams.getMessage(this.config.ingestion.stream, {
        last_by_subj: submissionSubject(this.config.ingestion, retailerId, transactionId),
      });
    } catch (error) {
      logger.warn(`stream lookup failed: ${(error as Error).message}`);
      throw unavailable();
    }
  }

  private async waiting(retailerId: string, transactionId: string): Promise<boolean> {
    return (await this.stored(retailerId, transactionId)) !== null;
  }

  /**
   * Whether the purchase that the stream dropped as a duplicate differs from the first outcome of its key: the
   * recorded purchase when there is one (a resend that would replay it is no conflict, whatever other resends the
   * stream holds), else the message still waiting in the stream, else a stored refusal.
   */
  private async conflictsWithStored(retailerId: string, input: RecordPurchaseInput): Promise<boolean> {
    const fingerprint = fingerprintOf(input);
    const stored = await this.refusals.fingerprints(retailerId, input.transactionId);
    if (stored.recorded !== null) return !stored.recorded.equals(fingerprint);
    const message = await this.stored(retailerId, input.transactionId);
    if (message !== null) {
      try {
        return !fingerprintOf(decodeSubmission(message.data).input).equals(fingerprint);
      } catch {
        return false; // not ours to judge: the consumer dead-letters it
      }
    }
    // Recorded or refused since the first read: the message leaves the stream only after either is committed.
    const settled = await this.refusals.fingerprints(retailerId, input.transactionId);
    const first = settled.recorded ?? settled.refused;
    return first !== null && !first.equals(fingerprint);
  }
}

function recorded(purchase: PurchaseModel): PurchaseSubmissionModel {
  return { transactionId: purchase.transactionId, status: SubmissionStatus.RECORDED, purchase, errorCode: null };
}
