import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { RetailerIdentity } from '../common/auth/principal';
import { CustomersService } from '../customers/customers.service';
import { SQL_POOL } from '../database/database.module';
import { ProductsService } from '../products/products.service';
import { PromotionsService } from '../promotions/promotions.service';
import { RetailersService } from '../retailers/retailers.service';
import { DemoActivitySeeder } from './demo-activity';
import { DEMO_CUSTOMERS, DEMO_PRODUCTS, DEMO_RETAILERS } from './demo-data';

export interface DemoCredentials {
  retailers: Array<{ id: string; name: string; timezone: string; token: string }>;
  customerIds: string[];
  productIds: string[];
  /** Absent in the credentials of a demo database made before REWARDS tokens existed. */
  rewardsToken?: string;
  redemptionCustomerId?: string;
}

/** Loads the demo data set through the same services the API uses, so it obeys every rule they enforce. */
@Injectable()
export class DemoSeeder {
  constructor(
    @Inject(SQL_POOL) private readonly pool: Pool,
    private readonly customers: CustomersService,
    private readonly products: ProductsService,
    private readonly retailers: RetailersService,
    private readonly promotions: PromotionsService,
    private readonly activity: DemoActivitySeeder,
  ) {}

  async isEmpty(): Promise<boolean> {
    const { rows } = await this.pool.query<{ n: number }>(
      'select (select count(*) from retailers) + (select count(*) from customers) as n',
    );
    return Number(rows[0].n) === 0;
  }

  async seed(today: Date = new Date()): Promise<DemoCredentials> {
    const day = (offset: number) => new Date(today.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
    const customerIds: string[] = [];
    for (const [firstName, lastName] of DEMO_CUSTOMERS) {
      customerIds.push((await this.customers.create({ firstName, lastName })).id);
    }
    const productIds: string[] = [];
    for (const [name, priceCents] of DEMO_PRODUCTS) {
      productIds.push((await this.products.create({ name, priceCents })).id);
    }
    const retailers: DemoCredentials['retailers'] = [];
    const identities: RetailerIdentity[] = [];
    for (const r of DEMO_RETAILERS) {
      const created = await this.retailers.create(r);
      retailers.push({ id: created.retailer.id, name: r.name, timezone: r.timezone, token: created.authToken });
      identities.push({ id: created.retailer.id, name: r.name, region: r.region, timezone: r.timezone });
    }
    const half = retailers.length / 2;
    const [, lager, stout, ipa, pilsner, wheat] = productIds;
    const promo = (productId: string, startDate: string, endDate: string, awardRate: string, scope = {}) =>
      this.promotions.create({ productId, startDate, endDate, awardRate, ...scope });

    await promo(lager, day(-30), day(30), '100');
    await promo(stout, day(-60), day(-31), '400');
    for (const [i, r] of retailers.entries()) {
      if (i < half) await promo(ipa, day(-30), day(30), '200', { retailerId: r.id });
      else await promo(ipa, day(10), day(40), '800', { retailerId: r.id });
    }
    for (const [i, r] of retailers.entries()) {
      const v0 = await promo(pilsner, day(-30), day(30), '200', { retailerId: r.id });
      if (i < half) await this.promotions.revise(v0.id, { endDate: day(-2) });
      else await this.promotions.revise(v0.id, { awardRate: '300' });
    }
    await promo(wheat, day(-30), day(30), '100');
    await promo(wheat, day(-30), day(30), '400', { region: 'west' });
    const activity = await this.activity.seed(identities, customerIds, productIds);
    return { retailers, customerIds, productIds, ...activity };
  }
}
