import { retryDelayMs } from '@/modules/webhooks/webhook-retry';

describe('retry schedule', () => {
  const base = 10_000;
  const cap = 3_600_000;

  it('doubles from the base, between half and all of it (jitter), up to the cap', () => {
    expect(retryDelayMs(1, base, cap, () => 0)).toBe(5_000);
    expect(retryDelayMs(1, base, cap, () => 1)).toBe(10_000);
    expect(retryDelayMs(2, base, cap, () => 1)).toBe(20_000);
    expect(retryDelayMs(4, base, cap, () => 0.5)).toBe(60_000);
    expect(retryDelayMs(20, base, cap, () => 1)).toBe(cap);
    expect(retryDelayMs(1000, base, cap, () => 0)).toBe(cap / 2);
  });

  it('spends about 24 hours in some 30 attempts with the defaults', () => {
    let elapsed = 0;
    let attempts = 1;
    while (elapsed + retryDelayMs(attempts, base, cap, () => 0.75) <= 86_400_000) {
      elapsed += retryDelayMs(attempts, base, cap, () => 0.75);
      attempts += 1;
    }
    expect(attempts).toBeGreaterThan(20);
    expect(attempts).toBeLessThan(40);
  });
});
