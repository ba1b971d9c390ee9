import { awardRateFromDatabase } from './award-rate';
import { PromotionVersion } from './promotion-rules';

/** A promotion version with its creation order (`promotions.seq`): what a catalog "up to seq N" holds. */
export type SequencedPromotionVersion = PromotionVersion & { seq: bigint };

interface PromotionVersionRow {
  id: string;
  series_id: string;
  version: number;
  series_seq: string;
  seq: string;
  product_id: string;
  retailer_id: string | null;
  region: string | null;
  start_date: string;
  end_date: string;
  award_rate: string;
}

/** Anything that runs a query: a pool, or a client inside a transaction (reconciliation reads in its snapshot). */
interface Queryable {
  query<R extends object>(text: string): Promise<{ rows: R[] }>;
}

/**
 * Every version of every promotion series, as the rules see them. Read by the purchase path's catalog and by
 * reconciliation, which must select promotions exactly as the purchase path did.
 */
export async function readPromotionVersions(db: Queryable): Promise<SequencedPromotionVersion[]> {
  const { rows } = await db.query<PromotionVersionRow>(
    `select p.id, p.series_id, p.version, s.seq::text as series_seq, p.seq::text as seq, p.product_id, p.retailer_id,
            p.region, p.start_date::text as start_date, p.end_date::text as end_date, p.award_rate::text as award_rate
       from promotions p join promotions s on s.id = p.series_id`,
  );
  return rows.map((r) => ({
    id: r.id,
    seriesId: r.series_id,
    version: r.version,
    seriesSeq: BigInt(r.series_seq),
    seq: BigInt(r.seq),
    productId: r.product_id,
    retailerId: r.retailer_id,
    region: r.region,
    startDate: r.start_date,
    endDate: r.end_date,
    awardRate: awardRateFromDatabase(r.award_rate),
  }));
}
