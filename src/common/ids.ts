import { customAlphabet } from 'nanoid';

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const idBody = customAlphabet(ALPHANUMERIC, 20);

/** Prefixed ids tell a reader what an id points at (`prg_…`, `adv_…`), like Stripe/Dub. */
export const ID_PREFIXES = {
  brand: 'brd',
  apiKey: 'key',
  program: 'prg',
  cta: 'cta',
  rewardRule: 'rul',
  advocate: 'adv',
  enrollment: 'enr',
  link: 'lnk',
  share: 'shr',
  customer: 'cus',
  event: 'evt',
  referral: 'ref',
  reward: 'rwd',
  payoutBatch: 'pob',
  webhookEndpoint: 'whe',
  delivery: 'dlv',
  webhookEvent: 'wev',
  webhookAttempt: 'wat',
  review: 'rev',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}_${idBody()}`;
}

/** True when the string has the shape of an id of this kind (cheap 404 before any query). */
export function looksLikeId(kind: IdKind, value: string): boolean {
  return new RegExp(`^${ID_PREFIXES[kind]}_[0-9A-Za-z]{20}$`).test(value);
}
