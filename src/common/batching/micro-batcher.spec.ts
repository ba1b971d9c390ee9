import fc from 'fast-check';
import { ItemResult, MicroBatcher } from './micro-batcher';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('MicroBatcher', () => {
  it('sends a lone call at once, in a batch of one', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        batches.push(items);
        return items.map((i) => ({ ok: true, value: i * 2 }));
      },
      { maxBatch: 10, maxInFlight: 1 },
    );
    await expect(batcher.submit(21)).resolves.toBe(42);
    expect(batches).toEqual([[21]]);
  });

  it('sends the calls of one round of I/O together, up to maxBatch, and queues the rest while the slots are busy', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        batches.push(items);
        if (batches.length === 1) await gate;
        return items.map((i) => ({ ok: true, value: i }));
      },
      { maxBatch: 3, maxInFlight: 1 },
    );
    const first = Promise.all([1, 2, 3, 4].map((i) => batcher.submit(i)));
    await tick();
    expect(batches).toEqual([[1, 2, 3]]);
    // Later rounds, while the only slot is busy: these wait and leave in arrival order.
    const later = [5, 6].map((i) => batcher.submit(i));
    await tick();
    const last = batcher.submit(7);
    await tick();
    expect(batches).toEqual([[1, 2, 3]]);
    release();
    await expect(Promise.all([first, ...later, last])).resolves.toEqual([[1, 2, 3, 4], 5, 6, 7]);
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('gives each call its own error and keeps the others', async () => {
    const batcher = new MicroBatcher<number, number>(
      async (items) =>
        items.map((i): ItemResult<number> => (i % 2 ? { ok: true, value: i } : { ok: false, error: new Error(`even ${i}`) })),
      { maxBatch: 10, maxInFlight: 1 },
    );
    const settled = await Promise.allSettled([1, 2, 3].map((i) => batcher.submit(i)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toEqual(new Error('even 2'));
  });

  it('rejects every call of a batch that throws, and keeps serving later calls', async () => {
    let calls = 0;
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        calls++;
        if (calls === 1) throw new Error('connection lost');
        return items.map((i) => ({ ok: true, value: i }));
      },
      { maxBatch: 10, maxInFlight: 1 },
    );
    await expect(batcher.submit(1)).rejects.toThrow('connection lost');
    await expect(batcher.submit(2)).resolves.toBe(2);
    expect(batcher.pending).toBe(0);
  });

  it('tells onBatch each batch size as it leaves, and shows what waits and what runs', async () => {
    const sizes: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        await gate;
        return items.map((i) => ({ ok: true, value: i }));
      },
      { maxBatch: 2, maxInFlight: 1, onBatch: (size) => sizes.push(size) },
    );
    const calls = [1, 2, 3, 4, 5].map((i) => batcher.submit(i));
    // Before the end of the round nothing has left.
    expect({ queued: batcher.queued, running: batcher.running, sizes }).toEqual({ queued: 5, running: 0, sizes: [] });
    await tick();
    expect({ queued: batcher.queued, running: batcher.running, sizes }).toEqual({ queued: 3, running: 1, sizes: [2] });
    release();
    await expect(Promise.all(calls)).resolves.toEqual([1, 2, 3, 4, 5]);
    expect({ queued: batcher.queued, running: batcher.running, sizes }).toEqual({ queued: 0, running: 0, sizes: [2, 2, 1] });
  });

  it('works without onBatch', async () => {
    const batcher = new MicroBatcher<number, number>(async (items) => items.map((i) => ({ ok: true, value: i })), {
      maxBatch: 4,
      maxInFlight: 2,
    });
    await expect(Promise.all([1, 2].map((i) => batcher.submit(i)))).resolves.toEqual([1, 2]);
    expect({ queued: batcher.queued, running: batcher.running }).toEqual({ queued: 0, running: 0 });
  });

  it('answers every call exactly once with its own value, never running more than maxInFlight batches, telling onBatch each', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer(), { maxLength: 200 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 5 }),
        async (values, maxBatch, maxInFlight) => {
          let running = 0;
          let peak = 0;
          const sizes: number[] = [];
          const batcher = new MicroBatcher<number, string>(
            async (items) => {
              running++;
              peak = Math.max(peak, running);
              expect(items.length).toBeLessThanOrEqual(maxBatch);
              await tick();
              running--;
              return items.map((i) => ({ ok: true, value: `v${i}` }));
            },
            { maxBatch, maxInFlight, onBatch: (size) => sizes.push(size) },
          );
          const results = await Promise.all(values.map((v) => batcher.submit(v)));
          expect(results).toEqual(values.map((v) => `v${v}`));
          expect(peak).toBeLessThanOrEqual(maxInFlight);
          // onBatch saw every batch: their sizes add up to the calls.
          expect(sizes.reduce((a, b) => a + b, 0)).toBe(values.length);
          expect(sizes.every((size) => size >= 1 && size <= maxBatch)).toBe(true);
        },
      ),
      { numRuns: 50 },
    );
  });
});
