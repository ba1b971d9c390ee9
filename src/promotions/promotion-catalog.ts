import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import { APP_CONFIG, AppConfig } from '../config/config';
import { SQL_POOL } from '../database/database.module';
import { latestVersions, PromotionVersion } from './promotion-rules';
import { readPromotionVersions } from './promotion-versions';

/**
 * Every promotion series' latest version, in memory, for the purchase path. A revision made on this instance
 * is visible before its mutation returns (the service calls refresh()); one made elsewhere is picked up within
 * PROMOTION_REFRESH_MS by a cheap poll: promotions are append-only, so a change shows as a new row count.
 */
@Injectable()
export class PromotionCatalog implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PromotionCatalog.name);
  private byProduct = new Map<string, PromotionVersion[]>();
  private loadedCount = -1;
  private loadedSeq = 0n;
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> = Promise.resolve();

  constructor(
    @Inject(SQL_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refreshIfChanged().catch((error: Error) => this.logger.warn(`promotion refresh failed: ${error.message}`));
    }, this.config.promotionRefreshMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * The latest version of every series of this product (any scope, any dates), and the highest promotion seq
   * the catalog had loaded: stored with the purchase so that reconciliation can re-derive its promotion from
   * the same versions. Exact because promotion writes commit in seq order (PromotionsService serialises them):
   * a load that saw seq N saw every version below it.
   */
  snapshotFor(productId: string): { versions: readonly PromotionVersion[]; catalogSeq: bigint } {
    return { versions: this.byProduct.get(productId) ?? [], catalogSeq: this.loadedSeq };
  }

  /** Reloads everything; concurrent callers share one reload queue so the newest state always wins. */
  refresh(): Promise<void> {
    this.refreshing = this.refreshing.catch(() => undefined).then(() => this.load());
    return this.refreshing;
  }

  private async refreshIfChanged(): Promise<void> {
    const { rows } = await this.pool.query<{ count: string }>('select count(*)::text as count from promotions');
    if (Number(rows[0].count) !== this.loadedCount) await this.refresh();
  }

  private async load(): Promise<void> {
    const versions = await readPromotionVersions(this.pool);
    const byProduct = new Map<string, PromotionVersion[]>();
    for (const v of latestVersions(versions)) {
      const list = byProduct.get(v.productId) ?? [];
      list.push(v);
      byProduct.set(v.productId, list);
    }
    this.byProduct = byProduct;
    this.loadedCount = versions.length;
    this.loadedSeq = versions.reduce((max, v) => (v.seq > max ? v.seq : max), 0n);
  }
}
