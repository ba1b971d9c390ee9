// The printed results: the tables, the service's peak memory, the service/raw ratio and the issue's targets.
const TARGETS = { ratio: 0.8, ratioGoal: 1.0, hotVsA: 0.8, replaysVsA: 1.0, p99Ms: 50, rssMb: 250, historyVsEmpty: 0.9, batch: 0.5, batchGoal: 0.7 };

const fixed = (n, digits) => (n === null || n === undefined ? '-' : n.toFixed(digits));

/** `unit`: what the rate column counts (the redemption scenarios have a table of their own, `legend` off). */
export function formatTable(rows, unit = 'purchases/s', legend = true) {
  const header = ['scenario', unit, 'p50 ms', 'p99 ms', 'errors', 'non-replayed', 'replayed', 'RSS MB', 'CPU % service', 'load gen', 'postgres', 'other'];
  const lines = rows.map((r) => [
    r.title,
    fixed(r.perSecond, 0),
    fixed(r.p50, 1),
    fixed(r.p99, 1),
    String(r.errors),
    String(r.nonReplayed),
    String(r.replayed),
    r.rssMb === undefined ? '-' : fixed(r.rssMb, 0),
    fixed(r.serviceCpu, 0),
    fixed(r.generatorCpu, 0),
    fixed(r.postgresCpu, 0),
    fixed(r.otherCpu, 0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ');
  const cores = rows.find((r) => r.cores)?.cores;
  const table = [format(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...lines.map(format)];
  if (legend) {
    table.push(`RSS MB: the service's peak resident memory so far (VmHWM). CPU %: share of one core during the run` +
      `${cores ? ` (${cores} cores = ${cores * 100} %)` : ''}; other = the rest of the machine.`);
    const batch = rows.find((r) => r.latencyPer === 'call');
    if (batch) table.push(`Batch rows (g, raw batched): p50/p99 per call of ${batch.perCall} purchases; purchases/s counts the items recorded.`);
  }
  return table.join('\n');
}

const met = (ok) => (ok ? 'met' : 'NOT met');

const median = (values) => {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** One scenario's repeated runs as one result: the median of each figure on its own. */
export function medianRun(runs) {
  if (runs.length === 1) return runs[0];
  const figure = (key) => (runs.some((r) => r[key] === null || r[key] === undefined) ? null : median(runs.map((r) => r[key])));
  return { ...runs[0], perSecond: figure('perSecond'), p50: figure('p50'), p99: figure('p99'), otherCpu: figure('otherCpu') };
}

/** With --repeat: each scenario's figures run by run, and their medians (what the targets are judged on). */
export function formatMedians(runs, unit = 'purchases/s') {
  const lines = [`medians of the repeated runs (${unit}; p99 ms):`];
  for (const [key, list] of Object.entries(runs)) {
    const m = medianRun(list);
    lines.push(`  ${key.padEnd(14)} ${fixed(m.perSecond, 0).padStart(5)}/s (${list.map((r) => fixed(r.perSecond, 0)).join(', ')}); ` +
      `p99 ${fixed(m.p99, 1)} (${list.map((r) => fixed(r.p99, 0)).join(', ')})`);
  }
  return lines.join('\n');
}

/**
 * The summary lines after the table; `results` maps a..d (and 'history') to scenario results; `batches` holds
 * scenario g and its raw batched baseline (their p99 is per call of 500: not judged against the per-request one).
 */
export function formatSummary({ results, raw, batches = null, peakRssMb, history, repeat = 1 }) {
  const { a, b, c } = results;
  const ratio = a.perSecond / raw.perSecond;
  const lines = [
    ...(repeat > 1 ? [`figures below: medians of ${repeat} interleaved runs per scenario`] : []),
    `service peak RSS: ${peakRssMb === null ? 'n/a' : `${peakRssMb.toFixed(0)} MB`}`,
    `ratio service/raw: ${ratio.toFixed(2)}`,
    `ratio b/a: ${(b.perSecond / a.perSecond).toFixed(2)}`,
    `ratio c/a: ${(c.perSecond / a.perSecond).toFixed(2)}`,
  ];
  const batchRatio = batches ? batches.g.perSecond / batches.raw.perSecond : null;
  if (batches) {
    lines.push(`batches: g ${fixed(batches.g.perSecond, 0)}/s, raw batched ${fixed(batches.raw.perSecond, 0)}/s`,
      `ratio batch/raw-batched: ${batchRatio.toFixed(2)}`);
  }
  if (history) lines.push(`ratio a with ${history.entries.toLocaleString('en-US')} ledger entries / a: ${(history.result.perSecond / a.perSecond).toFixed(2)}`);
  // Every scenario: a with history (--large) included.
  const worstP99 = Math.max(...[...Object.values(results), ...(history ? [history.result] : [])].map((r) => r.p99));
  const targets = [
    [`a >= ${TARGETS.ratio}x raw (goal ${TARGETS.ratioGoal.toFixed(1)}x): ${ratio.toFixed(2)}x`,
      ratio >= TARGETS.ratio ? `${met(true)}${ratio >= TARGETS.ratioGoal ? ', goal met' : ', goal not met'}` : met(false)],
    batches
      ? [`g >= ${TARGETS.batch}x raw batched (goal ${TARGETS.batchGoal}x): ${batchRatio.toFixed(2)}x`,
        batchRatio >= TARGETS.batch ? `${met(true)}${batchRatio >= TARGETS.batchGoal ? ', goal met' : ', goal not met'}` : met(false)]
      : [`g >= ${TARGETS.batch}x raw batched (goal ${TARGETS.batchGoal}x)`, 'not measured'],
    [`b >= ${TARGETS.hotVsA}x a: ${(b.perSecond / a.perSecond).toFixed(2)}x`, met(b.perSecond >= TARGETS.hotVsA * a.perSecond)],
    [`c >= a: ${(c.perSecond / a.perSecond).toFixed(2)}x`, met(c.perSecond >= TARGETS.replaysVsA * a.perSecond)],
    [`p99 < ${TARGETS.p99Ms} ms in every scenario: worst ${worstP99.toFixed(1)} ms`, met(worstP99 < TARGETS.p99Ms)],
    [`service RSS < ${TARGETS.rssMb} MB: ${peakRssMb === null ? 'n/a' : `${peakRssMb.toFixed(0)} MB`}`,
      peakRssMb === null ? 'not measured' : met(peakRssMb < TARGETS.rssMb)],
    history
      ? [`with >= 10,000,000 ledger entries >= ${TARGETS.historyVsEmpty}x empty: ${(history.result.perSecond / a.perSecond).toFixed(2)}x`,
        met(history.entries >= 10_000_000 && history.result.perSecond >= TARGETS.historyVsEmpty * a.perSecond)]
      : [`with >= 10,000,000 ledger entries >= ${TARGETS.historyVsEmpty}x empty`, 'not measured (run with --large)'],
  ];
  lines.push('targets:', ...targets.map(([what, verdict]) => `  ${what} -> ${verdict}`));
  const busiest = Math.max(...[...Object.values(results), raw, ...(batches ? [batches.g, batches.raw] : [])].map((r) => r.otherCpu ?? 0));
  if (busiest > 30) {
    lines.push(`warning: other work on the machine used up to ${busiest.toFixed(0)}% of a core during a scenario: ` +
      'the figures are skewed; run again on a quiet machine');
  }
  return lines.join('\n');
}

/**
 * The redemption scenarios' lines of the summary: their rates, and p99 against the same latency target as the
 * purchases. e is bounded by one customer's lock (each redemption waits for the one before it to commit), f by
 * the service's database pool.
 */
export function formatRedemptionSummary({ e, f, connections }) {
  const p99 = (key, r) => `${key} ${fixed(r.p99, 1)} ms ${r.p99 < TARGETS.p99Ms ? 'OK' : 'NOT met'}`;
  return [
    `redemptions/s: e ${fixed(e.perSecond, 0)}, f ${fixed(f.perSecond, 0)} (f/e ${(f.perSecond / e.perSecond).toFixed(2)})`,
    `redemptions p99 < ${TARGETS.p99Ms} ms at ${connections} connections: ${p99('e', e)}, ${p99('f', f)}`,
  ].join('\n');
}

export function formatChecks(title, checks) {
  return checks.map((c) => `  ${c.ok ? 'OK  ' : 'FAIL'} ${title}: ${c.name} (${c.detail})`).join('\n');
}
