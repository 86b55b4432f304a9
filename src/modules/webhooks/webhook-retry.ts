/**
 * The wait before retry number `attempt` (1 = the wait after the first failed attempt):
 * exponential, base × 2^(attempt-1), capped, with "equal jitter" — between half and all of it —
 * so endpoints that failed together do not get retried in lockstep.
 */
export function retryDelayMs(
  attempt: number,
  baseMs: number,
  maxDelayMs: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(maxDelayMs, baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 40));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
