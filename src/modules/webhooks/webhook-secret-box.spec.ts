import { newWebhookSecret, WebhookSecretBox } from '@/modules/webhooks/webhook-secret-box';

describe('WebhookSecretBox (AES-256-GCM under a key derived from TANDEM_SECRET)', () => {
  const box = new WebhookSecretBox('x'.repeat(40));
  const secret = newWebhookSecret();

  it('makes secrets of 32 random bytes', () => {
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(newWebhookSecret()).not.toBe(secret);
  });

  it('opens what it sealed for the same endpoint, and the ciphertext hides the secret', () => {
    const sealed = box.seal('whe_1', secret);
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain(secret.slice(6, 20));
    expect(box.seal('whe_1', secret)).not.toBe(sealed); // a fresh IV each time
    expect(box.open('whe_1', sealed)).toBe(secret);
  });

  it('refuses another endpoint, another server secret, or a damaged ciphertext', () => {
    const sealed = box.seal('whe_1', secret);
    expect(box.open('whe_2', sealed)).toBeNull();
    expect(new WebhookSecretBox('y'.repeat(40)).open('whe_1', sealed)).toBeNull();
    const flipped = sealed.slice(0, -3) + (sealed.at(-3) === 'A' ? 'B' : 'A') + sealed.slice(-2);
    expect(box.open('whe_1', flipped)).toBeNull();
    expect(box.open('whe_1', 'v2.abc')).toBeNull();
    expect(box.open('whe_1', 'v1.')).toBeNull();
  });
});
