import { TestApp } from '../support/test-app';

/** Helpers of the metrics tests (not a test file itself): /metrics scraped and its text format parsed. */

export type Labels = Record<string, string>;

export interface Sample {
  name: string;
  labels: Labels;
  value: number;
}

/** One scrape, parsed: every sample, and each family's declared type. */
export class Scrape {
  readonly samples: Sample[] = [];
  readonly types = new Map<string, string>();
  private readonly byKey = new Map<string, number>();

  constructor(readonly text: string) {
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const type = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (type) {
        this.types.set(type[1], type[2]);
        continue;
      }
      if (line.startsWith('#')) continue;
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!m) throw new Error(`not a sample line: ${line}`);
      const labels: Labels = {};
      for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
      const sample = { name: m[1], labels, value: Number(m[3]) };
      this.samples.push(sample);
      this.byKey.set(key(sample.name, labels), sample.value);
    }
  }

  /** The value of one series; undefined when it is not exported. */
  get(name: string, labels: Labels = {}): number | undefined {
    return this.byKey.get(key(name, labels));
  }

  /** The value of one series, 0 when it is not exported (yet). */
  value(name: string, labels: Labels = {}): number {
    return this.get(name, labels) ?? 0;
  }

  /** The samples of one metric name. */
  series(name: string): Sample[] {
    return this.samples.filter((s) => s.name === name);
  }
}

function key(name: string, labels: Labels): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]}"`);
  return `${name}{${parts.join(',')}}`;
}

export async function scrape(t: TestApp): Promise<Scrape> {
  const response = await fetch(t.url.replace(/\/graphql$/, '/metrics'));
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return new Scrape(await response.text());
}

/** How much each of these series moved between two scrapes. */
export function moved(before: Scrape, after: Scrape, name: string, labelSets: Labels[]): number[] {
  return labelSets.map((labels) => after.value(name, labels) - before.value(name, labels));
}

/** The sum over every series of a name whose labels include `match`. */
export function total(s: Scrape, name: string, match: Labels = {}): number {
  return s
    .series(name)
    .filter((sample) => Object.entries(match).every(([k, v]) => sample.labels[k] === v))
    .reduce((sum, sample) => sum + sample.value, 0);
}

/** Every family the service exports (docs/ops/metrics.md), with its type. */
export const FAMILIES: Record<string, string> = {
  process_cpu_seconds_total: 'counter',
  process_resident_memory_bytes: 'gauge',
  nodejs_heap_size_used_bytes: 'gauge',
  nodejs_heap_size_total_bytes: 'gauge',
  nodejs_eventloop_lag_p99_seconds: 'gauge',
  nodejs_eventloop_lag_seconds: 'gauge',
  nodejs_gc_duration_seconds: 'histogram',
  loyalty_heap_limit_bytes: 'gauge',
  loyalty_graphql_requests_total: 'counter',
  loyalty_graphql_request_duration_seconds: 'histogram',
  loyalty_purchases_total: 'counter',
  loyalty_points_credited_total: 'counter',
  loyalty_purchase_batch_size: 'histogram',
  loyalty_purchase_queue_depth: 'gauge',
  loyalty_purchase_batches_in_flight: 'gauge',
  loyalty_ledger_movements_total: 'counter',
  loyalty_ledger_movement_points_total: 'counter',
  loyalty_db_pool_clients: 'gauge',
  loyalty_db_pool_acquire_seconds: 'histogram',
  loyalty_points_outstanding: 'gauge',
  loyalty_program_account_balance: 'gauge',
  loyalty_reconciliation_drift_count: 'gauge',
  loyalty_reconciliation_drift_rows: 'gauge',
  loyalty_reconciliation_last_run_timestamp_seconds: 'gauge',
  loyalty_reconciliation_last_run_duration_seconds: 'gauge',
  loyalty_reconciliation_last_clean_run_timestamp_seconds: 'gauge',
};

/** Any UUID, as ids of customers, purchases, transactions, tokens' rows are written. */
export const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
