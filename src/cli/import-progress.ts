/** "1:05" or "1:02:05". */
function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const two = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

/** "[#####-----]  52%  123,456 lines  14,200 lines/s  ETA 0:35": the share of the file's bytes read gives the ETA. */
export function importProgressLine(lines: number, bytesRead: number, totalBytes: number, seconds: number, width = 30): string {
  const ratio = totalBytes > 0 ? Math.min(1, bytesRead / totalBytes) : 1;
  const filled = Math.round(ratio * width);
  const rate = seconds > 0 ? lines / seconds : 0;
  const eta = ratio > 0 ? (seconds * (1 - ratio)) / ratio : 0;
  return (
    `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${`${Math.floor(ratio * 100)}%`.padStart(4)}  ` +
    `${lines.toLocaleString('en-US')} lines  ${Math.round(rate).toLocaleString('en-US')} lines/s  ETA ${duration(eta)}`
  );
}

/**
 * Progress on stderr: redrawn in place at most every 100 ms on a terminal, else one plain line every 10 s (a log
 * or a pipe gets no carriage returns).
 */
export class ImportProgress {
  private readonly started = Date.now();
  private last = this.started;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly totalBytes: number,
  ) {}

  update(lines: number, bytesRead: number): void {
    const now = Date.now();
    if (now - this.last < (this.stream.isTTY ? 100 : 10_000)) return;
    this.last = now;
    const line = importProgressLine(lines, bytesRead, this.totalBytes, (now - this.started) / 1000);
    this.stream.write(this.stream.isTTY ? `\r${line}` : `${line}\n`);
  }

  finish(lines: number, bytesRead: number): void {
    if (this.stream.isTTY) this.stream.write(`\r${importProgressLine(lines, bytesRead, this.totalBytes, (Date.now() - this.started) / 1000)}\n`);
  }
}
