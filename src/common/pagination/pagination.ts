import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { AppError } from '@/common/errors/app-error';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page.' })
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
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): CursorPosition | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorPosition;
    if (
      typeof parsed?.id === 'string' &&
      (typeof parsed.k === 'string' || typeof parsed.k === 'number')
    ) {
      return parsed;
    }
  } catch {
    // fall through
  }
  throw AppError.field('cursor', 'is not a cursor returned by this API');
}

/**
 * Fetch limit + 1 rows ordered by (key, id); this trims the extra row and builds nextCursor.
 */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  keyOf: (row: R) => CursorPosition,
  map: (row: R) => T,
): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return {
    data: pageRows.map(map),
    nextCursor: hasMore && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}

export function pageLimit(query: PageQueryDto): number {
  return query.limit ?? DEFAULT_LIMIT;
}
