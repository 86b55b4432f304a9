import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { HmacSha256 } from '@/common/crypto/hmac-sha256';

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
const LNK_BODY_CHARS = 20;
const LNK_ID = /^lnk_[0-9A-Za-z]{20}$/;
const MAX_ID_CHARS = 200;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export interface VerifiedClickId {
  linkId: string;
  clickedAt: Date;
}

/** The prepared HMAC key for click ids (see HmacSha256); reused by every call. */
export type ClickIdKey = HmacSha256;

// Room for the payload and the MAC of any link id up to this many characters; longer ones (never
// made by Tandem) take the allocating path.
const FAST_ID_CHARS = 256;

/** The HMAC key for click ids, derived from the server secret (separate from other uses). */
export function clickIdKey(secret: string): ClickIdKey {
  const key = createHmac('sha256', secret).update('tandem:click-id:v1').digest();
  return new HmacSha256(key, HEADER + 3 * FAST_ID_CHARS + MAC_BYTES);
}

// Nonces come from a pooled random buffer: one getrandom call per ~680 clicks, not per click.
const NONCE_POOL_BYTES = 4096;
let noncePool = Buffer.alloc(0);
let noncePos = NONCE_POOL_BYTES;

function writeNonce(target: Buffer, at: number): void {
  if (noncePos + 6 > noncePool.length) {
    noncePool = randomBytes(NONCE_POOL_BYTES);
    noncePos = 0;
  }
  noncePool.copy(target, at, noncePos, noncePos + 6);
  noncePos += 6;
}

/**
 * The payload is written straight into the key's message buffer, its MAC after it, and both are
 * encoded in one go: no Buffer is allocated per click.
 */
export function encodeClickId(
  key: ClickIdKey,
  linkId: string,
  clickedAtMs: number,
  nonce?: Buffer,
): string {
  const out = key.message;
  let payloadLength: number;
  if (LNK_ID.test(linkId)) {
    out[0] = V_LNK;
    for (let i = 0; i < LNK_BODY_CHARS; i++)
      out[HEADER + i] = linkId.charCodeAt(LNK_PREFIX.length + i);
    payloadLength = HEADER + LNK_BODY_CHARS;
  } else if (linkId.length <= FAST_ID_CHARS) {
    out[0] = V_ANY;
    payloadLength = HEADER + out.write(linkId, HEADER, 'utf8');
  } else {
    return encodeLongClickId(key, linkId, clickedAtMs, nonce);
  }
  out.writeUIntBE(clickedAtMs, 1, 6);
  if (nonce) nonce.copy(out, 7, 0, 6);
  else writeNonce(out, 7);
  out.write(key.digest(payloadLength), payloadLength, MAC_BYTES, 'latin1');
  return out.toString('base64url', 0, payloadLength + MAC_BYTES);
}

function encodeLongClickId(
  key: ClickIdKey,
  linkId: string,
  clickedAtMs: number,
  nonce: Buffer | undefined,
): string {
  const idBytes = Buffer.from(linkId, 'utf8');
  const payload = Buffer.allocUnsafe(HEADER + idBytes.length);
  payload[0] = V_ANY;
  payload.writeUIntBE(clickedAtMs, 1, 6);
  if (nonce) nonce.copy(payload, 7, 0, 6);
  else writeNonce(payload, 7);
  idBytes.copy(payload, HEADER);
  const mac = Buffer.from(key.digestOf(payload), 'latin1');
  return Buffer.concat([payload, mac.subarray(0, MAC_BYTES)]).toString('base64url');
}

/** The link and click time of a genuine click id; null for anything forged, altered or cut. */
export function decodeClickId(key: ClickIdKey, id: unknown): VerifiedClickId | null {
  if (typeof id !== 'string' || id.length > MAX_ID_CHARS || !BASE64URL.test(id)) return null;
  const bytes = Buffer.from(id, 'base64url');
  // Only the canonical spelling is accepted (no alternative trailing bits).
  if (bytes.length < HEADER + 1 + MAC_BYTES || bytes.toString('base64url') !== id) return null;
  const payload = bytes.subarray(0, bytes.length - MAC_BYTES);
  payload.copy(key.message);
  const expected = Buffer.from(key.digest(payload.length), 'latin1').subarray(0, MAC_BYTES);
  if (!timingSafeEqual(expected, bytes.subarray(bytes.length - MAC_BYTES))) return null;
  const version = payload[0];
  const idBytes = payload.subarray(HEADER);
  let linkId: string;
  if (version === V_LNK && idBytes.length === 20) linkId = LNK_PREFIX + idBytes.toString('latin1');
  else if (version === V_ANY) linkId = idBytes.toString('utf8');
  else return null;
  return { linkId, clickedAt: new Date(payload.readUIntBE(1, 6)) };
}
