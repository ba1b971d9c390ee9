import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { generateToken, hashToken } from '../common/auth/tokens';
import { CreateRetailerInput } from './dto/create-retailer.input';
import { RetailerEntity } from './retailer.entity';

export interface CreatedRetailer {
  retailer: RetailerEntity;
  authToken: string;
}

@Injectable()
export class RetailersService {
  constructor(private readonly em: EntityManager) {}

  /** The token is returned here once; only its digest is stored. */
  async create(input: CreateRetailerInput): Promise<CreatedRetailer> {
    const em = this.em.fork();
    const authToken = generateToken('pos');
    const retailer = em.create(RetailerEntity, {
      name: input.name,
      region: input.region ?? null,
      timezone: input.timezone ?? 'UTC',
      tokenHash: hashToken(authToken),
    });
    await em.persist(retailer).flush();
    return { retailer, authToken };
  }

  async exists(id: string): Promise<boolean> {
    return (await this.em.fork().count(RetailerEntity, { id })) > 0;
  }
}
