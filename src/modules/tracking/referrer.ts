/** The host of a Referer header, lower-case, without user info, port, path or query. */
export function referrerHost(referer: string | undefined): string | null {
  if (!referer) return null;
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(referer);
  if (!match) return null;
  let host = match[1]!;
  const at = host.lastIndexOf('@');
  if (at >= 0) host = host.slice(at + 1);
  host = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '');
  host = host.toLowerCase();
  return host.length > 0 && host.length <= 253 ? host : null;
}
