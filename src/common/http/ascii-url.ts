/** Printable ASCII only: what a Location header carries as it is. */
const PRINTABLE_ASCII = /^[\x21-\x7e]*$/;

/**
 * A URL as it can go into a Location header: one with non-ASCII characters (or spaces) is
 * written the way browsers send it, as WHATWG URL serialises it (path, query and fragment
 * percent-encoded as UTF-8, an internationalised host in punycode). An ASCII URL is left as it
 * is, byte for byte; a string that is not a URL is returned unchanged for validation to refuse.
 */
export function asciiUrl(value: string): string {
  if (PRINTABLE_ASCII.test(value)) return value;
  try {
    return new URL(value).href;
  } catch {
    return value;
  }
}
