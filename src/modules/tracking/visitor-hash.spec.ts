import { createHmac } from 'node:crypto';
import { dailySalt, VisitorHasher } from '@/modules/tracking/visitor-hash';

describe('visitor hash', () => {
  const secret = 'a-server-secret-of-at-least-32-characters!';
  const ua = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Safari/604.1';
  const noon = Date.UTC(2026, 10, 23, 12, 0, 0);
  const hasher = new VisitorHasher(secret);

  it('is stable for the same visitor within a UTC day', () => {
    const a = hasher.hash('brd_1', '203.0.113.7', ua, Date.UTC(2026, 10, 23, 0, 0, 1));
    const b = hasher.hash('brd_1', '203.0.113.7', ua, Date.UTC(2026, 10, 23, 23, 59, 59));
    expect(a).toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('rotates at midnight UTC', () => {
    const before = hasher.hash('brd_1', '203.0.113.7', ua, Date.UTC(2026, 10, 23, 23, 59, 59, 999));
    const after = hasher.hash('brd_1', '203.0.113.7', ua, Date.UTC(2026, 10, 24, 0, 0, 0));
    expect(after).not.toBe(before);
    // and going back to the earlier day gives the earlier hash again (the salt is derived)
    expect(hasher.hash('brd_1', '203.0.113.7', ua, noon)).toBe(before);
  });

  it('differs by IP, user agent, brand and secret, and never contains the IP', () => {
    const base = hasher.hash('brd_1', '203.0.113.7', ua, noon);
    expect(hasher.hash('brd_1', '203.0.113.8', ua, noon)).not.toBe(base);
    expect(hasher.hash('brd_1', '203.0.113.7', `${ua} x`, noon)).not.toBe(base);
    expect(hasher.hash('brd_2', '203.0.113.7', ua, noon)).not.toBe(base);
    expect(new VisitorHasher(`${secret}!`).hash('brd_1', '203.0.113.7', ua, noon)).not.toBe(base);
    expect(base).not.toContain('203');
  });
});

describe('visitor hash bytes', () => {
  const secret = 'a-server-secret-of-at-least-32-characters!';
  const noon = Date.UTC(2026, 10, 23, 12, 0, 0);
  // What the hash has always been: stored hashes of the day must keep matching new clicks.
  const reference = (brandId: string, ip: string, ua: string) =>
    createHmac('sha256', dailySalt(secret, '2026-11-23'))
      .update(`${brandId}\n${ip}\n${ua}`)
      .digest()
      .subarray(0, 16)
      .toString('base64url');

  it('is HMAC-SHA256(daily salt, brand \\n IP \\n user agent), for any text and length', () => {
    const hasher = new VisitorHasher(secret);
    for (const [brandId, ip, ua] of [
      ['brd_1', '203.0.113.7', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)'],
      ['brd_1', '2001:db8::1', ''],
      ['brd_é', '203.0.113.7', 'Agent/1.0 ünïcödé 中文 😀 and a lone \ud800 surrogate'],
      ['brd_1', '203.0.113.7', 'x'.repeat(512)],
      ['brd_1', '203.0.113.7', '€'.repeat(1_500)], // beyond the in-place buffer
    ] as const) {
      expect(hasher.hash(brandId, ip, ua, noon)).toBe(reference(brandId, ip, ua));
    }
  });
});
