import { runCommand } from '../audit/helpers';
import { refusal } from '../integration/helpers';
import { ADMIN_TOKEN, AUDITOR_TOKEN, startTestApp, TestApp } from '../support/test-app';
import { asOwner, LIABILITY, reconcile as reconcileInProcess, seed, shiftBalance } from './drift-kit';
import { lifecycleSeed } from './lifecycle-kit';

// Each command is a Node.js process of its own that transpiles its sources: seconds on a busy machine.
jest.setTimeout(180_000);

const RUNS = `query($first: Int) { reconciliationRuns(first: $first) {
  id status mode modeReason sinceRunId watermark driftCount error startedAt finishedAt
  counts { purchases ledgerTransactions accounts guards returns redemptions cancellations adjustments }
  findings { check checkNumber kind description count amount examples { id expected actual } } } }`;

interface RunData {
  id: string;
  status: string;
  mode: string;
  driftCount: string;
  findings: Array<{ check: string; checkNumber: number; kind: string; count: string; amount: string; examples: Array<{ id: string }> }>;
}

describe('npm run reconcile, the runs in GraphQL and the metrics', () => {
  let t: TestApp;
  const reconcile = (...args: string[]) => runCommand('reconcile.ts', args, { DATABASE_URL: t.db.serviceUrl });
  const metrics = async () => (await fetch(t.url.replace('/graphql', '/metrics'))).text();

  // Each test its own database: the runs and the drift one test makes are not another's starting point.
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(() => t.close());

  it('says an empty ledger is empty, exit 0, and the gauges show that run', async () => {
    expect(await metrics()).toMatch(/\nloyalty_reconciliation_last_run_timestamp_seconds 0\n/);
    const r = await reconcile();
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 0, stdout: expect.stringContaining('EMPTY: the ledger has no purchases') });
    const text = await metrics();
    expect(text).toMatch(/\nloyalty_reconciliation_drift_count 0\n/);
    expect(Number(/\nloyalty_reconciliation_last_run_timestamp_seconds (\S+)\n/.exec(text)?.[1])).toBeGreaterThan(Date.now() / 1000 - 600);
  });

  it('prints a clean summary and exits 0 on a sound ledger', async () => {
    await reconcileInProcess(t); // run 1, on the empty ledger
    await seed(t);
    const r = await reconcile();
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('full (run 1 found an empty ledger)');
    expect(r.stdout).toContain('CLEAN: no drift.');
    expect(r.stdout.match(/^ {2}ok {5}\d/gm)).toHaveLength(9);
  });

  it('counts the lifecycle rows it read, in the summary, the JSON and GraphQL', async () => {
    await lifecycleSeed(t);
    const human = await reconcile('--full');
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(
      'Read 4 purchases, 5 returns, 3 redemptions, 1 cancellations, 2 adjustments, 13 ledger transactions, 8 accounts, ',
    );
    expect(human.stdout).toMatch(/^ {2}ok {5}9 every negative balance is explained by the customer's returns$/m);
    const json = await reconcile('--json');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect({ status: report.status, mode: report.mode }).toEqual({ status: 'clean', mode: 'incremental' });
    expect(report.counts).toMatchObject({ returns: '0', redemptions: '0', cancellations: '0', adjustments: '0' });
    const r = await t.gql<{ reconciliationRuns: Array<{ counts: Record<string, string> }> }>(AUDITOR_TOKEN, RUNS, { first: 2 });
    expect(r.data!.reconciliationRuns[1].counts).toEqual({
      purchases: '4',
      ledgerTransactions: '13',
      accounts: '8',
      guards: expect.stringMatching(/^\d+$/),
      returns: '5',
      redemptions: '3',
      cancellations: '1',
      adjustments: '2',
    });
  });

  it('names the drift in one JSON document, exits 1, and the gauge counts it', async () => {
    const s = await seed(t);
    await asOwner(t, shiftBalance(s.customers[0], 100n), shiftBalance(LIABILITY, -100n));
    const r = await reconcile('--json', '--full');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      status: 'drift',
      mode: 'full',
      modeReason: 'asked for',
      driftCount: '2',
      findings: [
        {
          check: 'BALANCES_MATCH_ENTRIES',
          checkNumber: 2,
          kind: 'balance-differs-from-entries',
          count: '2',
          amount: '200',
          examples: [LIABILITY, s.customers[0]].sort().map((id) => expect.objectContaining({ id })),
        },
      ],
    });
    expect(await metrics()).toMatch(/\nloyalty_reconciliation_drift_count 2\n/);

    const human = await reconcile();
    expect(human.code).toBe(1);
    expect(human.stdout).toContain(`full (run ${report.id} found drift)`);
    expect(human.stdout).toMatch(/DRIFT {2}2 every account's materialized balance equals its entries/);
    expect(human.stdout).toContain('DRIFT: 2 rows in check 2.');
  });

  it('exits 2 when it cannot run: a bad argument, a database that does not answer', async () => {
    const bad = await reconcile('--fast', '--json');
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout)).toEqual({ status: 'error', error: 'unknown argument --fast' });
    expect(bad.stderr).toContain('usage: npm run reconcile');
    const down = await runCommand('reconcile.ts', [], { DATABASE_URL: 'postgres://postgres@127.0.0.1:9/nowhere' });
    expect(down.code).toBe(2);
    expect(down.stderr).toContain('the database does not answer');
  });

  it('shows auditors every run, the latest first, with its findings', async () => {
    const s = await seed(t);
    await reconcileInProcess(t);
    await asOwner(t, shiftBalance(s.customers[0], 100n), shiftBalance(LIABILITY, -100n));
    await reconcileInProcess(t, { full: true });
    const r = await t.gql<{ reconciliationRuns: RunData[] }>(AUDITOR_TOKEN, RUNS, { first: 2 });
    expect(r.errors).toBeUndefined();
    const [latest, before] = r.data!.reconciliationRuns;
    expect(Number(latest.id)).toBe(Number(before.id) + 1);
    expect({ status: latest.status, mode: latest.mode, driftCount: latest.driftCount }).toEqual({ status: 'DRIFT', mode: 'FULL', driftCount: '2' });
    expect(latest.findings).toEqual([
      expect.objectContaining({ check: 'BALANCES_MATCH_ENTRIES', checkNumber: 2, count: '2', amount: '200' }),
    ]);
    const one = await t.gql<{ reconciliationRun: RunData | null }>(
      ADMIN_TOKEN,
      'query($id: ID!) { reconciliationRun(id: $id) { id status findings { kind examples { id expected actual } } } }',
      { id: latest.id },
    );
    expect(one.data?.reconciliationRun).toMatchObject({ id: latest.id, status: 'DRIFT' });
    const missing = await t.gql(ADMIN_TOKEN, 'query { reconciliationRun(id: "999999") { id } }');
    expect(missing).toEqual({ data: { reconciliationRun: null } });
  });

  it('is read-only finance data: POS tokens are refused, bad arguments are BAD_USER_INPUT', async () => {
    const pos = await t.gql<{ createRetailer: { authToken: string } }>(
      ADMIN_TOKEN,
      'mutation { createRetailer(input: { name: "Till", timezone: "UTC" }) { authToken } }',
    );
    expect(refusal(await t.gql(pos.data!.createRetailer.authToken, RUNS))).toBe('FORBIDDEN');
    expect(refusal(await t.gql(null, RUNS))).toBe('UNAUTHENTICATED');
    expect(refusal(await t.gql(AUDITOR_TOKEN, RUNS, { first: 0 }))).toBe('BAD_USER_INPUT');
    expect(refusal(await t.gql(AUDITOR_TOKEN, 'query { reconciliationRun(id: "x1") { id } }'))).toBe('BAD_USER_INPUT');
  });
});
