import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { badInput, notFound } from '../common/errors/domain-error';
import { ProductsService } from '../products/products.service';
import { RetailersService } from '../retailers/retailers.service';
import { awardRateFromDatabase, formatAwardRate, parseAwardRate } from './award-rate';
import { CreatePromotionInput, RevisePromotionInput } from './dto/promotion.inputs';
import { PromotionModel } from './models/promotion.model';
import { PromotionCatalog } from './promotion-catalog';
import { PromotionEntity } from './promotion.entity';

/**
 * The first key of the two-key advisory locks on promotion series (the second is a hash of the series id; two
 * series sharing a hash only wait for each other). Two-key locks never collide with the one-key locks elsewhere.
 */
const SERIES_LOCK_CLASS = 724_311_903;

/**
 * One lock for every promotion write, taken before its insert and held to commit: a version's seq is drawn only
 * after every earlier write has committed, so seq order is commit order and a catalog that loaded seq N holds
 * every version with seq <= N (the watermark reconciliation re-derives promotions from). Promotion writes are
 * rare admin mutations; queueing them costs nothing the purchase path sees.
 */
const PROMOTION_WRITE_LOCK_KEY = 724_311_904;

/** Queues this transaction's promotion insert behind every other uncommitted one. */
async function lockPromotionWrites(em: EntityManager): Promise<void> {
  await em.execute('select pg_advisory_xact_lock(?)', [PROMOTION_WRITE_LOCK_KEY]);
}

@Injectable()
export class PromotionsService {
  constructor(
    private readonly em: EntityManager,
    private readonly products: ProductsService,
    private readonly retailers: RetailersService,
    private readonly catalog: PromotionCatalog,
  ) {}

  /** Starts a series: version 0, whose id is the series id. */
  async create(input: CreatePromotionInput): Promise<PromotionModel> {
    if (input.retailerId && input.region) {
      throw badInput('A promotion is for one retailer or for a region, not both');
    }
    assertDateOrder(input.startDate, input.endDate);
    if (!(await this.products.exists(input.productId.toLowerCase()))) throw notFound('Product not found');
    if (input.retailerId && !(await this.retailers.exists(input.retailerId.toLowerCase()))) {
      throw notFound('Retailer not found');
    }
    const id = randomUUID();
    const awardRate = canonicalRate(input.awardRate);
    const promotion = await this.em.fork().transactional(async (em) => {
      await lockPromotionWrites(em);
      return em.create(PromotionEntity, {
        id,
        seriesId: id,
        version: 0,
        productId: input.productId.toLowerCase(),
        retailerId: input.retailerId?.toLowerCase() ?? null,
        region: input.region ?? null,
        startDate: input.startDate,
        endDate: input.endDate,
        awardRate,
      });
    });
    await this.catalog.refresh();
    return toModel(promotion);
  }

  /**
   * Appends the next version of the series that `id` belongs to. Concurrent revisions of one series queue on a
   * lock of the series held to the end of the transaction, so each reads the latest version only after the one
   * before it has committed: versions follow each other without gaps or failed attempts, however many revisions
   * arrive at once. An advisory lock, not a row lock: locking a row needs UPDATE rights, which the service's
   * database role has on no promotion (migrations/0009_service_role.sql).
   */
  async revise(id: string, input: RevisePromotionInput): Promise<PromotionModel> {
    const next = await this.em.fork().transactional(async (em) => {
      const any = await em.findOne(PromotionEntity, { id: id.toLowerCase() });
      if (!any) throw notFound('Promotion not found');
      await em.execute('select pg_advisory_xact_lock(?, hashtext(?))', [SERIES_LOCK_CLASS, any.seriesId]);
      const latest = await em.findOneOrFail(
        PromotionEntity,
        { seriesId: any.seriesId },
        { orderBy: { version: 'desc' }, refresh: true },
      );
      const revision = em.create(PromotionEntity, {
        id: randomUUID(),
        seriesId: latest.seriesId,
        version: latest.version + 1,
        productId: latest.productId,
        retailerId: latest.retailerId,
        region: latest.region,
        startDate: input.startDate ?? dateText(latest.startDate),
        endDate: input.endDate ?? dateText(latest.endDate),
        awardRate: input.awardRate ? canonicalRate(input.awardRate) : latest.awardRate,
      });
      assertDateOrder(revision.startDate, revision.endDate);
      // After the series lock, never before: every write takes the two in this one order, so none deadlock.
      await lockPromotionWrites(em);
      return revision;
    });
    await this.catalog.refresh();
    return toModel(next);
  }
}

function assertDateOrder(startDate: string, endDate: string): void {
  if (endDate < startDate) throw badInput('endDate must not be before startDate');
}

/** Validated already by the input class; stored with the database's own scale. */
function canonicalRate(text: string): string {
  const rate = parseAwardRate(text);
  if (typeof rate === 'string') throw badInput(`awardRate is invalid (${rate})`);
  return formatAwardRate(rate);
}

/** The ORM may hand a date column back as a Date; promotions speak in YYYY-MM-DD. */
function dateText(value: string | Date): string {
  return typeof value === 'string' ? value.slice(0, 10) : value.toISOString().slice(0, 10);
}

function toModel(p: PromotionEntity): PromotionModel {
  return {
    id: p.id,
    seriesId: p.seriesId,
    version: p.version,
    productId: p.productId,
    retailerId: p.retailerId,
    region: p.region,
    startDate: dateText(p.startDate),
    endDate: dateText(p.endDate),
    awardRate: formatAwardRate(awardRateFromDatabase(String(p.awardRate))),
  };
}
