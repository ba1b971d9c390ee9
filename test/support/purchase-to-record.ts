import { randomBytes } from 'node:crypto';
import { uuidV7 } from '../../src/common/ids/uuid-v7';
import { purchasePostings, purchaseTransactionKey } from '../../src/ledger/ledger';
import { PurchaseToRecord } from '../../src/purchases/purchases.repository';

/** What a test says of a purchase; the rest is what the service would fill in. */
export interface PurchaseSpec {
  retailerId: string;
  customerId: string;
  productId: string;
  transactionId: string;
  quantity?: number;
  unitPriceCents?: number;
  promotionId?: string | null;
  awardRate?: string | null;
  /** Points as the test computed them; the database's CHECK holds them to the formula. */
  points?: bigint;
  purchasedAt?: string;
  payloadHash?: Buffer;
}

/**
 * A purchase as PurchasesService.price() would hand it to the repository (not a test file itself): a fresh
 * time-ordered id, the ledger key made from it, the postings of its points. Defaults: one unit at 1,000 cents,
 * no promotion, no points, purchased now, a random payload digest.
 */
export function purchaseToRecord(spec: PurchaseSpec): PurchaseToRecord {
  const id = uuidV7();
  const points = spec.points ?? 0n;
  return {
    id,
    retailerId: spec.retailerId,
    transactionId: spec.transactionId,
    customerId: spec.customerId,
    productId: spec.productId,
    quantity: spec.quantity ?? 1,
    unitPriceCents: spec.unitPriceCents ?? 1000,
    purchasedAt: spec.purchasedAt ?? new Date().toISOString(),
    payloadHash: spec.payloadHash ?? randomBytes(32),
    promotionId: spec.promotionId ?? null,
    awardRate: spec.awardRate ?? null,
    points,
    ledgerKey: purchaseTransactionKey(id),
    postings: purchasePostings(spec.customerId, points),
    catalogSeq: 0n,
  };
}
