import { parse } from 'csv-parse';
import type { Brand, TestApp } from './app';
import { AdvocateSetup, ProgramSetup, purchaseEvent, sendEvent, uniqueId } from './event-factories';

/**
 * Payouts as finance does them, over HTTP: rewards earned through the event flow and approved
 * by hand, batches created, exported, paid or canceled.
 */

export async function createKey(t: TestApp, brand: Brand, scopes: string[]): Promise<string> {
  const res = await t.request('POST', '/v1/api-keys', {
    key: brand.key,
    body: { name: scopes.join('+'), scopes },
  });
  if (res.status !== 201) throw new Error(`create key: ${res.status} ${res.text}`);
  return res.body.secret;
}

export interface Earned {
  eventId: string;
  orderId: string;
  /** The advocate's reward of the purchase. */
  reward: any;
}

/**
 * A purchase by a new friend through the advocate's code; the advocate's (first payable)
 * reward is approved.
 */
export async function earn(
  t: TestApp,
  p: ProgramSetup,
  advocate: AdvocateSetup,
  options: {
    orderAmount?: number;
    currency?: string;
    approve?: boolean;
    event?: Record<string, unknown>;
  } = {},
): Promise<Earned> {
  const orderId = uniqueId('ord');
  const res = await sendEvent(
    t,
    p.brand,
    purchaseEvent({
      code: advocate.code,
      order: {
        id: orderId,
        amount: options.orderAmount ?? 12_900,
        currency: options.currency ?? 'USD',
      },
      ...options.event,
    }),
  );
  if (res.status !== 201) throw new Error(`purchase: ${res.status} ${res.text}`);
  const reward = res.body.rewards.find(
    (r: any) => r.recipient === 'advocate' && ['cash', 'credit', 'gift_card'].includes(r.kind),
  );
  if (!reward) throw new Error(`no advocate reward: ${res.text}`);
  if (options.approve !== false) await approve(t, p.brand, reward.id);
  return { eventId: res.body.eventId, orderId, reward };
}

export async function approve(t: TestApp, brand: Brand, rewardId: string): Promise<void> {
  const res = await t.request('POST', `/v1/rewards/${rewardId}/approve`, { key: brand.key });
  if (res.status !== 200) throw new Error(`approve: ${res.status} ${res.text}`);
}

/** A cutoff a moment from now: everything approved so far is before it. */
export const soon = () => new Date(Date.now() + 1000).toISOString();

export function createBatch(
  t: TestApp,
  key: string,
  body: Record<string, unknown>,
  idempotencyKey?: string,
) {
  return t.request('POST', '/v1/payout-batches', {
    key,
    body,
    headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
  });
}

export async function createdBatch(t: TestApp, key: string, body: Record<string, unknown>) {
  const res = await createBatch(t, key, body);
  if (res.status !== 201) throw new Error(`create batch: ${res.status} ${res.text}`);
  return res.body;
}

export function parseCsv(text: string): Promise<Record<string, string>[]> {
  return new Promise((resolve, reject) =>
    parse(text, { columns: true }, (err, records: Record<string, string>[]) =>
      err ? reject(err) : resolve(records),
    ),
  );
}

/** "12.50" → 1250n for a 2-digit currency: exact decimal to minor units, no floats. */
export function toMinor(decimal: string, digits: number): bigint {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(decimal);
  if (!m) throw new Error(`not a decimal: ${decimal}`);
  const fraction = m[3] ?? '';
  if (fraction.length !== digits) throw new Error(`${decimal} does not have ${digits} digits`);
  const value = BigInt(m[2]! + fraction);
  return m[1] ? -value : value;
}

/** The money figures of a balance (GET /v1/payouts/balances), in the answer's order. */
export const BALANCE_FIGURES = [
  'pending',
  'held',
  'approvedUnpaid',
  'inOpenBatches',
  'paid',
  'clawbacksOutstanding',
] as const;
