import { ArgsType, Field, ID, Int } from '@nestjs/graphql';
import { IsInt, Matches, Max, Min } from 'class-validator';

@ArgsType()
export class ReconciliationRunsArgs {
  @Field(() => Int, { defaultValue: 20, description: 'The latest runs first; 1 to 100.' })
  @IsInt()
  @Min(1)
  @Max(100)
  first!: number;
}

@ArgsType()
export class ReconciliationRunArgs {
  @Field(() => ID)
  @Matches(/^[1-9]\d{0,17}$/, { message: 'id must be a reconciliation run id (a positive whole number)' })
  id!: string;
}
