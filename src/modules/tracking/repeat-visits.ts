import { LruCache } from '@/common/cache/lru-cache';

/**
 * Remembers when each visitor last clicked each link, to tell first visits from repeats within
 * the window. In memory and bounded: with several instances, or beyond MAX_ENTRIES distinct
 * visitor × link pairs inside one window, a repeat can count as a first visit; reach and
 * unique-visitor figures use count(distinct visitor_hash), so they are exact regardless.
 */
const MAX_ENTRIES = 200_000;

export class RepeatVisits {
  // key → time of the visitor's last click on the link; entries expire with the window.
  private readonly lastSeen = new LruCache<string, number>(MAX_ENTRIES);

  constructor(private readonly windowMs: number) {}

  get size(): number {
    return this.lastSeen.size;
  }

  /**
   * Records the visit; true when the visitor had not clicked this link within the window. A
   * repeat is always strictly later than the click it repeats (a second click in the same
   * millisecond counts as a first visit): the click flush relies on it to skip a repeat's
   * visitor keys (see clickInsertWithRollups).
   */
  visit(linkId: string, visitorHash: string, now: number): boolean {
    if (this.windowMs <= 0) return true;
    const key = `${linkId}|${visitorHash}`;
    const last = this.lastSeen.get(key, now);
    const repeat = last !== undefined && last < now;
    this.lastSeen.set(key, now, now + this.windowMs);
    return !repeat;
  }
}
