import { createReadStream, createWriteStream, WriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { parseCsvHeader, parseCsvLine, parseNdjsonLine, ParsedLine } from './import-line';

/** What the batch path decided about one item: recorded, replayed, or refused with a code and its reason. */
export type ItemOutcome = { status: 'recorded' | 'replayed' } | { status: 'refused'; code: string; message: string };

export interface ImportCounts {
  lines: number;
  recorded: number;
  replayed: number;
  refused: number;
  refusedByCode: Record<string, number>;
}

export interface ImportOptions {
  file: string;
  format: 'ndjson' | 'csv';
  refusedPath: string;
  chunkSize: number;
  /** Records one chunk of parsed items in order, one outcome per item (the batch path). */
  record(inputs: readonly unknown[]): Promise<ItemOutcome[]>;
  /** Called after each chunk with the counts so far and the bytes of the file read. */
  progress(counts: ImportCounts, bytesRead: number): void;
}

interface Line {
  number: number;
  text: string;
  parsed: ParsedLine;
}

/**
 * Streams the file through the batch path a chunk at a time, at most two chunks in memory and in flight whatever
 * the file's size. Outcomes are counted and refusals written in file order, and a transactionId that appears in
 * two chunks is decided in file order too (the later chunk waits), so the file behaves as its lines sent one by
 * one. Blank lines are skipped.
 */
export async function runImport(options: ImportOptions): Promise<ImportCounts> {
  const counts: ImportCounts = { lines: 0, recorded: 0, replayed: 0, refused: 0, refusedByCode: {} };
  const input = createReadStream(options.file);
  const opened = once(input, 'open');
  await Promise.race([opened, once(input, 'error').then(([e]) => Promise.reject(e as Error))]);
  const refusedOut = createWriteStream(options.refusedPath);
  await once(refusedOut, 'open');
  const lines = createInterface({ input, crlfDelay: Infinity });
  let columns: string[] | null = null;
  let number = 0;
  let chunk: Line[] = [];
  let inFlight: Chunk | null = null;
  // Two chunks at most in flight: the next is recorded while the previous one's outcomes are awaited, which keeps
  // the database busy, yet each chunk's outcomes are written in file order.
  const send = async () => {
    const ready = chunk;
    chunk = [];
    if (inFlight !== null && sharesTransaction(inFlight, ready)) {
      // Sent together, two chunks' lines of one transactionId would race: the earlier line must be decided first.
      await settleChunk(inFlight, counts, refusedOut);
      inFlight = null;
    }
    const next = startChunk(ready, options);
    if (inFlight !== null) await settleChunk(inFlight, counts, refusedOut);
    inFlight = next;
    options.progress(counts, input.bytesRead);
  };
  try {
    for await (const text of lines) {
      number++;
      if (text.trim() === '') continue;
      if (options.format === 'csv' && columns === null) {
        columns = parseCsvHeader(text);
        continue;
      }
      const parsed = columns === null ? parseNdjsonLine(text) : parseCsvLine(text, columns);
      chunk.push({ number, text, parsed });
      if (chunk.length >= options.chunkSize) await send();
    }
    if (options.format === 'csv' && columns === null) throw new Error('the CSV file has no header row');
    if (chunk.length > 0) await send();
    if (inFlight !== null) await settleChunk(inFlight, counts, refusedOut);
    options.progress(counts, input.bytesRead);
  } finally {
    refusedOut.end();
    await once(refusedOut, 'close');
  }
  return counts;
}

interface Chunk {
  lines: Line[];
  transactions: Set<string>;
  outcomes: Promise<ItemOutcome[]>;
}

function startChunk(lines: Line[], options: ImportOptions): Chunk {
  const inputs = lines.flatMap((l) => (l.parsed.ok ? [l.parsed.input] : []));
  const transactions = new Set(inputs.map((i) => String(i.transactionId)));
  const outcomes = inputs.length > 0 ? options.record(inputs) : Promise.resolve([]);
  // Awaited later (settleChunk); a rejection must not be reported as unhandled in between.
  outcomes.catch(() => undefined);
  return { lines, transactions, outcomes };
}

function sharesTransaction(chunk: Chunk, lines: Line[]): boolean {
  return lines.some((l) => l.parsed.ok && chunk.transactions.has(String(l.parsed.input.transactionId)));
}

async function settleChunk(chunk: Chunk, counts: ImportCounts, out: WriteStream): Promise<void> {
  const outcomes = await chunk.outcomes;
  let next = 0;
  let refusals = '';
  for (const line of chunk.lines) {
    const outcome: ItemOutcome = line.parsed.ok
      ? outcomes[next++]
      : { status: 'refused', code: 'BAD_USER_INPUT', message: line.parsed.reason };
    counts.lines++;
    if (outcome.status !== 'refused') {
      counts[outcome.status]++;
      continue;
    }
    counts.refused++;
    counts.refusedByCode[outcome.code] = (counts.refusedByCode[outcome.code] ?? 0) + 1;
    refusals += `${JSON.stringify({ line: line.number, code: outcome.code, message: outcome.message, text: line.text })}\n`;
  }
  if (refusals !== '' && !out.write(refusals)) await once(out, 'drain');
}

/** The summary printed at the end. */
export function formatImportSummary(counts: ImportCounts, seconds: number, refusedPath: string): string {
  const rate = seconds > 0 ? Math.round(counts.lines / seconds) : counts.lines;
  const codes = Object.entries(counts.refusedByCode)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, n]) => `  ${code}: ${n}\n`)
    .join('');
  return (
    `lines:    ${counts.lines} in ${seconds.toFixed(1)} s (${rate} lines/s)\n` +
    `recorded: ${counts.recorded}\nreplayed: ${counts.replayed}\nrefused:  ${counts.refused}\n${codes}` +
    (counts.refused > 0 ? `refused lines with their reasons: ${refusedPath}\n` : '')
  );
}
