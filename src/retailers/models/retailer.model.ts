import { Field, ID, ObjectType } from '@nestjs/graphql';

@ObjectType('Retailer')
export class RetailerModel {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  region!: string | null;

  @Field({ description: 'IANA time zone name, e.g. America/Chicago.' })
  timezone!: string;
}

@ObjectType('CreatedRetailer')
export class CreatedRetailerModel {
  @Field(() => RetailerModel)
  retailer!: RetailerModel;

  @Field({ description: 'The POS bearer token for this retailer.' })
  authToken!: string;
}
