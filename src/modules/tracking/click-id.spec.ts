import { createHmac } from 'node:crypto';
import { clickIdKey, decodeClickId, encodeClickId } from '@/modules/tracking/click-id';

describe('click id', () => {
  const key = clickIdKey('a-server-secret-of-at-least-32-characters!');
  const linkId = 'lnk_4f9T2kQ8mZ1xYb7cD3eF';
  const at = Date.UTC(2026, 10, 23, 14, 5, 9, 123);

  it('is compact, URL-safe and carries the link and the click time', () => {
    const id = encodeClickId(key, linkId, at);
    expect(id).toMatch(/^[A-Za-z0-9_-]{60}$/);
    expect(decodeClickId(key, id)).toEqual({ linkId, clickedAt: new Date(at) });
  });

  it('is unique per click thanks to the nonce, even for the same link and millisecond', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => encodeClickId(key, linkId, at)));
    expect(ids.size).toBe(1000);
  });

  it('accepts link ids of another shape (longer, still verifiable)', () => {
    const id = encodeClickId(key, 'legacy-link-42', at);
    expect(decodeClickId(key, id)).toEqual({ linkId: 'legacy-link-42', clickedAt: new Date(at) });
  });

  it('rejects an id signed with another secret', () => {
    const other = clickIdKey('another-server-secret-of-32-characters!!');
    expect(decodeClickId(other, encodeClickId(key, linkId, at))).toBeNull();
  });

  it('rejects every single-character alteration', () => {
    const id = encodeClickId(key, linkId, at);
    for (let i = 0; i < id.length; i++) {
      const replacement = id[i] === 'A' ? 'B' : 'A';
      const tampered = id.slice(0, i) + replacement + id.slice(i + 1);
      expect(decodeClickId(key, tampered)).toBeNull();
    }
  });

  it('rejects a forged id whose payload names another link or time', () => {
    const id = encodeClickId(key, linkId, at);
    const bytes = Buffer.from(id, 'base64url');
    bytes.writeUIntBE(at + 86_400_000, 1, 6); // move the click a day later, keep the MAC
    expect(decodeClickId(key, bytes.toString('base64url'))).toBeNull();
  });

  it('rejects truncated, extended and malformed ids', () => {
    const id = encodeClickId(key, linkId, at);
    for (const bad of [
      id.slice(0, -1),
      id.slice(0, -4),
      id.slice(0, 20),
      id + 'A',
      id + 'AAAA',
      '',
      'not a click id',
      `${id.slice(0, 30)}=${id.slice(31)}`,
      'A'.repeat(500),
      undefined,
      42,
    ]) {
      expect(decodeClickId(key, bad)).toBeNull();
    }
  });

  it('is base64url(payload | first 12 bytes of HMAC-SHA256(derived key, payload)), as always', () => {
    // Ids already handed out must keep verifying: the bytes are pinned against createHmac.
    const derived = createHmac('sha256', 'a-server-secret-of-at-least-32-characters!')
      .update('tandem:click-id:v1')
      .digest();
    const nonce = Buffer.from('0a0b0c0d0e0f', 'hex');
    for (const [id, payload] of [
      [linkId, Buffer.concat([Buffer.from([1]), time(at), nonce, Buffer.from(linkId.slice(4))])],
      ['légacy-42', Buffer.concat([Buffer.from([2]), time(at), nonce, Buffer.from('légacy-42')])],
      [
        'x'.repeat(300),
        Buffer.concat([Buffer.from([2]), time(at), nonce, Buffer.from('x'.repeat(300))]),
      ],
    ] as const) {
      const mac = createHmac('sha256', derived).update(payload).digest().subarray(0, 12);
      const expected = Buffer.concat([payload, mac]).toString('base64url');
      expect(encodeClickId(key, id, at, nonce)).toBe(expected);
      expect(decodeClickId(key, expected)?.linkId ?? 'undecodable').toBe(
        expected.length <= 200 ? id : 'undecodable',
      );
    }
  });
});

function time(ms: number): Buffer {
  const bytes = Buffer.alloc(6);
  bytes.writeUIntBE(ms, 0, 6);
  return bytes;
}
