import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { SQL_POOL } from '../database/database.module';

export interface CatalogProduct {
  id: string;
  name: string;
  priceCents: number;
}

/**
 * Products by id for the purchase path. A product never changes after creation (there is no update), so a
 * found product is cached for good; a miss asks the database each time, so a product created on another
 * instance is found at once.
 */
@Injectable()
export class ProductCatalog {
  private readonly products = new Map<string, CatalogProduct>();

  constructor(@Inject(SQL_POOL) private readonly pool: Pool) {}

  async find(id: string): Promise<CatalogProduct | null> {
    const cached = this.products.get(id);
    if (cached) return cached;
    const { rows } = await this.pool.query<CatalogProduct>({
      name: 'product_by_id',
      text: 'select id, name, price_cents as "priceCents" from products where id = $1',
      values: [id],
    });
    if (rows[0]) this.products.set(id, rows[0]);
    return rows[0] ?? null;
  }
}
