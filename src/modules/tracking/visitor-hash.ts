import { createHmac } from 'node:crypto';

const DAY_MS = 86_400_000;

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

  constructor(private readonly secret: string) {}

  hash(brandId: string, ip: string, userAgent: string, at: number): string {
    if (at < this.dayStart || at >= this.dayEnd) {
      this.dayStart = at - (at % DAY_MS);
      this.dayEnd = this.dayStart + DAY_MS;
      this.salt = dailySalt(this.secret, utcDay(at));
    }
    return createHmac('sha256', this.salt)
      .update(`${brandId}\n${ip}\n${userAgent}`)
      .digest()
      .subarray(0, 16)
      .toString('base64url');
  }
}

export function dailySalt(secret: string, day: string): Buffer {
  return createHmac('sha256', secret).update(`tandem:visitor-salt:${day}`).digest();
}

/** 'YYYY-MM-DD' in UTC. */
export function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}
