import * as currencyCodes from 'currency-codes';

/** ISO 4217 codes still in use for money (funds, metals and test codes excluded). */
const EXCLUDED = new Set([
  'XAU',
  'XAG',
  'XPT',
  'XPD',
  'XTS',
  'XXX',
  'XBA',
  'XBB',
  'XBC',
  'XBD',
  'XSU',
  'XUA',
  'XDR',
]);

const DIGITS = new Map<string, number>(
  currencyCodes.data
    .filter((c) => !EXCLUDED.has(c.code) && Number.isInteger(c.digits))
    .map((c) => [c.code, c.digits]),
);

export function isCurrency(code: unknown): code is string {
  return typeof code === 'string' && DIGITS.has(code);
}

/** Minor-unit digits of a currency: USD 2, JPY 0, KWD 3. */
export function minorDigits(code: string): number {
  const digits = DIGITS.get(code);
  if (digits === undefined) throw new Error(`unknown currency ${code}`);
  return digits;
}

/** Formats minor units as a decimal string in major units: 1250 USD → "12.50", 1005 KWD → "1.005". */
export function formatMajor(amountMinor: bigint | number | string, currency: string): string {
  const digits = minorDigits(currency);
  const value = BigInt(amountMinor);
  const negative = value < 0n;
  const abs = (negative ? -value : value).toString().padStart(digits + 1, '0');
  const major = digits === 0 ? abs : `${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
  return negative ? `-${major}` : major;
}
