/** A one-line progress bar for a terminal: "[#####-----]  52%  1,234,567 / 2,400,000 entries". */
export function progressLine(done: number, total: number, width = 30): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(ratio * width);
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent}  ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} entries`;
}

/** Redraws the line in place at most every 100 ms; `finish` leaves the final state on its own line. */
export class ProgressBar {
  private lastDraw = 0;
  private total = 0;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  start(total: number): void {
    this.total = total;
    this.stream.write(progressLine(0, total));
  }

  update(done: number): void {
    const now = Date.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.stream.write(`\r${progressLine(done, this.total)}`);
  }

  finish(done: number): void {
    this.stream.write(`\r${progressLine(done, this.total)}\n`);
  }
}
