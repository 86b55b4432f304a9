import { AppError } from '@/common/errors/app-error';

/** Where a breakdown page ended: the query it belongs to, the last row's sort value and key. */
export interface BreakdownCursor {
  /**
   * by, sort and order the cursor was made for, then the tag of its brand, program and period
   * as sent (`channel:reach:desc:<listTag>`).
   */
  q: string;
  /** The exact sort value (numeric text), null when the row had none. */
  v: string | null;
  /** Group key of the last row. */
  k: string;
  /** Rows before the next page (ranks continue from there). */
  r: number;
}

const NUMERIC = /^-?\d{1,40}(\.\d{1,40})?$/;

export function encodeBreakdownCursor(c: BreakdownCursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

/** A cursor of this same query, checked field by field: anything else is a 400 `cursor`. */
export function decodeBreakdownCursor(cursor: string, query: string): BreakdownCursor {
  let c: Partial<BreakdownCursor> | undefined;
  try {
    c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<BreakdownCursor>;
  } catch {
    c = undefined;
  }
  const valid =
    c !== undefined &&
    c !== null &&
    typeof c.q === 'string' &&
    (c.v === null || (typeof c.v === 'string' && NUMERIC.test(c.v))) &&
    typeof c.k === 'string' &&
    c.k.length <= 200 &&
    // goes to SQL as text: PostgreSQL refuses a NUL (a 500)
    !/[\u0000-\u001f\u007f]/.test(c.k) &&
    Number.isSafeInteger(c.r) &&
    c.r! >= 0;
  if (!valid) throw AppError.field('cursor', 'is not a cursor returned by this API');
  if (c!.q !== query) {
    // by:sort:order first, so a cursor of another sort keeps its own message
    const order = (q: string) => q.split(':').slice(0, 3).join(':');
    const sameOrder = order(c!.q as string) === order(query);
    throw AppError.field(
      'cursor',
      sameOrder
        ? 'belongs to another program or period: send the from, to and timezone of the page it came from'
        : 'belongs to another by, sort or order; start without it',
    );
  }
  return c as BreakdownCursor;
}
