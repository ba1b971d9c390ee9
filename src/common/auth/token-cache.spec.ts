import fc from 'fast-check';
import { TokenCache } from './token-cache';

describe('TokenCache', () => {
  it('keeps known and unknown tokens until they expire', () => {
    const cache = new TokenCache<string>(1000);
    cache.set('known', 'retailer-1', 0);
    cache.set('unknown', null, 0);
    expect(cache.get('known', 999)).toBe('retailer-1');
    expect(cache.get('unknown', 999)).toBeNull();
    expect(cache.get('never-seen', 999)).toBeUndefined();
    expect(cache.get('known', 1000)).toBeUndefined();
    expect(cache.get('unknown', 1000)).toBeUndefined();
  });

  it('caches nothing when the time to live is zero', () => {
    const cache = new TokenCache<string>(0);
    cache.set('a', 'x', 0);
    cache.set('b', null, 0);
    expect(cache.get('a', 0)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('never holds more than its bound, whatever the keys, and drops the least recently used first', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 300 }), fc.integer({ min: 1, max: 50 }), (keys, bound) => {
        const cache = new TokenCache<string>(60_000, bound);
        keys.forEach((key, i) => cache.set(key, i % 2 ? key : null, 0));
        expect(cache.size).toBeLessThanOrEqual(bound);
      }),
    );
    const cache = new TokenCache<string>(60_000, 2);
    cache.set('a', 'A', 0);
    cache.set('b', 'B', 0);
    cache.get('a', 1); // a is now the most recently used
    cache.set('c', null, 2);
    expect(cache.get('b', 3)).toBeUndefined();
    expect(cache.get('a', 3)).toBe('A');
    expect(cache.get('c', 3)).toBeNull();
  });

  it('evicts the entries whose value matches, and leaves unknown tokens alone', () => {
    const cache = new TokenCache<{ id: string }>(60_000);
    cache.set('t1', { id: 'x' }, 0);
    cache.set('t2', { id: 'y' }, 0);
    cache.set('t3', null, 0);
    cache.evictWhere((v) => v.id === 'x');
    expect(cache.get('t1', 1)).toBeUndefined();
    expect(cache.get('t2', 1)).toEqual({ id: 'y' });
    expect(cache.get('t3', 1)).toBeNull();
  });
});
