import { SlidingWindowStorage } from '@/common/rate-limit/sliding-window-storage';

const MINUTE = 60_000;

function storeAt(start: number): { store: SlidingWindowStorage; at: (ms: number) => void } {
  let now = start;
  const store = new SlidingWindowStorage(() => now);
  return { store, at: (ms) => (now = start + ms) };
}

describe('SlidingWindowStorage', () => {
  it('lets `limit` requests through in a window and refuses the next, with Retry-After', () => {
    const { store } = storeAt(1_000_000);
    const records = Array.from({ length: 5 }, () => store.hit('k', MINUTE, 5));
    expect(records.map((r) => r.isBlocked)).toEqual([false, false, false, false, false]);
    expect(records.map((r) => r.totalHits)).toEqual([1, 2, 3, 4, 5]);
    const refused = store.hit('k', MINUTE, 5);
    expect(refused.isBlocked).toBe(true);
    expect(refused.timeToBlockExpire).toBeGreaterThanOrEqual(1);
    // a refused request is not counted: still refused, not further out
    expect(store.hit('k', MINUTE, 5).timeToBlockExpire).toBe(refused.timeToBlockExpire);
  });

  it('keeps keys apart', () => {
    const { store } = storeAt(0);
    for (let i = 0; i < 3; i++) store.hit('a', MINUTE, 3);
    expect(store.hit('a', MINUTE, 3).isBlocked).toBe(true);
    expect(store.hit('b', MINUTE, 3).isBlocked).toBe(false);
  });

  it("weighs the previous window's hits by their remaining overlap", () => {
    const { store, at } = storeAt(0);
    for (let i = 0; i < 10; i++) store.hit('k', MINUTE, 10);
    at(MINUTE + MINUTE / 2); // half of the previous window still counts: 5 used, 5 free
    const results = Array.from({ length: 6 }, () => store.hit('k', MINUTE, 10).isBlocked);
    expect(results).toEqual([false, false, false, false, false, true]);
  });

  it('says when the next request fits, and it does fit then', () => {
    const { store, at } = storeAt(0);
    for (let i = 0; i < 10; i++) store.hit('k', MINUTE, 10);
    at(20_000);
    const refused = store.hit('k', MINUTE, 10);
    expect(refused.isBlocked).toBe(true);
    at(20_000 + (refused.timeToBlockExpire - 2) * 1000);
    expect(store.hit('k', MINUTE, 10).isBlocked).toBe(true);
    at(20_000 + refused.timeToBlockExpire * 1000);
    expect(store.hit('k', MINUTE, 10).isBlocked).toBe(false);
  });

  it('forgets the past after two idle windows', () => {
    const { store, at } = storeAt(0);
    for (let i = 0; i < 10; i++) store.hit('k', MINUTE, 10);
    at(2 * MINUTE + 1);
    expect(store.hit('k', MINUTE, 10).totalHits).toBe(1);
  });

  it('stays O(1) for a very busy key (the default storage failed past ~100k hits)', () => {
    const { store } = storeAt(0);
    let last = store.hit('k', MINUTE, 1_000_000);
    for (let i = 0; i < 300_000; i++) last = store.hit('k', MINUTE, 1_000_000);
    expect(last).toMatchObject({ isBlocked: false, totalHits: 300_001 });
    expect(store.size).toBe(1);
  });

  it('stops its sweeper when the app shuts down (a live timer would keep the storage forever)', () => {
    jest.useFakeTimers();
    try {
      const store = new SlidingWindowStorage();
      expect(jest.getTimerCount()).toBe(1);
      store.onApplicationShutdown();
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
