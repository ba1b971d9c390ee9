import { RetailerIdentity } from '../common/auth/principal';
import { RecordPurchaseInput } from '../purchases/dto/record-purchase.input';
import { PurchaseSubmissionModel } from './models/purchase-submission.model';

/**
 * How submitPurchase hands a purchase over and purchaseSubmission reads it back. The direct mode records before
 * answering (DirectIngestion); an event mode stores the purchase in a stream and answers ACCEPTED, recording it
 * later. The resolver does not know which one runs.
 */
export interface PurchaseIngestion {
  /** The submission's state once it is stored durably; a refusal the mode decides at once is thrown (DomainError). */
  submit(retailer: RetailerIdentity, input: RecordPurchaseInput, receivedAt: Date): Promise<PurchaseSubmissionModel>;
  /** The retailer's own submission under transactionId, or null when nothing was submitted under it. */
  find(retailer: RetailerIdentity, transactionId: string): Promise<PurchaseSubmissionModel | null>;
}

export const PURCHASE_INGESTION = Symbol('PURCHASE_INGESTION');
