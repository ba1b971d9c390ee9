import { Field, ID, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from '../../common/scalars/scalars';

/** The AUDITOR-only view of an API token, kept for the clients of createAuditorToken and auditorTokens. */
@ObjectType('AuditorToken')
export class AuditorTokenModel {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'Who or what the token is for, e.g. "Jane (finance)".' })
  name!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Set once, when revoked; the token stops working.' })
  revokedAt!: Date | null;
}

@ObjectType('CreatedAuditorToken')
export class CreatedAuditorTokenModel {
  @Field(() => AuditorTokenModel)
  auditorToken!: AuditorTokenModel;

  @Field({ description: 'The AUDITOR bearer token. Shown only here; the service stores only a hash of it.' })
  authToken!: string;
}
