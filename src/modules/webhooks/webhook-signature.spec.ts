import { createHmac } from 'node:crypto';
import {
  computeSignature,
  signatureHeader,
  verifySignature,
} from '@/modules/webhooks/webhook-signature';

describe('Tandem-Signature', () => {
  const secret = 'whsec_test';
  const body = '{"id":"wev_1","type":"reward.approved","data":{"amount":1000}}';
  const t = 1_790_000_000;
  const now = t * 1000 + 30_000;

  it('is t=<unix>,v1=<hex HMAC-SHA256 of "t.body">', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signatureHeader(secret, t, body)).toBe(`t=${t},v1=${expected}`);
    expect(computeSignature(secret, t, body)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('verifies a genuine request', () => {
    expect(verifySignature(signatureHeader(secret, t, body), body, secret, { now })).toEqual({
      ok: true,
      timestamp: t,
    });
  });

  it.each([
    [
      'an altered body',
      signatureHeader(secret, t, body),
      body.replace('1000', '9000'),
      secret,
      now,
    ],
    ['another secret', signatureHeader('whsec_other', t, body), body, secret, now],
    [
      'a replay after the tolerance window',
      signatureHeader(secret, t, body),
      body,
      secret,
      now + 301_000,
    ],
    ['a timestamp in the future', signatureHeader(secret, t + 400, body), body, secret, now],
    [
      'a timestamp moved without re-signing',
      signatureHeader(secret, t, body).replace(`t=${t}`, `t=${t + 10}`),
      body,
      secret,
      now,
    ],
    ['no signature', undefined, body, secret, now],
    ['garbage', 'v1=zz', body, secret, now],
  ])('refuses %s', (_name, header, b, s, at) => {
    expect(verifySignature(header, b, s, { now: at }).ok).toBe(false);
  });

  it('accepts any of several v1 signatures (secret rotation on the receiver side)', () => {
    const header = `t=${t},v1=${'0'.repeat(64)},v1=${computeSignature(secret, t, body)}`;
    expect(verifySignature(header, body, secret, { now }).ok).toBe(true);
  });
});
