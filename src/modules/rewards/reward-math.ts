import { minorDigits } from '@/common/money/currency';

/**
 * Exact reward arithmetic on integer minor units (BigInt inside, safe JS integers outside).
 * Percentages have at most 4 decimals (numeric(7,4)), so they are carried as integers of
 * 1/10,000 of a percent and nothing is ever a float.
 */

const PERCENT_SCALE = 10_000n; // 4 decimals
const HUNDRED_PERCENT = 100n * PERCENT_SCALE;

/** "10.5" / 10.5 → 105000n (units of 0.0001 %). Throws on more than 4 decimals or a bad value. */
export function percentUnits(percent: number | string): bigint {
  const text = typeof percent === 'number' ? numberToPlain(percent) : percent.trim();
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new Error(`invalid percent ${text}`);
  const decimals = (match[2] ?? '').replace(/0+$/, '');
  if (decimals.length > 4) throw new Error(`percent ${text} has more than 4 decimals`);
  return BigInt(match[1]!) * PERCENT_SCALE + BigInt(decimals.padEnd(4, '0') || '0');
}

function numberToPlain(n: number): string {
  if (!Number.isFinite(n) || n < 0) throw new Error(`invalid percent ${n}`);
  // String() gives the shortest decimal that reads back as n, so a percent with more than 4
  // decimals reaches the check above instead of being rounded away (toFixed would round).
  const text = String(n);
  return /e/i.test(text) ? n.toFixed(20) : text;
}

/** round(n / d) with halves away from zero; d > 0. */
export function divRoundHalfUp(n: bigint, d: bigint): bigint {
  if (d <= 0n) throw new Error('divisor must be positive');
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const q = (abs * 2n + d) / (2n * d);
  return negative ? -q : q;
}

/**
 * `percent` % of an amount in minor units of `currency`, rounded half-up to the currency's minor
 * unit (amounts are already in that unit: 1,234 JPY → 0 digits, 1.234 KWD → 1234 with 3), then
 * capped by maxAmount. 10.5 % of 1999 cents = 209.895 → 210.
 */
export function percentOf(
  amountMinor: number,
  percent: number | string,
  currency: string,
  maxAmount?: number | null,
): number {
  minorDigits(currency); // throws for an unknown currency: the minor unit must be defined
  const raw = divRoundHalfUp(BigInt(amountMinor) * percentUnits(percent), HUNDRED_PERCENT);
  const capped = maxAmount != null && raw > BigInt(maxAmount) ? BigInt(maxAmount) : raw;
  return Number(capped);
}

/**
 * How much of a percent reward a refund takes back, cumulatively: round_half_up(original ×
 * refunded / orderAmount), with refunded the total refunded for the order so far (capped at the
 * order amount). The caller reverses the difference to what was already reversed, so partial
 * refunds add up to exactly the original when the order is fully refunded, never more.
 */
export function proportionalReversal(
  original: number,
  refundedTotal: number,
  orderAmount: number,
): number {
  if (original <= 0) return 0;
  if (orderAmount <= 0 || refundedTotal >= orderAmount) return original;
  if (refundedTotal <= 0) return 0;
  return Number(divRoundHalfUp(BigInt(original) * BigInt(refundedTotal), BigInt(orderAmount)));
}
