import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImportCounts, ItemOutcome, runImport } from './import-run';

describe('runImport', () => {
  let folder: string;
  beforeEach(() => (folder = mkdtempSync(join(tmpdir(), 'import-run-'))));
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  const line = (transactionId: string, quantity = 1) => JSON.stringify({ transactionId, customerId: 'c', productId: 'p', quantity });

  /** A ledger in memory: the first sale of a transactionId is recorded, the same again replayed, another refused. */
  async function run(lines: string[]) {
    const file = join(folder, 'in.ndjson');
    writeFileSync(file, lines.join('\n'));
    const seen = new Map<string, number>();
    const calls: string[][] = [];
    let running = 0;
    let overlapped = false;
    const counts: ImportCounts = await runImport({
      file,
      format: 'ndjson',
      refusedPath: join(folder, 'refused.ndjson'),
      chunkSize: 2,
      progress: () => undefined,
      record: async (inputs) => {
        calls.push(inputs.map((i) => (i as { transactionId: string }).transactionId));
        overlapped ||= ++running > 1;
        await new Promise((resolve) => setImmediate(resolve));
        running--;
        return inputs.map((i): ItemOutcome => {
          const { transactionId, quantity } = i as { transactionId: string; quantity: number };
          const known = seen.get(transactionId);
          if (known === undefined) seen.set(transactionId, quantity);
          if (known === undefined) return { status: 'recorded' };
          return known === quantity ? { status: 'replayed' } : { status: 'refused', code: 'IDEMPOTENCY_CONFLICT', message: 'conflict' };
        });
      },
    });
    return { counts, calls, overlapped, refused: readFileSync(join(folder, 'refused.ndjson'), 'utf8') };
  }

  it('keeps two chunks in flight, and counts and writes refusals in file order', async () => {
    const r = await run([line('a'), 'nope', line('b'), line('c'), line('d', 0), '', line('e')]);
    expect(r.calls).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
    expect(r.overlapped).toBe(true);
    expect(r.counts).toEqual({ lines: 6, recorded: 5, replayed: 0, refused: 1, refusedByCode: { BAD_USER_INPUT: 1 } });
    expect(JSON.parse(r.refused)).toMatchObject({ line: 2, code: 'BAD_USER_INPUT', text: 'nope' });
  });

  it('decides a transactionId of two chunks in file order: the later chunk waits for the earlier', async () => {
    const r = await run([line('a', 1), line('b'), line('a', 2), line('a', 1)]);
    expect(r.overlapped).toBe(false);
    expect(r.counts).toEqual({ lines: 4, recorded: 2, replayed: 1, refused: 1, refusedByCode: { IDEMPOTENCY_CONFLICT: 1 } });
    expect(JSON.parse(r.refused)).toMatchObject({ line: 3, code: 'IDEMPOTENCY_CONFLICT' });
  });
});
