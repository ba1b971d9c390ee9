import { Injectable } from '@nestjs/common';
import { RetailerIdentity } from '../common/auth/principal';
import { badInput, DomainError, notFound } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-code';
import { uuidV7 } from '../common/ids/uuid-v7';
import { Instant } from '../common/time/instant';
import { RecordReturnInput } from './dto/record-return.input';
import { PurchaseReturnModel } from './models/purchase-return.model';
import { returnFingerprint } from './return-fingerprint';
import { ReturnsRepository } from './returns.repository';

/** A return may be stamped up to this far ahead of the service's clock (POS clocks drift), as a purchase may. */
const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

export interface ReturnResult {
  return: PurchaseReturnModel;
  pointsReversed: bigint;
  customerBalance: bigint;
  replayed: boolean;
  outcome: 'recorded' | 'replayed';
}

@Injectable()
export class ReturnsService {
  constructor(private readonly repository: ReturnsRepository) {}

  /**
   * Records the return of some units of a purchase that `retailer` recorded and takes back the points they
   * earned. The input's shape was validated at the edge; here only the rule that needs no lookup (returnedAt not
   * in the future). Everything that depends on the purchase or on its earlier returns (the purchase is this
   * retailer's, units left, not before the sale, the points by the cumulative formula of return-points.ts,
   * replay versus conflict) is decided by the database in one statement under the customer's lock, so that
   * concurrent returns never return more units than were bought.
   */
  async record(retailer: RetailerIdentity, input: RecordReturnInput, receivedAt: Date): Promise<ReturnResult> {
    const returnedAt = input.returnedAt ?? Instant.fromDate(receivedAt);
    if (returnedAt.toDate().getTime() > receivedAt.getTime() + MAX_FUTURE_SKEW_MS) {
      throw badInput('returnedAt is more than 5 minutes in the future');
    }

    const decision = await this.repository.record({
      id: uuidV7(),
      retailerId: retailer.id,
      transactionId: input.transactionId,
      purchaseTransactionId: input.purchaseTransactionId,
      quantity: input.quantity,
      returnedAt: returnedAt.toIsoString(),
      // As sent: a left-out returnedAt differs from one sent with the time it defaulted to.
      payloadHash: returnFingerprint(input),
    });
    switch (decision.outcome) {
      case 'purchase_not_found':
        throw notFound('Purchase not found: this retailer recorded no purchase with this purchaseTransactionId');
      case 'units_exceeded':
        throw badInput(
          decision.unitsLeft === 0
            ? 'Every unit of this purchase was already returned'
            : `Only ${decision.unitsLeft} unit(s) of this purchase are left to return`,
        );
      case 'before_purchase':
        throw badInput(`returnedAt is before the purchase (purchasedAt ${decision.purchasedAt.toISOString()})`);
      case 'conflict':
        throw new DomainError(
          ErrorCode.IDEMPOTENCY_CONFLICT,
          'This transactionId was already recorded for this retailer with a different return',
        );
      case 'recorded':
      case 'replayed':
        return {
          return: decision.purchaseReturn,
          pointsReversed: decision.purchaseReturn.pointsReversed,
          customerBalance: decision.customerBalance,
          replayed: decision.outcome === 'replayed',
          outcome: decision.outcome,
        };
    }
  }
}
