/** One line of measured figures per fault test, on stderr: the numbers docs/reliability.md quotes. */
export function reportFigures(test: string, figures: Record<string, unknown>): void {
  const text = JSON.stringify(figures, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  process.stderr.write(`[faults] ${test}: ${text}\n`);
}

export function log(line: string): void {
  process.stderr.write(`[faults] ${line}\n`);
}
