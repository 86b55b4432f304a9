import { stringify } from 'csv-stringify';
import { escapeFormula } from '@/common/csv/formula-escape';

type Cell = string | number | boolean | null | undefined;

/** Nested plain objects become dotted columns: {goalScore: {score: 1}} → {"goalScore.score": 1}. */
export function flattenRow(row: object, prefix = ''): Record<string, Cell> {
  const out: Record<string, Cell> = {};
  for (const [key, value] of Object.entries(row)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
      Object.assign(out, flattenRow(value as object, name));
    } else {
      out[name] = value instanceof Date ? value.toISOString() : (value as Cell);
    }
  }
  return out;
}

/**
 * The rows as CSV: a header of the given columns (or the first row's flattened fields), one
 * line per row; null is an empty cell. The same values as the JSON answer, field for field,
 * except that text cells get the formula-injection escape (JSON numbers, a negative ROI
 * included, are never escaped).
 */
export async function rowsToCsv(rows: object[], columns?: string[]): Promise<string> {
  const flat = rows.map((r) => flattenRow(r));
  const header = columns ?? Object.keys(flat[0] ?? {});
  const records = flat.map((r) => header.map((c) => cellText(r[c])));
  return new Promise((resolve, reject) => {
    stringify([header, ...records], { eof: true, record_delimiter: 'windows' }, (err, out) =>
      err ? reject(err) : resolve(out),
    );
  });
}

// The rows carry KPIs as JSON numbers and names, keys and labels as strings: only strings are
// text a spreadsheet could run as a formula.
function cellText(v: Cell): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? escapeFormula(v) : String(v);
}
