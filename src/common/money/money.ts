import { ValueTransformer } from 'typeorm';

/** Largest amount accepted over the API: fits a bigint column and stays exact in JSON numbers. */
export const MAX_AMOUNT = Number.MAX_SAFE_INTEGER;

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
