import { Field, ObjectType, registerEnumType } from '@nestjs/graphql';
import { PurchaseModel } from '../../purchases/models/purchase.model';

export enum SubmissionStatus {
  ACCEPTED = 'ACCEPTED',
  RECORDED = 'RECORDED',
  REFUSED = 'REFUSED',
}
registerEnumType(SubmissionStatus, {
  name: 'SubmissionStatus',
  valuesMap: {
    ACCEPTED: { description: 'Stored durably; not yet recorded.' },
    RECORDED: { description: 'Recorded (or found to be a replay of a recorded purchase): purchase is set.' },
    REFUSED: { description: 'Refused for good: errorCode says why (e.g. CUSTOMER_NOT_FOUND, IDEMPOTENCY_CONFLICT).' },
  },
});

@ObjectType('PurchaseSubmission')
export class PurchaseSubmissionModel {
  @Field()
  transactionId!: string;

  @Field(() => SubmissionStatus)
  status!: SubmissionStatus;

  @Field(() => PurchaseModel, { nullable: true })
  purchase!: PurchaseModel | null;

  @Field(() => String, { nullable: true })
  errorCode!: string | null;
}
