import { PoolClient } from 'pg';
import { PromotionCatalog } from '../../src/promotions/promotion-catalog';
import { readPromotionVersions } from '../../src/promotions/promotion-versions';
import { RulesCatalog } from '../../src/reconciliation/purchase-rules-check';
import { Fixtures } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Reconciliation re-derives a purchase's promotion from the versions with seq <= the catalog seq stored with it,
 * so a catalog load must never see a seq above one still uncommitted. Each case parks a first promotion write
 * after it has drawn its seq (its foreign-key check waits on a product row this test holds), lets a second write
 * try, loads the catalog, and only then lets the first write commit.
 */
describe('promotion catalog watermark follows commit order', () => {
  let t: TestApp;
  let f: Fixtures;
  beforeAll(async () => {
    t = await startTestApp();
    f = new Fixtures(t);
  });
  afterAll(() => t.close());

  /** Backends of this test's database waiting on a lock (a row lock or an advisory lock). */
  async function waitingBackends(): Promise<number> {
    const { rows } = await t.sql.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
    );
    return rows[0].n;
  }

  async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await condition()) return true;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return false;
  }

  type Write = (productId: string) => Promise<unknown>;
  const create: Write = (productId) => f.promotion({ productId, awardRate: '7' });
  const revise =
    (seriesOf: Map<string, string>): Write =>
    (productId) =>
      f.revise(seriesOf.get(productId)!, { awardRate: '9' });

  it.each([
    ['a create parked, a revision tries', 'create', 'revise'],
    ['a revision parked, a create tries', 'revise', 'create'],
  ])('%s', async (_name, first, second) => {
    const parkedProduct = await f.product();
    const otherProduct = await f.product();
    const seriesOf = new Map<string, string>();
    for (const productId of [parkedProduct, otherProduct]) {
      seriesOf.set(productId, (await f.promotion({ productId, awardRate: '1' })).seriesId);
    }
    const writeOf = (kind: string) => (kind === 'create' ? create : revise(seriesOf));
    const catalog = t.app.get(PromotionCatalog);

    const holder: PoolClient = await t.sql.connect();
    try {
      await holder.query('begin');
      await holder.query('select 1 from products where id = $1 for update', [parkedProduct]);
      const parked = writeOf(first)(parkedProduct);
      expect(await until(async () => (await waitingBackends()) >= 1)).toBe(true);

      let secondDone = false;
      const other = writeOf(second)(otherProduct).finally(() => (secondDone = true));
      // Either the second write commits at once (nothing orders it after the parked one) or it queues behind it.
      await until(async () => secondDone || (await waitingBackends()) >= 2);

      await catalog.refresh();
      const loaded = {
        catalogSeq: catalog.snapshotFor(parkedProduct).catalogSeq,
        parked: catalog.snapshotFor(parkedProduct).versions.map((v) => v.id).sort(),
        other: catalog.snapshotFor(otherProduct).versions.map((v) => v.id).sort(),
      };

      await holder.query('commit');
      await Promise.all([parked, other]);

      // What reconciliation believes that load held, now that everything has committed.
      const rules = new RulesCatalog(await readPromotionVersions(t.sql));
      const knownAt = (productId: string) =>
        rules
          .versionsKnownAt(productId, loaded.catalogSeq)
          .map((v) => v.id)
          .sort();
      expect({ parked: knownAt(parkedProduct), other: knownAt(otherProduct) }).toEqual({
        parked: loaded.parked,
        other: loaded.other,
      });
    } finally {
      await holder.query('rollback').catch(() => undefined);
      holder.release();
    }
  });
});
