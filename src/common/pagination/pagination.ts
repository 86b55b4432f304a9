import { createHash } from 'node:crypto';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, MaxLength, ValidateBy } from 'class-validator';
import { AppError } from '@/common/errors/app-error';
import { isCalendarDate } from '@/common/time/calendar-date';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

// A decimal number as a query string carries it (`50`, `2.5`); anything else stays a string.
const DECIMAL = /^\s*[+-]?\d+(\.\d+)?\s*$/;

/**
 * An integer query parameter from min to max, reported as one issue whatever is wrong with it.
 * class-transformer's `@Type(() => Number)` made `abc` NaN, which then failed IsInt, Min and Max
 * at once: three issues, two of them about a range the value was never in.
 */
export function QueryInt(min: number, max: number): PropertyDecorator {
  const toNumber = Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value,
  );
  const inRange = ValidateBy({
    name: 'isQueryInt',
    constraints: [min, max], // for the OpenAPI document test; the check does not read them
    validator: {
      validate: (v: unknown) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max,
      defaultMessage: () => `must be an integer from ${min} to ${max}`,
    },
  });
  return (target: object, key: string | symbol) => {
    toNumber(target, key);
    inRange(target, key);
  };
}

export class PageQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_LIMIT,
    default: DEFAULT_LIMIT,
  })
  @IsOptional()
  @QueryInt(1, MAX_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ maxLength: 500, description: 'The `nextCursor` of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/**
 * Keyset position: the last row's sort key and id, opaque to clients. For timestamp keys use
 * the database's own text (`created_at::text`): JS Dates drop PostgreSQL's microseconds, and a
 * truncated key would skip rows created within the same millisecond.
 */
export interface CursorPosition {
  k: string | number;
  id: string;
  /** The list it belongs to (listTag): a cursor of one list, or of other filters, is refused. */
  l?: string;
}

/**
 * What a list is: its name, the brand, and everything that selects or orders its rows (path
 * ids, filters, sort), not `limit` or `cursor`. Keys are sorted: the query's order does not
 * matter. The brand is part of it: another brand's cursor would start this brand's list at a
 * position taken from rows it cannot see.
 */
export type ListIdentity = { list: string; brandId: string } & Record<string, unknown>;

const NOT_IDENTITY = new Set(['cursor', 'limit', 'format']);

function canonical(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined && !NOT_IDENTITY.has(k))
      .sort()
      .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
  );
}

export function listTag(identity: ListIdentity): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(identity)))
    .digest('base64url')
    .slice(0, 12);
}

export function encodeCursor(position: CursorPosition, identity?: ListIdentity): string {
  const bound = identity ? { ...position, l: listTag(identity) } : position;
  return Buffer.from(JSON.stringify(bound)).toString('base64url');
}

// PostgreSQL's text form (`created_at::text`, exact to the microsecond) or Date#toISOString.
const TIMESTAMP_KEY =
  /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)(Z|[+-]\d{2}(?::?\d{2})?)$/;
const ID_KEY = /^[a-z]{3}_[0-9A-Za-z]{1,64}$/;
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

function isTimestampKey(k: unknown): boolean {
  const m = typeof k === 'string' ? TIMESTAMP_KEY.exec(k) : null;
  if (!m) return false;
  const zone =
    m[3] === 'Z' ? 'Z' : `${m[3]!.slice(0, 3)}:${m[3]!.slice(3).replace(':', '') || '00'}`;
  return isPostgresTimestamp(`${m[1]}T${m[2]}${zone}`);
}

/**
 * An ISO timestamp PostgreSQL casts to timestamptz. Date.parse alone is laxer: it takes
 * 2026-02-30 (as March 2), year 0000 and offsets past ±15:59, which PostgreSQL refuses with an
 * error, so a forged cursor holding one was a 500.
 */
export function isPostgresTimestamp(iso: string): boolean {
  if (Number.isNaN(Date.parse(iso)) || !isCalendarDate(iso)) return false;
  const m = /^(\d{4})-.*?(?:Z|[+-](\d{2}):?\d{2})$/.exec(iso);
  return m !== null && Number(m[1]) >= 1 && (m[2] === undefined || Number(m[2]) <= 15);
}

/**
 * Decodes a cursor and checks its content, so a forged or corrupted cursor is a 400 naming
 * `cursor`, never a failed cast in SQL (PostgreSQL would even read 'yesterday' as a time).
 * `timestamp` keys (the default) are created_at values; `text` keys are checked by the caller.
 */
export function decodeCursor(
  cursor: string | undefined,
  kind: 'timestamp' | 'text' = 'timestamp',
  identity?: ListIdentity,
): CursorPosition | undefined {
  if (cursor === undefined) return undefined;
  let parsed: CursorPosition | undefined;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorPosition;
  } catch {
    parsed = undefined;
  }
  // Text keys go to SQL as they are: no control characters (PostgreSQL refuses a NUL: a 500).
  const keyOk =
    kind === 'text'
      ? typeof parsed?.k === 'string' && !CONTROL_CHARACTER.test(parsed.k)
      : isTimestampKey(parsed?.k);
  if (!parsed || !keyOk || typeof parsed.id !== 'string' || !ID_KEY.test(parsed.id)) {
    throw AppError.field('cursor', 'is not a cursor returned by this API');
  }
  // Another list's position would silently skip or repeat rows of this one.
  if (identity && parsed.l !== listTag(identity)) {
    throw AppError.field(
      'cursor',
      'belongs to another list or other filters: send the filters of the page it came from',
    );
  }
  return { k: parsed.k, id: parsed.id };
}

/**
 * Fetch limit + 1 rows ordered by (key, id); this trims the extra row and builds nextCursor.
 */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  keyOf: (row: R) => CursorPosition,
  map: (row: R) => T,
  identity?: ListIdentity,
): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return {
    data: pageRows.map(map),
    nextCursor: hasMore && last !== undefined ? encodeCursor(keyOf(last), identity) : null,
  };
}

export function pageLimit(query: PageQueryDto): number {
  return query.limit ?? DEFAULT_LIMIT;
}
