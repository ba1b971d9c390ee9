import { Inject, Injectable } from '@nestjs/common';
import { Pool, PoolClient } from 'pg';
import { SQL_POOL } from '../database/database.module';
import { CheckId, Finding, RunCounts, RunMode, RunReport, RunStatus } from './reconciliation-report';
import { PreviousRun } from './run-plan';

// Any constant: it only has to be the same for every process, so that two runs never overlap.
const RUN_LOCK_KEY = 724_311_902;

interface RunRow {
  id: string;
  started_at: Date;
  finished_at: Date | null;
  mode: RunMode;
  mode_reason: string;
  since_run_id: string | null;
  status: RunStatus;
  watermark: string | null;
  counts: Record<string, string>;
  findings: Array<Omit<Finding, 'count' | 'amount'> & { count: string; amount: string }>;
  error: string | null;
}

const RUN_COLUMNS = `id::text, started_at, finished_at, mode, mode_reason, since_run_id::text, status,
  watermark::text, counts, findings, error`;

export interface RunsForMetrics {
  /** The latest run that finished its checks (clean, drift or empty); null before the first. */
  latest: { startedAt: Date; finishedAt: Date; findings: Array<{ check: CheckId; kind: string; count: bigint }> } | null;
  /** When the latest run that found no drift (clean, or an empty ledger) ended; null: never. */
  lastCleanAt: Date | null;
}

export interface FinishedRun {
  status: Exclude<RunStatus, 'running'>;
  watermark: string | null;
  lastEntryId: bigint | null;
  counts: RunCounts | null;
  findings: Finding[];
  error: string | null;
}

/** reconciliation_runs: one row per run, written at its start and completed at its end. */
@Injectable()
export class ReconciliationRunsRepository {
  constructor(@Inject(SQL_POOL) private readonly pool: Pool) {}

  /** A session-level lock held for the run on its own connection; null when another run holds it. */
  async lock(): Promise<PoolClient | null> {
    const client = await this.pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [RUN_LOCK_KEY]);
      if (rows[0].locked) return client;
    } catch (error) {
      client.release();
      throw error;
    }
    client.release();
    return null;
  }

  async unlock(client: PoolClient): Promise<void> {
    try {
      await client.query('select pg_advisory_unlock($1)', [RUN_LOCK_KEY]);
    } finally {
      client.release();
    }
  }

  /** Runs left 'running' by a process that died. Only called while holding the lock, so none is still going. */
  async abandonUnfinished(): Promise<void> {
    await this.pool.query(`update reconciliation_runs set status = 'error', finished_at = clock_timestamp(),
      error = 'the process ended before the run finished' where status = 'running'`);
  }

  async previous(): Promise<PreviousRun | null> {
    const { rows } = await this.pool.query<{
      id: string;
      status: RunStatus;
      watermark: string | null;
      last_entry_id: string | null;
      same_cluster: boolean | null;
    }>(`select id::text, status, watermark::text, last_entry_id::text,
               pg_snapshot_xmax(watermark) <= pg_snapshot_xmax(pg_current_snapshot()) as same_cluster
          from reconciliation_runs r where status in ('clean', 'drift', 'empty') order by r.id desc limit 1`);
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      status: r.status,
      watermark: r.watermark,
      lastEntryId: r.last_entry_id === null ? null : BigInt(r.last_entry_id),
      sameCluster: r.same_cluster === true,
    };
  }

  async start(mode: RunMode, modeReason: string, sinceRunId: string | null): Promise<RunReport> {
    const { rows } = await this.pool.query<RunRow>(
      `insert into reconciliation_runs (mode, mode_reason, since_run_id) values ($1, $2, $3) returning ${RUN_COLUMNS}`,
      [mode, modeReason, sinceRunId],
    );
    return toReport(rows[0]);
  }

  async finish(id: string, run: FinishedRun): Promise<RunReport> {
    const { rows } = await this.pool.query<RunRow>(
      `update reconciliation_runs
          set finished_at = clock_timestamp(), status = $2, watermark = $3::pg_snapshot, last_entry_id = $4,
              counts = coalesce($5::jsonb, counts), findings = $6::jsonb, error = $7
        where id = $1 returning ${RUN_COLUMNS}`,
      [
        id,
        run.status,
        run.watermark,
        run.lastEntryId?.toString() ?? null,
        run.counts ? JSON.stringify(run.counts, bigintsAsText) : null,
        JSON.stringify(run.findings, bigintsAsText),
        run.error,
      ],
    );
    return toReport(rows[0]);
  }

  async list(first: number): Promise<RunReport[]> {
    const { rows } = await this.pool.query<RunRow>(
      `select ${RUN_COLUMNS} from reconciliation_runs r order by r.id desc limit $1`,
      [first],
    );
    return rows.map(toReport);
  }

  async find(id: string): Promise<RunReport | null> {
    const { rows } = await this.pool.query<RunRow>(`select ${RUN_COLUMNS} from reconciliation_runs where id = $1`, [id]);
    return rows[0] ? toReport(rows[0]) : null;
  }

  /**
   * What /metrics reports, in one round trip: the latest run that finished checking (an errored run checked
   * nothing) with its findings' counts (not their examples), and when the latest run that found no drift ended.
   */
  async forMetrics(): Promise<RunsForMetrics> {
    const { rows } = await this.pool.query<{
      started_at: Date | null;
      finished_at: Date | null;
      findings: Array<{ check: CheckId; kind: string; count: string }> | null;
      last_clean_at: Date | null;
    }>({
      name: 'reconciliation_runs_for_metrics',
      text: `select l.started_at, l.finished_at, l.findings,
                    (select c.finished_at from reconciliation_runs c
                      where c.status in ('clean', 'empty') order by c.id desc limit 1) as last_clean_at
               from (select 1) one
               left join lateral (
                 select r.started_at, r.finished_at,
                        (select coalesce(jsonb_agg(jsonb_build_object('check', f ->> 'check', 'kind', f ->> 'kind',
                                                                      'count', f ->> 'count')), '[]'::jsonb)
                           from jsonb_array_elements(r.findings) f) as findings
                   from reconciliation_runs r
                  where r.status in ('clean', 'drift', 'empty')
                  order by r.id desc limit 1) l on true`,
    });
    const r = rows[0];
    return {
      latest:
        r.finished_at === null || r.started_at === null
          ? null
          : {
              startedAt: r.started_at,
              finishedAt: r.finished_at,
              findings: (r.findings ?? []).map((f) => ({ check: f.check, kind: f.kind, count: BigInt(f.count) })),
            },
      lastCleanAt: r.last_clean_at,
    };
  }
}

function bigintsAsText(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

function toReport(r: RunRow): RunReport {
  const count = (name: string) => BigInt(r.counts[name] ?? '0');
  return {
    id: r.id,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    mode: r.mode,
    modeReason: r.mode_reason,
    sinceRunId: r.since_run_id,
    status: r.status,
    watermark: r.watermark,
    counts: {
      purchases: count('purchases'),
      ledgerTransactions: count('ledgerTransactions'),
      accounts: count('accounts'),
      guards: count('guards'),
      // Runs from before migration 0010 read none of these: 0.
      returns: count('returns'),
      redemptions: count('redemptions'),
      cancellations: count('cancellations'),
      adjustments: count('adjustments'),
    },
    findings: r.findings.map((f) => ({ ...f, count: BigInt(f.count), amount: BigInt(f.amount) })),
    error: r.error,
  };
}
