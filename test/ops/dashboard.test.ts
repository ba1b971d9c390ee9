import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asOwner, LIABILITY, reconcile, shiftBalance } from '../reconciliation/drift-kit';
import { Fixtures, recordPurchase } from '../support/fixtures';
import { natsEnv, natsTest, removeTestStreams, testNats, TestNats } from '../support/nats';
import { ADMIN_TOKEN, GraphqlResponse, startTestApp, TestApp } from '../support/test-app';

/**
 * The dashboard (docs/ops/grafana-dashboard.json) and the alerting rules (docs/ops/alerts.yml) query the service's
 * metrics by name. A renamed metric, a typo or a label value that never occurs gives an empty panel or an alert
 * that can never fire, and nothing else would notice: so every PromQL expression of both is checked against what
 * GET /metrics really serves after each kind of traffic has happened once.
 */

const OPS = join(__dirname, '..', '..', 'docs', 'ops');

/** Series Prometheus makes itself when it scrapes, not the service. */
const MADE_BY_PROMETHEUS = new Set(['up']);
/** Target labels added by Prometheus: the service never exports them. */
const TARGET_LABELS = new Set(['job', 'instance']);

interface Matcher {
  label: string;
  op: string;
  value: string;
}
interface Selector {
  name: string;
  matchers: Matcher[];
}

// PromQL words that are neither a function (followed by `(`) nor a metric name.
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'group_left', 'group_right']);
// Words followed by a list of label names, which are not metric names either.
const LABEL_LISTS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

/**
 * The metric selectors of a PromQL expression: identifiers followed by `{` or `[`, or used bare, leaving out
 * functions and aggregations (followed by `(`), keywords, label lists (`by (le)`), range and subquery brackets,
 * numbers, durations, strings and Grafana variables (`$__rate_interval`, `$job`).
 */
function selectorsOf(expr: string): Selector[] {
  const tokens = (expr.match(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|\$\{?\w+\}?|\d[\w.]*|[a-zA-Z_:][\w:]*|=~|!~|!=|==|>=|<=|\S/g) ?? []);
  const selectors: Selector[] = [];
  const skipTo = (i: number, close: string) => {
    while (i < tokens.length && tokens[i] !== close) i++;
    return i;
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === '[') {
      i = skipTo(i, ']');
    } else if (token === '{') {
      throw new Error(`a selector without a metric name in: ${expr}`);
    } else if (/^[a-zA-Z_:]/.test(token)) {
      const next = tokens[i + 1];
      if (next === '(') {
        if (LABEL_LISTS.has(token)) i = skipTo(i, ')');
        continue;
      }
      // An aggregation with its label list first: `sum by (le) (...)`.
      if (next === 'by' || next === 'without') continue;
      if (KEYWORDS.has(token.toLowerCase())) continue;
      const selector: Selector = { name: token, matchers: [] };
      if (next === '{') {
        i += 2;
        while (tokens[i] !== '}') {
          if (tokens[i] === ',') {
            i++;
            continue;
          }
          const [label, op, quoted] = [tokens[i], tokens[i + 1], tokens[i + 2]];
          if (!/^["'`]/.test(quoted ?? '')) throw new Error(`cannot read the matchers of ${token} in: ${expr}`);
          selector.matchers.push({ label, op, value: quoted.slice(1, -1) });
          i += 3;
        }
      }
      selectors.push(selector);
    }
  }
  return selectors;
}

interface Expression {
  where: string;
  expr: string;
}

interface GrafanaPanel {
  title?: string;
  type: string;
  targets?: Array<{ refId: string; expr?: string }>;
  panels?: GrafanaPanel[];
}

function dashboardExpressions(): { panels: GrafanaPanel[]; expressions: Expression[] } {
  const dashboard = JSON.parse(readFileSync(join(OPS, 'grafana-dashboard.json'), 'utf8')) as {
    panels: GrafanaPanel[];
    templating: { list: Array<{ name: string; type: string; query?: string | { query: string } }> };
  };
  const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
  const expressions: Expression[] = panels.flatMap((p) =>
    (p.targets ?? []).map((target) => ({ where: `panel "${p.title}" ${target.refId}`, expr: target.expr ?? '' })),
  );
  for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
    const query = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
    // label_values(<selector>, <label>) is Grafana's, not PromQL: its selector is what queries the service.
    const selector = /^label_values\((.*),\s*\w+\)$/.exec(query);
    expressions.push({ where: `variable $${variable.name}`, expr: selector ? selector[1] : query });
  }
  return { panels, expressions };
}

/** The `expr` of each rule of a Prometheus rule file, inline or as a `|` / `>` block (no YAML library needed). */
function ruleExpressions(file: string): Expression[] {
  const lines = readFileSync(join(OPS, file), 'utf8').split('\n');
  const expressions: Expression[] = [];
  let rule = '';
  for (let i = 0; i < lines.length; i++) {
    const named = /^\s*- (?:alert|record): (\S+)/.exec(lines[i]);
    if (named) rule = named[1];
    const found = /^(\s*)expr: ?(.*)$/.exec(lines[i]);
    if (!found) continue;
    let expr = found[2].trim();
    if (/^[|>][-+]?$/.test(expr)) {
      const block: string[] = [];
      while (i + 1 < lines.length && (lines[i + 1].trim() === '' || lines[i + 1].search(/\S/) > found[1].length)) block.push(lines[++i]);
      expr = block.join('\n').trim();
    } else if (/^["']/.test(expr)) {
      expr = expr.slice(1, -1);
    }
    expressions.push({ where: `${file}: ${rule}`, expr });
  }
  return expressions;
}

interface Exposition {
  types: Map<string, string>;
  series: Map<string, Array<Record<string, string>>>;
}

/** The Prometheus text format: each family's TYPE, and the label sets of each series name. */
function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const series = new Map<string, Array<Record<string, string>>>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1], type[2]);
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? \S+/.exec(line);
    if (!sample) continue;
    const labels = Object.fromEntries([...(sample[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    series.set(sample[1], [...(series.get(sample[1]) ?? []), labels]);
  }
  return { types, series };
}

/** The family a queried series name belongs to: histograms are queried by their _bucket/_sum/_count series. */
function familyOf(name: string, types: Map<string, string>): string | undefined {
  const type = types.get(name);
  if (type && type !== 'histogram') return name;
  const suffixed = /^(.*)_(bucket|sum|count)$/.exec(name);
  const familyType = suffixed && types.get(suffixed[1]);
  if (familyType === 'histogram' || (familyType === 'summary' && suffixed?.[2] !== 'bucket')) return suffixed?.[1];
  return undefined;
}

/** What is wrong with one expression against the exposition; empty when every selector matches exported series. */
function problemsOf({ where, expr }: Expression, exposition: Exposition): string[] {
  const problems: string[] = [];
  for (const { name, matchers } of selectorsOf(expr)) {
    if (MADE_BY_PROMETHEUS.has(name)) continue;
    const family = familyOf(name, exposition.types);
    const series = exposition.series.get(name) ?? [];
    if (!family) problems.push(`${where}: ${name} is not a metric the service exports`);
    else if (series.length === 0) problems.push(`${where}: ${name} (family ${family}) has no series`);
    if (!family || series.length === 0) continue;
    for (const { label, op, value } of matchers.filter((m) => !TARGET_LABELS.has(m.label))) {
      if (!series.some((labels) => label in labels)) problems.push(`${where}: ${name} has no label ${label}`);
      else if (op === '=' && !value.includes('$') && !series.some((labels) => labels[label] === value))
        problems.push(`${where}: ${name} has no series with ${label}="${value}"`);
    }
  }
  return [...new Set(problems)];
}

async function must<T>(response: Promise<GraphqlResponse<T>>): Promise<T> {
  const r = await response;
  if (r.errors?.length || !r.data) throw new Error(`call failed: ${JSON.stringify(r.errors)}`);
  return r.data;
}

describe('selectorsOf (the PromQL reader of this test)', () => {
  it('keeps metric names and their matchers, and leaves out functions, label lists, ranges, numbers and variables', () => {
    const expr = `histogram_quantile(0.99, sum by (job, le) (rate(a_seconds_bucket{job=~"$job", kind="x"}[$__rate_interval])))
      / on (job) group_left b_total > 26 * 3600 and sum(c:ratio offset 5m) without (instance) or time() - d[1h:5m]`;
    expect(selectorsOf(expr)).toEqual([
      { name: 'a_seconds_bucket', matchers: [{ label: 'job', op: '=~', value: '$job' }, { label: 'kind', op: '=', value: 'x' }] },
      { name: 'b_total', matchers: [] },
      { name: 'c:ratio', matchers: [] },
      { name: 'd', matchers: [] },
    ]);
  });
});

/** Families the service registers only in event mode (INGESTION_MODE=jetstream), checked when a NATS is found. */
const EVENT_MODE = /^loyalty_ingest_/;
const inEventMode = (e: Expression) => selectorsOf(e.expr).some((selector) => EVENT_MODE.test(selector.name));

describe('docs/ops: the dashboard and the alerts query metrics the service exports', () => {
  let t: TestApp;
  let exposition: Exposition;
  let nats: TestNats | null = null;
  let natsSettings: Record<string, string> = {};

  beforeAll(async () => {
    // In event mode when some NATS can be found, so that its families are exported too (natsTest below says
    // when they cannot be checked).
    nats = await testNats();
    natsSettings = nats ? natsEnv(nats.url, 'ops-metrics') : {};
    t = await startTestApp(natsSettings);
    const f = new Fixtures(t);
    const retailer = await f.retailer();
    const customerId = await f.customer();
    const productId = await f.product(1000);
    await f.promotion({ productId, awardRate: '10' });
    // One of each kind of traffic, so that every labelled series the panels and rules select exists.
    const purchase = await must(recordPurchase(t, retailer.token, { transactionId: 'ops-purchase-1', customerId, productId, quantity: 3 }));
    expect(purchase.recordPurchase.pointsAwarded).toBe('300');
    const returned = await must(
      t.gql<{ recordReturn: { pointsReversed: string } }>(
        retailer.token,
        'mutation($input: RecordReturnInput!) { recordReturn(input: $input) { pointsReversed } }',
        { input: { transactionId: 'ops-return-1', purchaseTransactionId: 'ops-purchase-1', quantity: 1 } },
      ),
    );
    expect(returned.recordReturn.pointsReversed).toBe('100');
    const redeemed = await must(
      t.gql<{ redeemPoints: { redemption: { id: string } } }>(
        ADMIN_TOKEN,
        'mutation($input: RedeemPointsInput!) { redeemPoints(input: $input) { redemption { id } } }',
        { input: { idempotencyKey: 'ops-redemption-1', customerId, points: '50', rewardReference: 'mug' } },
      ),
    );
    await must(t.gql(ADMIN_TOKEN, 'mutation($id: ID!) { cancelRedemption(id: $id) { replayed } }', { id: redeemed.redeemPoints.redemption.id }));
    await must(
      t.gql(ADMIN_TOKEN, 'mutation($input: AdjustPointsInput!) { adjustPoints(input: $input) { customerBalance } }', {
        input: { idempotencyKey: 'ops-adjustment-1', customerId, points: '-20', reason: 'goodwill correction' },
      }),
    );
    expect(await f.balance(customerId)).toBe(300n - 100n - 50n + 50n - 20n);
    // A clean run (the last clean run's timestamp), then damage and a run that finds it (the drift rows by kind).
    expect((await reconcile(t)).status).toBe('clean');
    await asOwner(t, shiftBalance(customerId, 5n), shiftBalance(LIABILITY, -5n));
    expect((await reconcile(t, { full: true })).status).toBe('drift');

    const response = await fetch(t.url.replace(/\/graphql$/, '/metrics'));
    expect(response.status).toBe(200);
    exposition = parseExposition(await response.text());
  });

  afterAll(async () => {
    await t?.close();
    if (nats) await removeTestStreams(natsSettings).catch(() => undefined);
    await nats?.close();
  });

  it('reads an expression from every panel and every rule', () => {
    const { panels, expressions } = dashboardExpressions();
    expect(panels.filter((p) => !p.targets?.length || p.targets.some((target) => !target.expr?.trim())).map((p) => p.title)).toEqual([]);
    expect(expressions.every((e) => selectorsOf(e.expr).length > 0)).toBe(true);
    expect(ruleExpressions('alerts.yml').map((e) => e.where)).toEqual(
      [
        'LoyaltyLedgerDrift',
        'LoyaltyReconciliationStale',
        'LoyaltyServiceDown',
        'LoyaltyGraphqlServerErrors',
        'LoyaltyGraphqlLatencyHigh',
        'LoyaltyDbPoolSaturated',
        'LoyaltyHeapNearLimit',
        'LoyaltyIngestBacklogStale',
        'LoyaltyIngestDeadLetters',
      ].map((alert) => `alerts.yml: ${alert}`),
    );
  });

  it('finds every metric and label value of the dashboard in /metrics', () => {
    expect(dashboardExpressions().expressions.flatMap((e) => problemsOf(e, exposition))).toEqual([]);
  });

  it('finds every metric and label value of the alerting rules in /metrics', () => {
    const direct = ruleExpressions('alerts.yml').filter((e) => !inEventMode(e));
    expect(direct.flatMap((e) => problemsOf(e, exposition))).toEqual([]);
  });

  natsTest('finds every metric of the event-mode alerting rules in /metrics (the service in event mode)', async () => {
    const events = ruleExpressions('alerts.yml').filter(inEventMode);
    expect(events.map((e) => e.where)).toEqual(['alerts.yml: LoyaltyIngestBacklogStale', 'alerts.yml: LoyaltyIngestDeadLetters']);
    expect(events.flatMap((e) => problemsOf(e, exposition))).toEqual([]);
  });

  it('would notice a metric the service does not export, and a label value that never occurs', () => {
    const wrong = [
      { where: 'typo', expr: 'rate(loyalty_purchase_total[5m])' },
      { where: 'bare histogram', expr: 'loyalty_graphql_request_duration_seconds' },
      { where: 'value', expr: 'loyalty_ledger_movement_points_total{kind="redemptions"}' },
    ];
    expect(wrong.flatMap((e) => problemsOf(e, exposition))).toEqual([
      'typo: loyalty_purchase_total is not a metric the service exports',
      'bare histogram: loyalty_graphql_request_duration_seconds is not a metric the service exports',
      'value: loyalty_ledger_movement_points_total has no series with kind="redemptions"',
    ]);
  });
});
