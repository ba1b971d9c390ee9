import { Injectable } from '@nestjs/common';
import { DomainError, notFound } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-code';
import { uuidV7 } from '../common/ids/uuid-v7';
import { RedeemPointsInput } from './dto/redeem-points.input';
import { RedemptionResultModel } from './models/redemption.model';
import { redemptionFingerprint } from './redemption-fingerprint';
import { RedemptionsRepository } from './redemptions.repository';

/**
 * Spending points and giving them back. The input's shape was validated at the edge and the actor comes from the
 * caller's token; the database decides the rest under the customer's lock (balance, replay, one cancellation),
 * and this service turns its verdicts into results and client errors.
 */
@Injectable()
export class RedemptionsService {
  constructor(private readonly repository: RedemptionsRepository) {}

  /** A refusal writes nothing, so the key stays free for a later attempt. */
  async redeem(input: RedeemPointsInput, actor: string): Promise<RedemptionResultModel> {
    const result = await this.repository.redeem({
      id: uuidV7(),
      idempotencyKey: input.idempotencyKey,
      customerId: input.customerId.toLowerCase(),
      points: input.points,
      rewardReference: input.rewardReference,
      actor,
      payloadHash: redemptionFingerprint(input),
    });
    switch (result.outcome) {
      case 'customer_not_found':
        throw new DomainError(ErrorCode.CUSTOMER_NOT_FOUND, 'Customer not found');
      case 'insufficient':
        throw new DomainError(
          ErrorCode.INSUFFICIENT_POINTS,
          `The customer's balance of ${result.customerBalance} points does not cover ${input.points} points`,
        );
      case 'conflict':
        throw new DomainError(
          ErrorCode.IDEMPOTENCY_CONFLICT,
          'This idempotencyKey was already used for a different redemption',
        );
      case 'recorded':
      case 'replayed':
        // A replay shows the redemption as it is now: CANCELLED once cancelled.
        return { redemption: result.redemption, customerBalance: result.customerBalance, replayed: result.outcome === 'replayed' };
    }
  }

  /** Cancelling a cancelled redemption replays the first cancellation and changes nothing. */
  async cancel(redemptionId: string, actor: string): Promise<RedemptionResultModel> {
    const result = await this.repository.cancel(redemptionId.toLowerCase(), actor);
    if (result.outcome === 'not_found') throw notFound('No redemption has this id');
    return { redemption: result.redemption, customerBalance: result.customerBalance, replayed: result.outcome === 'replayed' };
  }
}
