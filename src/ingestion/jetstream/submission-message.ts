import { parseRfc3339 } from '../../common/time/instant';
import { IngestionConfig } from '../../config/ingestion-config';
import { RecordPurchaseInput } from '../../purchases/dto/record-purchase.input';
import { purchaseFingerprint } from '../../purchases/purchase-fingerprint';

/**
 * The message of one submission (docs/ingestion.md): published on
 * `${prefix}.submitted.<retailerId>.<base64url(transactionId)>` with the message id `<retailerId>:<transactionId>`,
 * so that the stream drops a resend within its duplicate window and the last message of a subject is the key's.
 */
export interface Submission {
  retailerId: string;
  input: RecordPurchaseInput;
  /** When the service received the submission: the purchase is judged as it would have been then. */
  receivedAt: Date;
}

/** The JSON payload: the input as sent (purchasedAt as RFC 3339 text with microseconds), receivedAt as ISO text. */
interface Payload {
  retailerId: string;
  input: {
    transactionId: string;
    customerId: string;
    productId: string;
    quantity: number;
    unitPriceCents?: number | null;
    purchasedAt?: string | null;
  };
  receivedAt: string;
}

export const submittedSubjects = (c: IngestionConfig) => `${c.subjectPrefix}.submitted.>`;
export const deadSubjects = (c: IngestionConfig) => `${c.subjectPrefix}.dead.>`;
export const deadStream = (c: IngestionConfig) => `${c.stream}_DEAD`;

export function submissionSubject(c: IngestionConfig, retailerId: string, transactionId: string): string {
  return `${c.subjectPrefix}.submitted.${retailerId}.${Buffer.from(transactionId, 'utf8').toString('base64url')}`;
}

/** A dead letter's subject: the retailer of the message when its subject names one, else `unknown`. */
export function deadSubject(c: IngestionConfig, retailerId: string | null): string {
  return `${c.subjectPrefix}.dead.${retailerId !== null && UUID.test(retailerId) ? retailerId : 'unknown'}`;
}

/** The retailer token of a submission's subject, or null when the subject is not one of ours. */
export function retailerOfSubject(c: IngestionConfig, subject: string): string | null {
  const prefix = `${c.subjectPrefix}.submitted.`;
  if (!subject.startsWith(prefix)) return null;
  const retailerId = subject.slice(prefix.length).split('.')[0];
  return UUID.test(retailerId) ? retailerId : null;
}

export const messageId = (retailerId: string, transactionId: string) => `${retailerId}:${transactionId}`;

export function encodeSubmission({ retailerId, input, receivedAt }: Submission): Uint8Array {
  const payload: Payload = {
    retailerId,
    input: {
      transactionId: input.transactionId,
      customerId: input.customerId,
      productId: input.productId,
      quantity: input.quantity,
      // A field left out stays left out: the fingerprint tells it from the same field sent as null.
      ...(input.unitPriceCents !== undefined ? { unitPriceCents: input.unitPriceCents } : {}),
      ...(input.purchasedAt !== undefined ? { purchasedAt: input.purchasedAt?.toIsoString() ?? null } : {}),
    },
    receivedAt: receivedAt.toISOString(),
  };
  return Buffer.from(JSON.stringify(payload), 'utf8');
}

export class UndecodableSubmission extends Error {
  constructor(reason: string) {
    super(`undecodable submission: ${reason}`);
    this.name = 'UndecodableSubmission';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The submission a payload carries, with the field types GraphQL would have handed recordPurchase (an Instant for
 * purchasedAt): the batch path then applies recordPurchase's own rules to it. Anything else is undecodable, which
 * no retry can change.
 */
export function decodeSubmission(data: Uint8Array): Submission {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch (error) {
    throw new UndecodableSubmission(`not JSON (${(error as Error).message})`);
  }
  const p = value as Partial<Payload> | null;
  if (p === null || typeof p !== 'object') throw new UndecodableSubmission('not a JSON object');
  if (typeof p.retailerId !== 'string' || !UUID.test(p.retailerId)) throw new UndecodableSubmission('retailerId is not a UUID');
  const receivedAt = typeof p.receivedAt === 'string' ? new Date(p.receivedAt) : null;
  if (receivedAt === null || Number.isNaN(receivedAt.getTime())) throw new UndecodableSubmission('receivedAt is not a date');
  const i = p.input;
  if (i === null || typeof i !== 'object') throw new UndecodableSubmission('input is not an object');
  for (const field of ['transactionId', 'customerId', 'productId'] as const) {
    if (typeof i[field] !== 'string') throw new UndecodableSubmission(`input.${field} is not a string`);
  }
  if (!Number.isInteger(i.quantity)) throw new UndecodableSubmission('input.quantity is not an integer');
  if (i.unitPriceCents !== undefined && i.unitPriceCents !== null && !Number.isInteger(i.unitPriceCents)) {
    throw new UndecodableSubmission('input.unitPriceCents is not an integer');
  }
  // Without the class's constructor: fields left out stay absent, as GraphQL leaves them.
  const input = Object.assign(Object.create(RecordPurchaseInput.prototype) as RecordPurchaseInput, {
    transactionId: i.transactionId,
    customerId: i.customerId,
    productId: i.productId,
    quantity: i.quantity,
  });
  if (i.unitPriceCents !== undefined) input.unitPriceCents = i.unitPriceCents;
  if (i.purchasedAt !== undefined) {
    const instant = i.purchasedAt === null ? null : typeof i.purchasedAt === 'string' ? parseRfc3339(i.purchasedAt) : null;
    if (i.purchasedAt !== null && instant === null) throw new UndecodableSubmission('input.purchasedAt is not an RFC 3339 date-time');
    input.purchasedAt = instant;
  }
  return { retailerId: p.retailerId, input, receivedAt };
}

/** The digest that decides replay versus IDEMPOTENCY_CONFLICT for the submission's purchase (purchases.payload_hash). */
export const fingerprintOf = (input: RecordPurchaseInput): Buffer => purchaseFingerprint(input);
