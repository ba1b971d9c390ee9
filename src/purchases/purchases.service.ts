import { Inject, Injectable } from '@nestjs/common';
import { RetailerIdentity } from '../common/auth/principal';
import { badInput, DomainError } from '../common/errors/domain-error';
import { uuidV7 } from '../common/ids/uuid-v7';
import { ErrorCode } from '../common/errors/error-code';
import { Instant } from '../common/time/instant';
import { localDateAt } from '../common/time/local-date';
import { APP_CONFIG, AppConfig } from '../config/config';
import { purchasePostings, purchaseTransactionKey } from '../ledger/ledger';
import { ProductCatalog } from '../products/product-catalog';
import { formatAwardRate } from '../promotions/award-rate';
import { PromotionCatalog } from '../promotions/promotion-catalog';
import { selectPromotion } from '../promotions/promotion-rules';
import { RecordPurchaseInput } from './dto/record-purchase.input';
import { PurchaseModel } from './models/purchase.model';
import { pointsFor, totalPriceCents } from './points';
import { purchaseFingerprint } from './purchase-fingerprint';
import { PurchasesRepository, PurchaseToRecord, RecordedPurchase, RecordOutcome } from './purchases.repository';

/** A sale may be stamped up to this far ahead of the service's clock (POS clocks drift). */
const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * recordPurchase's purchasedAt window around the moment the purchase was received: the one rule of its time that
 * needs no lookup, so submitPurchase applies it before accepting and the consumer judges at the same receivedAt.
 */
export function assertPurchaseWindow(purchasedAt: Date, receivedAt: Date, maxPurchaseAgeDays: number): void {
  if (purchasedAt.getTime() > receivedAt.getTime() + MAX_FUTURE_SKEW_MS) {
    throw badInput('purchasedAt is more than 5 minutes in the future');
  }
  if (purchasedAt.getTime() < receivedAt.getTime() - maxPurchaseAgeDays * DAY_MS) {
    throw badInput(`purchasedAt is more than ${maxPurchaseAgeDays} days in the past`);
  }
}

export interface PurchaseResult {
  purchase: PurchaseModel;
  pointsAwarded: bigint;
  customerBalance: bigint;
  replayed: boolean;
  outcome: RecordOutcome;
}

@Injectable()
export class PurchasesService {
  constructor(
    private readonly products: ProductCatalog,
    private readonly promotions: PromotionCatalog,
    private readonly repository: PurchasesRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Records a sale at `retailer` and credits its points exactly once. The input's shape was validated at the
   * edge; here: the time window, the product, the promotion in force on the retailer's local date, the points
   * and the ledger postings. The database then decides, atomically, between recorded, replayed and conflict.
   */
  async record(retailer: RetailerIdentity, input: RecordPurchaseInput, receivedAt: Date): Promise<PurchaseResult> {
    return purchaseResult(await this.repository.record(await this.price(retailer, input, receivedAt)));
  }

  /**
   * Everything recordPurchase decides before the database does (recordPurchases shares it item by item): the
   * purchase as it would be stored, or the DomainError it is refused with.
   */
  async price(retailer: RetailerIdentity, input: RecordPurchaseInput, receivedAt: Date): Promise<PurchaseToRecord> {
    const purchasedAt = input.purchasedAt ?? Instant.fromDate(receivedAt);
    assertPurchaseWindow(purchasedAt.toDate(), receivedAt, this.config.maxPurchaseAgeDays);

    const productId = input.productId.toLowerCase();
    const customerId = input.customerId.toLowerCase();
    const product = await this.products.find(productId);
    if (!product) throw new DomainError(ErrorCode.PRODUCT_NOT_FOUND, 'Product not found');

    const unitPriceCents = input.unitPriceCents ?? product.priceCents;
    const catalog = this.promotions.snapshotFor(productId);
    const promotion = selectPromotion(catalog.versions, {
      productId,
      retailerId: retailer.id,
      retailerRegion: retailer.region,
      localDate: localDateAt(purchasedAt.toDate(), retailer.timezone),
    });
    const points = pointsFor(totalPriceCents(input.quantity, unitPriceCents), promotion?.awardRate ?? null);
    const purchaseId = uuidV7();
    return {
      id: purchaseId,
      retailerId: retailer.id,
      transactionId: input.transactionId,
      customerId,
      productId,
      quantity: input.quantity,
      unitPriceCents,
      purchasedAt: purchasedAt.toIsoString(),
      payloadHash: purchaseFingerprint(input),
      promotionId: promotion?.id ?? null,
      awardRate: promotion ? formatAwardRate(promotion.awardRate) : null,
      points,
      ledgerKey: purchaseTransactionKey(purchaseId),
      postings: purchasePostings(customerId, points),
      catalogSeq: catalog.catalogSeq,
    };
  }

  findByKey(retailerId: string, transactionId: string): Promise<PurchaseModel | null> {
    return this.repository.findByKey(retailerId.toLowerCase(), transactionId);
  }


}

/** The answer recordPurchase gives for what the database decided: a conflict is refused. */
export function purchaseResult(recorded: RecordedPurchase): PurchaseResult {
  if (recorded.outcome === 'conflict') {
    throw new DomainError(
      ErrorCode.IDEMPOTENCY_CONFLICT,
      'This transactionId was already recorded for this retailer with a different purchase',
    );
  }
  return {
    purchase: recorded.purchase,
    pointsAwarded: recorded.purchase.pointsEarned,
    customerBalance: recorded.customerBalance,
    replayed: recorded.outcome === 'replayed',
    outcome: recorded.outcome,
  };
}
