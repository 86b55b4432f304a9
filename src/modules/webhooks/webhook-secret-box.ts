import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A new endpoint signing secret: `whsec_` + 32 random bytes (base64url). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/**
 * Keeps endpoint secrets recoverable but unreadable at rest: AES-256-GCM under a key derived
 * from TANDEM_SECRET (HMAC-SHA256 with a purpose label, so it is independent of the click-id
 * and visitor-hash keys), a random 96-bit IV per secret, and the endpoint id as associated
 * data (a ciphertext copied onto another endpoint does not open). Rotating TANDEM_SECRET makes
 * stored secrets unreadable: deliveries then fail with "secret cannot be decrypted" until the
 * endpoint's secret is rotated (PATCH … {"rotateSecret": true}).
 */
export class WebhookSecretBox {
  private readonly key: Buffer;

  constructor(tandemSecret: string) {
    this.key = createHmac('sha256', tandemSecret).update('tandem:webhook-secret:v1').digest();
  }

  seal(endpointId: string, secret: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(endpointId, 'utf8'));
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
  }

  /** The secret, or null when the ciphertext is damaged, of another endpoint or another key. */
  open(endpointId: string, sealed: string): string | null {
    const [version, data] = sealed.split('.', 2);
    if (version !== VERSION || !data) return null;
    const bytes = Buffer.from(data, 'base64url');
    if (bytes.length < IV_BYTES + TAG_BYTES + 1) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(endpointId, 'utf8'));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      return null;
    }
  }
}
