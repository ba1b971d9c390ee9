import { CHECKS, driftCount, Finding, RunReport } from './reconciliation-report';

/** Examples a human reads in the terminal; the JSON output and the GraphQL API carry up to MAX_EXAMPLES. */
const EXAMPLES_SHOWN = 5;

const n = (value: bigint) => value.toLocaleString('en-US');

function seconds(report: RunReport): string {
  if (!report.finishedAt) return '';
  return `, ${((report.finishedAt.getTime() - report.startedAt.getTime()) / 1000).toFixed(1)} s`;
}

function modeLine(report: RunReport): string {
  if (report.mode === 'incremental') return `incremental since run ${report.sinceRunId}'s watermark`;
  return `full (${report.modeReason})`;
}

function findingLines(f: Finding): string[] {
  const lines = [`         ${f.kind}: ${n(f.count)} (${n(f.amount)} points): ${f.description}`];
  for (const e of f.examples.slice(0, EXAMPLES_SHOWN)) {
    const values = [e.expected !== null ? `expected ${e.expected}` : '', e.actual !== null ? `actual ${e.actual}` : '']
      .filter(Boolean)
      .join(', ');
    lines.push(`           ${e.id}${values ? `  ${values}` : ''}`);
  }
  const more = f.count - BigInt(Math.min(f.examples.length, EXAMPLES_SHOWN));
  if (more > 0n) lines.push(`           ... and ${n(more)} more (--json or the reconciliationRun query list ${f.examples.length})`);
  return lines;
}

/** The human summary `npm run reconcile` prints. */
export function formatSummary(report: RunReport): string {
  const head = `Reconciliation run ${report.id}, ${modeLine(report)}${seconds(report)}`;
  if (report.status === 'error') return `${head}\nCOULD NOT RUN: ${report.error ?? 'unknown error'}\n`;

  const c = report.counts;
  const lines = [
    head,
    `Read ${n(c.purchases)} purchases, ${n(c.returns)} returns, ${n(c.redemptions)} redemptions, ` +
      `${n(c.cancellations)} cancellations, ${n(c.adjustments)} adjustments, ${n(c.ledgerTransactions)} ledger transactions, ` +
      `${n(c.accounts)} accounts, ${n(c.guards)} guards` +
      `${report.mode === 'incremental' ? ' (committed since the watermark; sums over everything)' : ''}.`,
  ];
  for (const check of CHECKS) {
    const found = report.findings.filter((f) => f.check === check.id);
    lines.push(`  ${found.length ? 'DRIFT' : 'ok   '}  ${check.number} ${check.title}`);
    for (const f of found) lines.push(...findingLines(f));
  }
  if (report.status === 'drift') {
    const failed = CHECKS.filter((check) => report.findings.some((f) => f.check === check.id)).map((check) => check.number);
    lines.push(`DRIFT: ${n(driftCount(report.findings))} rows in check${failed.length > 1 ? 's' : ''} ${failed.join(', ')}.`);
  } else if (report.status === 'empty') {
    lines.push('EMPTY: the ledger has no purchases, ledger transactions or entries: nothing to reconcile yet.');
  } else {
    lines.push('CLEAN: no drift.');
  }
  return `${lines.join('\n')}\n`;
}

/** The report as JSON-ready data: bigints as decimal strings, dates as ISO text. */
export function reportToJson(report: RunReport): Record<string, unknown> {
  return {
    id: report.id,
    status: report.status,
    mode: report.mode,
    modeReason: report.modeReason,
    sinceRunId: report.sinceRunId,
    startedAt: report.startedAt.toISOString(),
    finishedAt: report.finishedAt?.toISOString() ?? null,
    watermark: report.watermark,
    counts: Object.fromEntries(Object.entries(report.counts).map(([k, v]) => [k, String(v)])),
    driftCount: driftCount(report.findings).toString(),
    findings: report.findings.map((f) => ({
      check: f.check,
      checkNumber: CHECKS.find((c) => c.id === f.check)?.number,
      kind: f.kind,
      description: f.description,
      count: f.count.toString(),
      amount: f.amount.toString(),
      examples: f.examples,
    })),
    error: report.error,
  };
}
