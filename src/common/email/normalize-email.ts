const GMAIL_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

/**
 * The form two spellings of one mailbox share, for matching (self-referral detection), never for
 * sending: lower-cased, `+tag` suffix of the local part dropped, and for Gmail the dots of the
 * local part removed and googlemail.com read as gmail.com. Pure; never logs.
 */
export function normalizeEmail(email: string): string {
  const lower = email.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at <= 0 || at === lower.length - 1) return lower;
  let local = lower.slice(0, at);
  let domain = lower.slice(at + 1);
  const plus = local.indexOf('+');
  // "+tag@x.com" has no mailbox before the tag; keep it whole rather than produce "@x.com".
  if (plus > 0) local = local.slice(0, plus);
  if (GMAIL_DOMAINS.has(domain)) {
    domain = 'gmail.com';
    local = local.replace(/\./g, '') || local;
  }
  return `${local}@${domain}`;
}
