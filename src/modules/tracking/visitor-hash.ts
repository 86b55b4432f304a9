import { createHmac } from 'node:crypto';
import { HmacSha256 } from '@/common/crypto/hmac-sha256';

const DAY_MS = 86_400_000;
// brand id + IP + a user agent (the redirect keeps 512 characters), UTF-8; longer inputs take
// createHmac.
const FAST_INPUT_CHARS = 1_024;
const NEWLINE = 0x0a;

/**
 * Visitor identity without storing who the visitor is: HMAC(daily salt, brand | IP | user agent).
 * The salt is derived from the server secret and the UTC date, so the same person hashes the
 * same within a day (unique visitors, repeat clicks) and cannot be followed across days or
 * across brands; the raw IP is never stored or logged.
 */
export class VisitorHasher {
  // The current day's salt and its bounds [dayStart, dayEnd) in ms.
  private dayStart = 0;
  private dayEnd = 0;
  private salt: Buffer = Buffer.alloc(0);
  private mac = new HmacSha256(this.salt, 0);
  // The first 16 bytes of the MAC, encoded from here.
  private readonly out = Buffer.alloc(16);

  constructor(private readonly secret: string) {}

  /** base64url of the first 16 bytes of HMAC(salt, `${brandId}\n${ip}\n${userAgent}`). */
  hash(brandId: string, ip: string, userAgent: string, at: number): string {
    if (at < this.dayStart || at >= this.dayEnd) {
      this.dayStart = at - (at % DAY_MS);
      this.dayEnd = this.dayStart + DAY_MS;
      this.salt = dailySalt(this.secret, utcDay(at));
      this.mac = new HmacSha256(this.salt, 3 * FAST_INPUT_CHARS);
    }
    if (brandId.length + ip.length + userAgent.length + 2 > FAST_INPUT_CHARS) {
      return createHmac('sha256', this.salt)
        .update(`${brandId}\n${ip}\n${userAgent}`)
        .digest()
        .subarray(0, 16)
        .toString('base64url');
    }
    // The three parts written in place (UTF-8, as update(string) encodes): no joined string.
    const message = this.mac.message;
    let length = message.write(brandId, 0, 'utf8');
    message[length++] = NEWLINE;
    length += message.write(ip, length, 'utf8');
    message[length++] = NEWLINE;
    length += message.write(userAgent, length, 'utf8');
    this.out.write(this.mac.digest(length), 0, 16, 'latin1');
    return this.out.toString('base64url');
  }
}

export function dailySalt(secret: string, day: string): Buffer {
  return createHmac('sha256', secret).update(`tandem:visitor-salt:${day}`).digest();
}

/** 'YYYY-MM-DD' in UTC. */
export function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}
