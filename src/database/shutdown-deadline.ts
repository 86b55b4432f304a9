/** What the deadline needs to know of the drains (DatabaseLifecycle). */
export interface DrainProgress {
  drainProgressedWithin(ms: number): boolean;
}

/**
 * Bounds a stop: after `limitMs` the process exits (`onExpired`), unless a drain wrote
 * something within the last `limitMs` — the click buffer after a burst the database fell behind
 * on — in which case the deadline moves on by another `limitMs`. Clicks that can still be
 * written are never dropped by the timer; a drain that is stuck (the database unreachable)
 * still ends the process.
 */
export function armShutdownDeadline(
  drains: DrainProgress,
  limitMs: number,
  onExpired: () => void,
): void {
  setTimeout(() => {
    if (drains.drainProgressedWithin(limitMs)) armShutdownDeadline(drains, limitMs, onExpired);
    else onExpired();
  }, limitMs).unref();
}
