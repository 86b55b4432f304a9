import { AppError } from '@/common/errors/app-error';
import { CursorPosition, decodeCursor } from '@/common/pagination/pagination';

/** What Date#toISOString writes, the only form our cursors carry. */
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * decodeCursor checks the cursor's shape; this also checks its content (a timestamp and an id),
 * so a forged cursor is a 400 and not a failed SQL cast.
 */
export function decodeCreatedAtCursor(cursor: string | undefined): CursorPosition | undefined {
  const position = decodeCursor(cursor);
  if (
    position &&
    !(
      typeof position.k === 'string' &&
      ISO_MS.test(position.k) &&
      !Number.isNaN(Date.parse(position.k)) &&
      /^[a-z]{3}_[0-9A-Za-z]{1,64}$/.test(position.id)
    )
  ) {
    throw AppError.field('cursor', 'is not a cursor returned by this API');
  }
  return position;
}
