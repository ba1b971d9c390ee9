import { SeriesCache } from './series-cache';

describe('SeriesCache', () => {
  it('makes each combination once and hands the same child back', () => {
    const made: string[] = [];
    const cache = new SeriesCache((a, b) => {
      made.push(`${a}/${b}`);
      return { a, b };
    });
    const first = cache.get('recordPurchase', 'ok');
    expect(cache.get('recordPurchase', 'ok')).toBe(first);
    expect(cache.get('recordPurchase', 'BAD_USER_INPUT')).toEqual({ a: 'recordPurchase', b: 'BAD_USER_INPUT' });
    expect(cache.get('customer', 'ok')).toEqual({ a: 'customer', b: 'ok' });
    expect(cache.get('recorded')).toEqual({ a: 'recorded', b: '' });
    expect(cache.get('recorded')).toBe(cache.get('recorded', ''));
    expect(made).toEqual(['recordPurchase/ok', 'recordPurchase/BAD_USER_INPUT', 'customer/ok', 'recorded/']);
  });
});
