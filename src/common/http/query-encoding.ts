/**
 * Why a URL's query cannot be read as the client meant it, or null. A malformed percent-encoding
 * (`%ZZ`, `%E0%A4%A`) or one that is not UTF-8 (`%ED%A0%80`) would reach a filter as the literal
 * text or as U+FFFD and quietly match nothing; the same bytes in the path are refused too.
 */
export function queryEncodingIssue(url: string): string | null {
  const start = url.indexOf('?');
  if (start < 0 || !url.includes('%', start)) return null;
  for (const pair of url.slice(start + 1).split('&')) {
    if (!pair.includes('%')) continue;
    try {
      decodeURIComponent(pair);
    } catch {
      return 'has a malformed percent-encoding: % must start a UTF-8 byte in hex (send % itself as %25)';
    }
  }
  return null;
}
