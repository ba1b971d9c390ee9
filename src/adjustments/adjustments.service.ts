import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-code';
import { uuidV7 } from '../common/ids/uuid-v7';
import { adjustmentFingerprint } from './adjustment-fingerprint';
import { AdjustmentsRepository } from './adjustments.repository';
import { AdjustPointsInput } from './dto/adjust-points.input';
import { AdjustmentResultModel } from './models/points-adjustment.model';

/**
 * ADMIN's corrections of a balance. The actor is the caller's, never the input's; the database decides under the
 * customer's lock whether a debit fits the balance, and this service turns its verdicts into results and errors.
 */
@Injectable()
export class AdjustmentsService {
  constructor(private readonly repository: AdjustmentsRepository) {}

  /** A refusal writes nothing, so the key stays free for a later attempt. */
  async adjust(input: AdjustPointsInput, actor: string): Promise<AdjustmentResultModel> {
    const result = await this.repository.adjust({
      id: uuidV7(),
      idempotencyKey: input.idempotencyKey,
      customerId: input.customerId.toLowerCase(),
      points: input.points,
      reason: input.reason,
      actor,
      payloadHash: adjustmentFingerprint(input),
    });
    switch (result.outcome) {
      case 'customer_not_found':
        throw new DomainError(ErrorCode.CUSTOMER_NOT_FOUND, 'Customer not found');
      case 'insufficient':
        throw new DomainError(
          ErrorCode.INSUFFICIENT_POINTS,
          `A debit of ${-input.points} points exceeds the customer's balance of ${result.customerBalance} points`,
        );
      case 'conflict':
        throw new DomainError(
          ErrorCode.IDEMPOTENCY_CONFLICT,
          'This idempotencyKey was already used for a different adjustment',
        );
      case 'recorded':
      case 'replayed':
        return { adjustment: result.adjustment, customerBalance: result.customerBalance, replayed: result.outcome === 'replayed' };
    }
  }
}
