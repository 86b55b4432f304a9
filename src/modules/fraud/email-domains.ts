import disposableDomains from 'disposable-email-domains';
import wildcardDomains from 'disposable-email-domains/wildcard.json';

/**
 * E-mail domains no real friend signs up with. The shipped list is the
 * `disposable-email-domains` package (about 120,000 throw-away mail services, plus ~400 whose
 * every subdomain is one); "suspicious" are domains that cannot receive mail from the
 * internet: IP literals, no dot, or a reserved top-level domain (RFC 2606 / 6761).
 */
export type DomainVerdict = 'disposable' | 'suspicious' | 'blocked';

const RESERVED_TLDS = new Set(['test', 'example', 'invalid', 'localhost', 'local']);
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

let lists: { exact: Set<string>; wildcard: string[] } | undefined;

// Loaded on first use (~120k names, a few MB), not at start.
function disposable(): { exact: Set<string>; wildcard: string[] } {
  lists ??= { exact: new Set(disposableDomains), wildcard: wildcardDomains };
  return lists;
}

/** `domain` itself or any parent of it is in the list. */
function matchesAny(domain: string, list: Iterable<string>): boolean {
  for (const entry of list) if (domain === entry || domain.endsWith(`.${entry}`)) return true;
  return false;
}

/** The domain of an e-mail address (lower case), or null. */
export function emailDomain(email: string | null): string | null {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  if (at < 0 || at === email.length - 1) return null;
  return email
    .slice(at + 1)
    .trim()
    .toLowerCase()
    .replace(/\.$/, '');
}

export function classifyEmailDomain(
  domain: string,
  options: { blockedDomains: readonly string[]; allowedDomains: readonly string[] } = {
    blockedDomains: [],
    allowedDomains: [],
  },
): DomainVerdict | null {
  const d = domain.toLowerCase();
  if (matchesAny(d, options.allowedDomains)) return null;
  if (matchesAny(d, options.blockedDomains)) return 'blocked';
  if (d.startsWith('[') || IPV4.test(d) || !d.includes('.')) return 'suspicious';
  if (RESERVED_TLDS.has(d.slice(d.lastIndexOf('.') + 1))) return 'suspicious';
  const { exact, wildcard } = disposable();
  if (exact.has(d)) return 'disposable';
  // a parent domain in the exact list (mx.mailinator.com), or any subdomain of a wildcard one
  for (let i = d.indexOf('.'); i > 0; i = d.indexOf('.', i + 1)) {
    if (exact.has(d.slice(i + 1)) && d.slice(i + 1).includes('.')) return 'disposable';
  }
  return matchesAny(d, wildcard) ? 'disposable' : null;
}
