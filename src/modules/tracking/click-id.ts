import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Click ids (`tclid`) are self-describing and signed, so attribution can trust one without the
 * click row (which may still be in the write buffer, or lost):
 *
 *   base64url( version | clicked-at ms (6 bytes, big-endian) | nonce (6) | link id | MAC (12) )
 *
 * version 1: the link id is `lnk_` + 20 ASCII characters and only those 20 are stored → 45 bytes,
 * 60 characters. version 2: any other link id, stored as UTF-8 (longer ids). The MAC is
 * HMAC-SHA256 over everything before it, truncated to 96 bits. The time leads, so ids of the
 * same moment share a prefix and land close together in the primary-key index.
 */
const V_LNK = 1;
const V_ANY = 2;
const HEADER = 1 + 6 + 6;
const MAC_BYTES = 12;
const LNK_PREFIX = 'lnk_';
const LNK_BODY = /^[0-9A-Za-z]{20}$/;
const MAX_ID_CHARS = 200;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export interface VerifiedClickId {
  linkId: string;
  clickedAt: Date;
}

/** The HMAC key for click ids, derived from the server secret (separate from other uses). */
export function clickIdKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('tandem:click-id:v1').digest();
}

// Nonces come from a pooled random buffer: one getrandom call per ~680 clicks, not per click.
const NONCE_POOL_BYTES = 4096;
let noncePool = Buffer.alloc(0);
let noncePos = NONCE_POOL_BYTES;

function nextNonce(): Buffer {
  if (noncePos + 6 > noncePool.length) {
    noncePool = randomBytes(NONCE_POOL_BYTES);
    noncePos = 0;
  }
  noncePos += 6;
  return noncePool.subarray(noncePos - 6, noncePos);
}

export function encodeClickId(
  key: Buffer,
  linkId: string,
  clickedAtMs: number,
  nonce: Buffer = nextNonce(),
): string {
  const body = linkId.startsWith(LNK_PREFIX) ? linkId.slice(LNK_PREFIX.length) : '';
  const compact = LNK_BODY.test(body);
  const idBytes = Buffer.from(compact ? body : linkId, compact ? 'latin1' : 'utf8');
  const payload = Buffer.allocUnsafe(HEADER + idBytes.length);
  payload[0] = compact ? V_LNK : V_ANY;
  payload.writeUIntBE(clickedAtMs, 1, 6);
  nonce.copy(payload, 7, 0, 6);
  idBytes.copy(payload, HEADER);
  return Buffer.concat([payload, mac(key, payload)]).toString('base64url');
}

/** The link and click time of a genuine click id; null for anything forged, altered or cut. */
export function decodeClickId(key: Buffer, id: unknown): VerifiedClickId | null {
  if (typeof id !== 'string' || id.length > MAX_ID_CHARS || !BASE64URL.test(id)) return null;
  const bytes = Buffer.from(id, 'base64url');
  // Only the canonical spelling is accepted (no alternative trailing bits).
  if (bytes.length < HEADER + 1 + MAC_BYTES || bytes.toString('base64url') !== id) return null;
  const payload = bytes.subarray(0, bytes.length - MAC_BYTES);
  const expected = mac(key, payload);
  if (!timingSafeEqual(expected, bytes.subarray(bytes.length - MAC_BYTES))) return null;
  const version = payload[0];
  const idBytes = payload.subarray(HEADER);
  let linkId: string;
  if (version === V_LNK && idBytes.length === 20) linkId = LNK_PREFIX + idBytes.toString('latin1');
  else if (version === V_ANY) linkId = idBytes.toString('utf8');
  else return null;
  return { linkId, clickedAt: new Date(payload.readUIntBE(1, 6)) };
}

function mac(key: Buffer, payload: Buffer): Buffer {
  return createHmac('sha256', key).update(payload).digest().subarray(0, MAC_BYTES);
}
