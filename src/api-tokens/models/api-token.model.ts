import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { DateTimeScalar } from '../../common/scalars/scalars';
import { API_TOKEN_ROLES, ApiTokenRole } from '../api-token-kinds';

/** The GraphQL enum of the kinds, built from their table (api-token-kinds.ts): a new kind is in the API at once. */
export const ApiTokenRoleEnum = Object.fromEntries(API_TOKEN_ROLES.map((role) => [role, role])) as Record<ApiTokenRole, ApiTokenRole>;
registerEnumType(ApiTokenRoleEnum, {
  name: 'ApiTokenRole',
  description: 'The kind of an API token: the role it authenticates as.',
  valuesMap: {
    AUDITOR: { description: 'Reads the ledger, balances and reconciliation runs; changes nothing.' },
    REWARDS: { description: "The rewards catalog's systems: redeems points and cancels redemptions, nothing else." },
  },
});

@ObjectType('ApiToken')
export class ApiTokenModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ApiTokenRoleEnum)
  role!: ApiTokenRole;

  @Field({ description: 'Who or what the token is for, e.g. "Rewards shop". Recorded as the actor of what it does.' })
  name!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Set once, when revoked; the token stops working.' })
  revokedAt!: Date | null;
}

@ObjectType('CreatedApiToken')
export class CreatedApiTokenModel {
  @Field(() => ApiTokenModel)
  apiToken!: ApiTokenModel;

  @Field({ description: 'The bearer token. Shown only here; the service stores only a hash of it.' })
  authToken!: string;
}
