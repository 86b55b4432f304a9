import type { OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

interface Window {
  /** Start of the current fixed window (ms). */
  start: number;
  current: number;
  previous: number;
}

/**
 * Rate-limit counters in O(1) per request: a sliding-window counter (the current fixed window's
 * hits plus the previous window's, weighted by how much of it still overlaps the last `ttl`).
 * @nestjs/throttler's default storage keeps one timestamp per hit and filters the whole array on
 * every request, so a busy key (thousands of requests a minute) paid for its own history — and
 * `Math.min(...hits)` fails outright beyond ~100k hits. A refused request is not counted.
 */
export class SlidingWindowStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly windows = new Map<string, Window>();
  private readonly sweeper: NodeJS.Timeout;
  private longestTtl = 0;

  constructor(private readonly clock: () => number = Date.now) {
    // Idle keys are forgotten, so memory follows active keys, not every key ever seen; the
    // timer is unref'd and never holds the process open.
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  /**
   * Stops the sweeper with the app (Nest calls this on the throttler's storage provider). An
   * unref'd interval does not hold the process open, but it lives on and keeps this storage,
   * and everything its closure reaches, for as long as the process runs: in the test run, each
   * closed app's whole module graph.
   */
  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    _throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    return Promise.resolve(this.hit(key, ttl, limit));
  }

  hit(key: string, ttl: number, limit: number): ThrottlerStorageRecord {
    const now = this.clock();
    this.longestTtl = Math.max(this.longestTtl, ttl);
    let w = this.windows.get(key);
    if (!w) {
      w = { start: now, current: 0, previous: 0 };
      this.windows.set(key, w);
    } else if (now >= w.start + ttl) {
      const elapsedWindows = Math.floor((now - w.start) / ttl);
      w.previous = elapsedWindows === 1 ? w.current : 0;
      w.current = 0;
      w.start += elapsedWindows * ttl;
    }
    const overlap = 1 - (now - w.start) / ttl;
    const used = w.previous * overlap + w.current;
    const timeToExpire = Math.ceil((w.start + ttl - now) / 1000);
    if (used + 1 > limit) {
      return {
        totalHits: Math.ceil(used) + 1,
        timeToExpire,
        isBlocked: true,
        timeToBlockExpire: Math.max(1, Math.ceil(this.msUntilFree(w, ttl, limit, now) / 1000)),
      };
    }
    w.current += 1;
    return { totalHits: Math.ceil(used + 1), timeToExpire, isBlocked: false, timeToBlockExpire: 0 };
  }

  /** When one more request fits: the previous window's weight fades, then the window rolls. */
  private msUntilFree(w: Window, ttl: number, limit: number, now: number): number {
    const windowEnd = w.start + ttl;
    if (w.current + 1 <= limit && w.previous > 0) {
      // previous * (1 - (t - start) / ttl) + current + 1 <= limit, solved for t
      const t = w.start + ttl * (1 - (limit - w.current - 1) / w.previous);
      return Math.max(0, Math.min(t, windowEnd) - now);
    }
    // The current window alone is full: after it rolls its hits weigh in as `previous`.
    const t = windowEnd + ttl * (1 - (limit - 1) / Math.max(w.current, 1));
    return Math.max(windowEnd - now, t - now);
  }

  private sweep(): void {
    const now = this.clock();
    for (const [key, w] of this.windows)
      if (now >= w.start + 2 * this.longestTtl) this.windows.delete(key);
  }

  get size(): number {
    return this.windows.size;
  }
}
