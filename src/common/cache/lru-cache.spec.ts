import { LruCache } from '@/common/cache/lru-cache';

describe('LruCache', () => {
  it('stays within its size and keeps the entries in use', () => {
    const cache = new LruCache<string, number>(1000);
    cache.set('hot', 1, Infinity);
    for (let i = 0; i < 10_000; i++) {
      cache.set(`k${i}`, i, Infinity);
      expect(cache.get('hot', 0)).toBe(1);
      expect(cache.size).toBeLessThanOrEqual(1000);
    }
    expect(cache.get('k9999', 0)).toBe(9999); // recent
    expect(cache.get('k0', 0)).toBeUndefined(); // long evicted
  });

  it('expires entries', () => {
    const cache = new LruCache<string, number>(10);
    cache.set('a', 1, 100);
    expect(cache.get('a', 99)).toBe(1);
    expect(cache.get('a', 100)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('updates a value in place and deletes by key or by value', () => {
    const cache = new LruCache<string, { p: string }>(10);
    cache.set('a', { p: 'x' }, 100);
    cache.set('b', { p: 'y' }, 100);
    cache.set('c', { p: 'x' }, 100);
    cache.set('c', { p: 'z' }, 100);
    expect(cache.deleteWhere((v) => v.p === 'x')).toBe(1);
    expect(cache.get('a', 0)).toBeUndefined();
    expect(cache.get('c', 0)).toEqual({ p: 'z' });
    cache.delete('b');
    expect(cache.get('b', 0)).toBeUndefined();
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('stays O(1) per insert when full', () => {
    const cache = new LruCache<string, number>(100_000);
    const started = process.hrtime.bigint();
    for (let i = 0; i < 500_000; i++) cache.set(`slug${i}`, i, Infinity);
    const nsPerInsert = Number(process.hrtime.bigint() - started) / 500_000;
    expect(nsPerInsert).toBeLessThan(5_000); // a scan-on-evict Map takes ~50,000 here
  });
});
