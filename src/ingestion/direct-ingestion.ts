import { Injectable } from '@nestjs/common';
import { RetailerIdentity } from '../common/auth/principal';
import { RecordPurchaseInput } from '../purchases/dto/record-purchase.input';
import { PurchaseMetrics } from '../purchases/purchase.metrics';
import { PurchasesService } from '../purchases/purchases.service';
import { PurchaseSubmissionModel, SubmissionStatus } from './models/purchase-submission.model';
import { PurchaseIngestion } from './purchase-ingestion';

/**
 * Direct mode: a submission is recordPurchase itself (same path, same micro-batcher, same codes), so it is
 * RECORDED or refused with recordPurchase's error before the answer, and stores nothing of its own: a refused
 * submission leaves no trace, and purchaseSubmission reads the purchases table.
 */
@Injectable()
export class DirectIngestion implements PurchaseIngestion {
  constructor(
    private readonly purchases: PurchasesService,
    private readonly metrics: PurchaseMetrics,
  ) {}

  async submit(retailer: RetailerIdentity, input: RecordPurchaseInput, receivedAt: Date): Promise<PurchaseSubmissionModel> {
    try {
      const result = await this.purchases.record(retailer, input, receivedAt);
      this.metrics.succeeded(result.replayed, result.pointsAwarded);
      return recorded(result.purchase);
    } catch (error) {
      this.metrics.failed(error);
      throw error;
    }
  }

  async find(retailer: RetailerIdentity, transactionId: string): Promise<PurchaseSubmissionModel | null> {
    const purchase = await this.purchases.findByKey(retailer.id, transactionId);
    return purchase ? recorded(purchase) : null;
  }
}

function recorded(purchase: PurchaseSubmissionModel['purchase'] & object): PurchaseSubmissionModel {
  return { transactionId: purchase.transactionId, status: SubmissionStatus.RECORDED, purchase, errorCode: null };
}
