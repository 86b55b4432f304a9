import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_KEY_PREFIX = 'tdm_';

/** A new API key secret: `tdm_` + 40 base62-ish characters (≈ 238 bits). */
export function newApiKeySecret(): string {
  return API_KEY_PREFIX + randomBytes(30).toString('base64url').replace(/[-_]/g, 'x');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(sha256Hex(a));
  const bb = Buffer.from(sha256Hex(b));
  return timingSafeEqual(ab, bb);
}
