import { customAlphabet } from 'nanoid';

/** Upper-case letters and digits without 0/O, 1/I/L: nothing a friend can mistype at checkout. */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const generateCode = customAlphabet(CODE_ALPHABET, 8);

/** Link slugs: URL-safe, case-sensitive, 10 characters (~59 bits): collisions are retried. */
export const generateSlug = customAlphabet(
  '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  10,
);

export const VANITY_CODE = /^[A-Z0-9-]{4,32}$/;

/** Codes are case-insensitive: stored and compared upper-case, surrounding spaces ignored. */
export function normalizeCode(code: string): string {
  return code.trim().toUpperCase();
}
