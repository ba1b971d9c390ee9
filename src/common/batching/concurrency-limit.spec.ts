import { ConcurrencyLimit } from './concurrency-limit';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ConcurrencyLimit', () => {
  it('runs at most `limit` tasks at once, in the order they came, and every task to its end', async () => {
    const limit = new ConcurrencyLimit(2);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const gates: Array<() => void> = [];
    const settled = Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
      limit.run(async () => {
        started.push(i);
        peak = Math.max(peak, ++running);
        await new Promise<void>((resolve) => gates.push(resolve));
        running--;
        if (i === 3) throw new Error('task 3 fails');
        return i;
      }),
      ),
    );
    for (let step = 0; step < 5; step++) {
      await tick();
      gates.shift()!();
    }
    const outcomes = await settled;
    expect(peak).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(outcomes.map((s) => (s.status === 'fulfilled' ? s.value : 'failed'))).toEqual([0, 1, 2, 'failed', 4]);
  });

  it('refuses a limit below one', () => {
    expect(() => new ConcurrencyLimit(0)).toThrow(RangeError);
  });
});
