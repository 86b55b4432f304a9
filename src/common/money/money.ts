import { ValueTransformer } from 'typeorm';

/**
 * Largest single amount accepted over the API: 10^12 minor units (10 billion USD in cents).
 * Far below 2^53 on purpose: balances, batch totals, budgets and KPI revenue add amounts up, and
 * those sums must stay exact JSON numbers too. Any one amount could be 2^53 - 1, but two of them
 * would already not add up exactly; at 10^12, it takes over 9,000 maximal amounts in one sum.
 */
export const MAX_AMOUNT = 1_000_000_000_000;

/** Largest reported reach or impressions of one share: KPI sums add them up, exactly. */
export const MAX_AUDIENCE = 1_000_000_000_000;

/**
 * bigint columns come back from pg as strings; amounts in Tandem stay below 2^53, so they are
 * carried as exact JS integers in the API and as bigint in SQL sums (never floats).
 */
export const bigintAmount: ValueTransformer = {
  to: (value: number | null | undefined) =>
    value === null || value === undefined ? value : String(value),
  from: (value: string | null) => (value === null ? null : toSafeInteger(value)),
};

export function toSafeInteger(value: string | number | bigint): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n))
    throw new Error(`amount ${String(value)} exceeds the exact integer range`);
  return n;
}
