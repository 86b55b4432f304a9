import { createHmac, randomBytes } from 'node:crypto';
import { HmacSha256 } from '@/common/crypto/hmac-sha256';

describe('HmacSha256', () => {
  it('gives the bytes of createHmac for keys of every size and messages of every length', () => {
    for (const keyLength of [0, 1, 16, 32, 63, 64, 65, 100, 200]) {
      const key = randomBytes(keyLength);
      const mac = new HmacSha256(key, 300);
      for (const length of [0, 1, 33, 55, 56, 64, 119, 300]) {
        const message = randomBytes(length);
        message.copy(mac.message);
        const expected = createHmac('sha256', key).update(message).digest('binary');
        expect(mac.digest(length)).toBe(expected);
        // the same length again reuses its buffers, and a different message gives its own MAC
        const other = randomBytes(length);
        other.copy(mac.message);
        expect(mac.digest(length)).toBe(createHmac('sha256', key).update(other).digest('binary'));
      }
      const long = randomBytes(1000);
      expect(mac.digestOf(long)).toBe(createHmac('sha256', key).update(long).digest('binary'));
    }
  });

  it('refuses a message longer than its capacity', () => {
    expect(() => new HmacSha256(randomBytes(32), 10).digest(11)).toThrow(RangeError);
  });
});
