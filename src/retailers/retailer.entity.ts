import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

@Entity({ tableName: 'retailers' })
export class RetailerEntity {
  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id!: string;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text', nullable: true })
  region: string | null = null;

  /** IANA zone name: sale dates are read on this wall clock. */
  @Property({ type: 'text' })
  timezone!: string;

  /** sha256 of the POS token; the token itself is never stored. */
  @Property({ type: 'blob', hidden: true })
  tokenHash!: Buffer;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt?: Date;
}
