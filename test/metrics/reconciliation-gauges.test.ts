import { asOwner, LIABILITY, reconcile, seed, shiftBalance } from '../reconciliation/drift-kit';
import { startTestApp, TestApp } from '../support/test-app';
import { scrape, Scrape } from './metrics-kit';

describe('the reconciliation gauges', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  /** Unix seconds of a run's timestamps, as the database holds them. */
  async function runTimes(id: string) {
    const { rows } = await t.sql.query<{ started: string; finished: string }>(
      'select extract(epoch from started_at)::text as started, extract(epoch from finished_at)::text as finished from reconciliation_runs where id = $1',
      [id],
    );
    return { started: Number(rows[0].started), finished: Number(rows[0].finished) };
  }

  it('show the latest run, its drift by check and kind, its duration, and the last clean run', async () => {
    const gauges = (s: Scrape) => ({
      driftCount: s.get('loyalty_reconciliation_drift_count'),
      driftRows: s.series('loyalty_reconciliation_drift_rows').map((x) => ({ ...x.labels, rows: x.value })),
      lastRun: s.get('loyalty_reconciliation_last_run_timestamp_seconds'),
      duration: s.get('loyalty_reconciliation_last_run_duration_seconds'),
      lastClean: s.get('loyalty_reconciliation_last_clean_run_timestamp_seconds'),
    });
    expect(gauges(await scrape(t))).toEqual({ driftCount: 0, driftRows: [], lastRun: 0, duration: 0, lastClean: 0 });

    const seeded = await seed(t);
    const clean = await reconcile(t, { full: true });
    expect(clean.status).toBe('clean');
    const cleanTimes = await runTimes(clean.id);
    const afterClean = gauges(await scrape(t));
    // Dates come back to the service to the millisecond; the database keeps microseconds.
    expect(afterClean.driftCount).toBe(0);
    expect(afterClean.driftRows).toEqual([]);
    expect(afterClean.lastRun).toBeCloseTo(cleanTimes.finished, 2);
    expect(afterClean.lastClean).toBe(afterClean.lastRun);
    expect(afterClean.duration).toBeCloseTo(cleanTimes.finished - cleanTimes.started, 2);

    await asOwner(t, shiftBalance(seeded.customers[0], 100n), shiftBalance(LIABILITY, -100n));
    const drift = await reconcile(t, { full: true });
    expect(drift.status).toBe('drift');
    const driftTimes = await runTimes(drift.id);
    const afterDrift = gauges(await scrape(t));
    expect(afterDrift.driftCount).toBe(2);
    expect(afterDrift.driftRows).toEqual([{ check: 'BALANCES_MATCH_ENTRIES', kind: 'balance-differs-from-entries', rows: 2 }]);
    expect(afterDrift.lastRun).toBeCloseTo(driftTimes.finished, 2);
    expect(afterDrift.duration).toBeCloseTo(driftTimes.finished - driftTimes.started, 2);
    // The last clean run is still the first one.
    expect(afterDrift.lastClean).toBe(afterClean.lastClean);

    // Repaired: the next run is clean, and the drift's series are gone.
    await asOwner(t, shiftBalance(seeded.customers[0], -100n), shiftBalance(LIABILITY, 100n));
    const repaired = await reconcile(t, { full: true });
    expect(repaired.status).toBe('clean');
    const afterRepair = gauges(await scrape(t));
    expect(afterRepair.driftRows).toEqual([]);
    expect(afterRepair.driftCount).toBe(0);
    expect(afterRepair.lastClean).toBe(afterRepair.lastRun);
    expect(afterRepair.lastClean).toBeGreaterThan(afterDrift.lastClean!);
  });
});
