import fc from 'fast-check';
import { TokenBuckets } from './token-buckets';

describe('TokenBuckets', () => {
  it('lets a burst through, then refuses with the seconds to wait, then refills with time', () => {
    const buckets = new TokenBuckets(2, 4);
    const at0 = [1, 2, 3, 4, 5].map(() => buckets.take('a', 0));
    expect(at0).toEqual([0, 0, 0, 0, 1]);
    expect(buckets.take('b', 0)).toBe(0); // another key has its own bucket
    expect(buckets.take('a', 499)).toBe(1);
    expect(buckets.take('a', 1000)).toBe(0); // 2 tokens a second: 1 s refilled 2, one was spent at 499 ms
  });

  it('never lets more through than the burst plus the rate times the elapsed time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 400 }),
        (rate, gaps) => {
          const buckets = new TokenBuckets(rate);
          let now = 0;
          let allowed = 0;
          for (const gap of gaps) {
            now += gap;
            if (buckets.take('k', now) === 0) allowed++;
          }
          expect(allowed).toBeLessThanOrEqual(rate * 2 + Math.floor((now / 1000) * rate) + 1);
        },
      ),
    );
  });

  it('is off at rate 0 and bounded in keys', () => {
    expect(new TokenBuckets(0).take('x', 0)).toBe(0);
    const buckets = new TokenBuckets(1, 1, 3);
    for (let i = 0; i < 10; i++) buckets.take(`k${i}`, 0);
    expect(buckets.size).toBe(3);
  });
});
