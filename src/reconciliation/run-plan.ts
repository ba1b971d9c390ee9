import { RunMode, RunStatus } from './reconciliation-report';

/** The latest run that finished checking, as far as the next run's mode depends on it. */
export interface PreviousRun {
  id: string;
  status: RunStatus;
  watermark: string | null;
  lastEntryId: bigint | null;
  /** False when the watermark is ahead of the server's transaction ids: a restored or different cluster. */
  sameCluster: boolean;
}

export interface RunPlan {
  mode: RunMode;
  reason: string;
  /** The clean run an incremental run continues from. */
  since: { id: string; watermark: string; lastEntryId: bigint } | null;
}

/**
 * Incremental only from a clean run's watermark: after drift, an incremental run would read past the drifted
 * rows and pass for clean while they are still wrong, so the next run reads everything again.
 */
export function planRun(previous: PreviousRun | null, fullRequested: boolean): RunPlan {
  const full = (reason: string): RunPlan => ({ mode: 'full', reason, since: null });
  if (fullRequested) return full('asked for');
  if (!previous) return full('no earlier run');
  if (previous.status === 'drift') return full(`run ${previous.id} found drift`);
  if (previous.status === 'empty') return full(`run ${previous.id} found an empty ledger`);
  if (previous.status !== 'clean') return full(`run ${previous.id} was not clean (${previous.status})`);
  if (previous.watermark === null || previous.lastEntryId === null) return full(`run ${previous.id} has no watermark`);
  if (!previous.sameCluster) return full(`run ${previous.id}'s watermark is from another database cluster`);
  return {
    mode: 'incremental',
    reason: `continues from run ${previous.id}'s watermark`,
    since: { id: previous.id, watermark: previous.watermark, lastEntryId: previous.lastEntryId },
  };
}
