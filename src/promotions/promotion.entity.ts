import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** One version of a promotion series. Rows are append-only (the database refuses updates). */
@Entity({ tableName: 'promotions' })
export class PromotionEntity {
  /** The service chooses it (version 0's id is its series id); the column's default is the schema's. */
  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id!: string;

  @Property({ type: 'uuid' })
  seriesId!: string;

  @Property({ type: 'integer' })
  version!: number;

  /** Assigned by the database (identity column). */
  @Property({ type: 'bigint', persist: false })
  seq?: string;

  @Property({ type: 'uuid' })
  productId!: string;

  @Property({ type: 'uuid', nullable: true })
  retailerId: string | null = null;

  @Property({ type: 'text', nullable: true })
  region: string | null = null;

  @Property({ type: 'date' })
  startDate!: string;

  @Property({ type: 'date' })
  endDate!: string;

  /** numeric(12,4) as text, never a JS number. */
  @Property({ type: 'decimal', precision: 12, scale: 4 })
  awardRate!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt?: Date;
}
