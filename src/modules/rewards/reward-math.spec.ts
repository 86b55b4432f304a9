import { formatMajor } from '@/common/money/currency';
import {
  divRoundHalfUp,
  percentOf,
  percentUnits,
  proportionalReversal,
} from '@/modules/rewards/reward-math';

describe('reward arithmetic', () => {
  it.each([
    ['10', 100_000n],
    ['10.5', 105_000n],
    ['0.0001', 1n],
    ['100', 1_000_000n],
    ['12.3450', 123_450n],
  ])('reads percent %s exactly', (text, units) => {
    expect(percentUnits(text)).toBe(units);
  });

  it('reads a stored numeric that became a JS number exactly', () => {
    expect(percentUnits(10.5)).toBe(105_000n);
    expect(percentUnits(33.3333)).toBe(333_333n);
    expect(percentUnits(0.1)).toBe(1_000n);
  });

  it('refuses more than 4 decimals and garbage', () => {
    expect(() => percentUnits('1.23456')).toThrow();
    expect(() => percentUnits(1.23456)).toThrow(); // a number too: never rounded away
    expect(() => percentUnits(1e-7)).toThrow();
    expect(percentUnits(0.0001)).toBe(1n);
    expect(() => percentUnits('abc')).toThrow();
    expect(() => percentUnits(-1)).toThrow();
  });

  it.each([
    [5n, 2n, 3n], // 2.5 → 3
    [7n, 2n, 4n], // 3.5 → 4
    [1n, 3n, 0n], // 0.33 → 0
    [2n, 3n, 1n], // 0.67 → 1
    [-5n, 2n, -3n], // halves away from zero
    [10n, 5n, 2n],
  ])('divRoundHalfUp(%s, %s) = %s', (n, d, q) => {
    expect(divRoundHalfUp(n, d)).toBe(q);
  });

  // amount (minor units), percent, currency, cap → reward (minor units), as major text
  it.each([
    [10_000, 10, 'USD', null, 1_000, '10.00'],
    [1_999, 10.5, 'USD', null, 210, '2.10'], // 209.895 → 210
    [1_990, 2.5, 'USD', null, 50, '0.50'], // 49.75 → 50
    [1_980, 2.5, 'USD', null, 50, '0.50'], // 49.5 → 50 (half-up)
    [1_940, 2.5, 'USD', null, 49, '0.49'], // 48.5 → 49
    [1_234, 10.5, 'JPY', null, 130, '130'], // 129.57 yen → 130 (0 digits)
    [1_010, 5, 'JPY', null, 51, '51'], // 50.5 → 51
    [1_234, 10.5, 'KWD', null, 130, '0.130'], // 0.12957 KWD → 0.130 (3 digits)
    [1_005, 50, 'KWD', null, 503, '0.503'], // 0.5025 → 0.503
    [1_000_000, 15, 'USD', 5_000, 5_000, '50.00'], // capped by maxAmount
    [3_333, 15, 'USD', 5_000, 500, '5.00'], // 499.95 → 500, under the cap
    [1, 0.0001, 'USD', null, 0, '0.00'],
    [9_007_199_254_740, 100, 'USD', null, 9_007_199_254_740, '90071992547.40'],
  ])('%s minor × %s %% in %s (cap %s) = %s', (amount, percent, currency, cap, expected, major) => {
    const reward = percentOf(amount, percent, currency, cap);
    expect(reward).toBe(expected);
    expect(formatMajor(reward, currency)).toBe(major);
  });

  it('refuses an unknown currency', () => {
    expect(() => percentOf(100, 10, 'XYZ')).toThrow();
  });

  describe('proportional reversal (cumulative)', () => {
    it.each([
      [1_000, 5_000, 10_000, 500],
      [1_000, 10_000, 10_000, 1_000],
      [1_000, 12_000, 10_000, 1_000], // over-refund capped at the original
      [1_000, 0, 10_000, 0],
      [333, 1, 3, 111],
      [333, 2, 3, 222],
      [1_001, 1, 2, 501], // 500.5 → 501
      [0, 5, 10, 0],
      [500, 5, 0, 500], // a free order refunded at all: everything
    ])('original %s, refunded %s of %s → %s', (original, refunded, order, expected) => {
      expect(proportionalReversal(original, refunded, order)).toBe(expected);
    });

    it('three partial refunds add up to exactly the original', () => {
      const original = 1_001;
      const order = 3_000;
      let reversed = 0;
      let refunded = 0;
      for (const part of [1_000, 1_000, 1_000]) {
        refunded += part;
        const target = proportionalReversal(original, refunded, order);
        expect(target).toBeGreaterThanOrEqual(reversed);
        reversed = target;
      }
      expect(reversed).toBe(original);
    });
  });
});
