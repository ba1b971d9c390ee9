import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { SQL_POOL } from '../database/database.module';

/** The error codes a submission can be refused with for good (migration 0013's CHECK). */
export const REFUSABLE_CODES = ['CUSTOMER_NOT_FOUND', 'PRODUCT_NOT_FOUND', 'IDEMPOTENCY_CONFLICT', 'BAD_USER_INPUT'] as const;
export type RefusableCode = (typeof REFUSABLE_CODES)[number];

export interface Refusal {
  retailerId: string;
  transactionId: string;
  errorCode: RefusableCode;
  message: string;
  /** The refused purchase's fingerprint (purchaseFingerprint). */
  payloadHash: Buffer;
  streamSequence: number;
}

export interface StoredRefusal {
  transactionId: string;
  errorCode: RefusableCode;
  message: string;
  refusedAt: Date;
}

/** What the database holds of one key: the recorded purchase's fingerprint, the stored refusal's. */
export interface KeyFingerprints {
  recorded: Buffer | null;
  refused: Buffer | null;
}

/**
 * submission_refusals (migration 0013): the outcome of submissions that can never be recorded, first outcome
 * wins. Append-only: a refusal is inserted once and never changed.
 */
@Injectable()
export class SubmissionRefusalsRepository {
  constructor(@Inject(SQL_POOL) private readonly pool: Pool) {}

  /**
   * Stores a consumed batch's refusals in one statement; a key that already has one keeps it (a redelivered or
   * resent message refused again changes nothing). Resolves once committed.
   */
  async insertAll(refusals: readonly Refusal[]): Promise<void> {
    if (refusals.length === 0) return;
    await this.pool.query({
      name: 'submission_refusals_insert',
      text: `insert into submission_refusals (retailer_id, transaction_id, error_code, message, payload_hash, stream_sequence)
             select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bytea[], $6::bigint[])
             on conflict (retailer_id, transaction_id) do nothing`,
      values: [
        refusals.map((r) => r.retailerId),
        refusals.map((r) => r.transactionId),
        refusals.map((r) => r.errorCode),
        refusals.map((r) => r.message.slice(0, 1000)),
        refusals.map((r) => r.payloadHash),
        refusals.map((r) => r.streamSequence.toString()),
      ],
    });
  }

  /** The retailer's refusals among these transaction ids, by transaction id. */
  async find(retailerId: string, transactionIds: readonly string[]): Promise<Map<string, StoredRefusal>> {
    const { rows } = await this.pool.query<{ transaction_id: string; error_code: RefusableCode; message: string; refused_at: Date }>({
      name: 'submission_refusals_find',
      text: `select transaction_id, error_code, message, refused_at from submission_refusals
              where retailer_id = $1 and transaction_id = any($2::text[])`,
      values: [retailerId, transactionIds],
    });
    return new Map(
      rows.map((r) => [r.transaction_id, { transactionId: r.transaction_id, errorCode: r.error_code, message: r.message, refusedAt: r.refused_at }]),
    );
  }

  /** The fingerprints stored under a key, to tell a resend from a conflicting one once its message is gone. */
  async fingerprints(retailerId: string, transactionId: string): Promise<KeyFingerprints> {
    const { rows } = await this.pool.query<{ recorded: Buffer | null; refused: Buffer | null }>({
      name: 'submission_key_fingerprints',
      text: `select (select payload_hash from purchases where retailer_id = $1 and transaction_id = $2) as recorded,
                    (select payload_hash from submission_refusals where retailer_id = $1 and transaction_id = $2) as refused`,
      values: [retailerId, transactionId],
    });
    return rows[0];
  }
}
