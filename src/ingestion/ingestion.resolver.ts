import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Principal, Role } from '../common/auth/principal';
import { CurrentPrincipal, Roles } from '../common/auth/roles.decorator';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-code';
import { GraphqlContext } from '../graphql/graphql-context';
import { RecordPurchaseInput } from '../purchases/dto/record-purchase.input';
import { PurchaseSubmissionArgs } from './dto/purchase-submission.args';
import { PurchaseSubmissionModel } from './models/purchase-submission.model';
import { PURCHASE_INGESTION, PurchaseIngestion } from './purchase-ingestion';

@Resolver(() => PurchaseSubmissionModel)
export class IngestionResolver {
  constructor(@Inject(PURCHASE_INGESTION) private readonly ingestion: PurchaseIngestion) {}

  @Mutation(() => PurchaseSubmissionModel, {
    description:
      'POS. Hands one purchase over for recording and answers as soon as it is stored durably: in event ingestion ' +
      'mode, in the event stream, from which it is recorded exactly once; otherwise it is recorded before the answer. ' +
      'Input rules that need no lookup (shape, ranges, timestamps) are checked before it is accepted. Resending the ' +
      'same purchase is safe at any time.',
  })
  @Roles(Role.POS)
  async submitPurchase(
    @Args('input') input: RecordPurchaseInput,
    @CurrentPrincipal() principal: Principal,
    @Context() context: GraphqlContext,
  ): Promise<PurchaseSubmissionModel> {
    const retailer = posRetailer(principal);
    const fields = { retailerId: retailer.id, transactionId: input.transactionId };
    try {
      const submission = await this.ingestion.submit(retailer, input, context.receivedAt);
      context.req.log.info({ ...fields, status: submission.status }, 'purchase submitted');
      return submission;
    } catch (error) {
      context.req.log.info({ ...fields, outcome: error instanceof DomainError ? error.code : 'error' }, 'purchase refused');
      throw error;
    }
  }

  @Query(() => PurchaseSubmissionModel, {
    nullable: true,
    description: "POS: its own retailer's submission by transactionId; null when nothing was submitted under it.",
  })
  @Roles(Role.POS)
  purchaseSubmission(
    @Args() { transactionId }: PurchaseSubmissionArgs,
    @CurrentPrincipal() principal: Principal,
  ): Promise<PurchaseSubmissionModel | null> {
    return this.ingestion.find(posRetailer(principal), transactionId);
  }
}

function posRetailer(principal: Principal) {
  if (principal.role !== Role.POS) throw new DomainError(ErrorCode.FORBIDDEN, 'Only a POS token submits purchases');
  return principal.retailer;
}
