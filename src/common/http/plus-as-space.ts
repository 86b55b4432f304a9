/**
 * A `+` sent raw in a URL's query string is read as a space, so the offset of
 * `from=2026-11-01T00:00:00+01:00` arrives as `2026-11-01T00:00:00 01:00`: a time followed by a
 * space and what would be a valid offset. The sender sees a value that looks right to them, so
 * such a value gets an issue that says what happened and what to send instead.
 */
const OFFSET_AFTER_SPACE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)? \d{2}(:?\d{2})?$/i;

/**
 * The issue for a time whose offset's `+` arrived as a space, when `isValid` accepts it with the
 * `+` put back; undefined for any other value.
 */
export function plusSentAsSpaceIssue(
  value: unknown,
  isValid: (fixed: string) => boolean,
): string | undefined {
  if (typeof value !== 'string' || !OFFSET_AFTER_SPACE.test(value)) return undefined;
  const fixed = value.replace(' ', '+');
  if (!isValid(fixed)) return undefined;
  const utc = new Date(fixed).toISOString().replace('.000Z', 'Z');
  return (
    'has a space where its offset\'s "+" should be: a "+" sent unescaped in a URL arrives as a ' +
    `space. Send it as %2B (${value.replace(' ', '%2B')}) or give the time in UTC with Z (${utc})`
  );
}
