import { Field, ObjectType } from '@nestjs/graphql';

/** Forward keyset pagination: pass endCursor as `after` to read the next page. */
@ObjectType('PageInfo')
export class PageInfoModel {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'The cursor of the last edge; null on an empty page.' })
  endCursor!: string | null;
}
