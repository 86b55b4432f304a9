import { DataSource } from 'typeorm';
import { ClickIdService } from '@/modules/tracking/click-id.service';
import type { Brand, TestApp } from './app';

/**
 * Builds referral programs the way a brand does, over the programs, advocates and enrollments
 * APIs, plus helpers to click links and send events. Defaults describe the README's program:
 * USD, advocate 10.00 cash and a friend coupon on purchase.
 */

export interface ProgramSetup {
  brand: Brand;
  programId: string;
  ctaIds: Record<string, string>;
}

export interface AdvocateSetup {
  id: string;
  externalId: string;
  code: string;
  links: { id: string; ctaKey: string; slug: string; url: string }[];
}

function expectStatus(res: { status: number; text: string }, status: number, what: string) {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${res.text}`);
}

export async function createProgram(
  t: TestApp,
  brand: Brand,
  overrides: Record<string, unknown> = {},
  ctas: [string, string][] = [['ig-story', 'instagram']],
): Promise<ProgramSetup> {
  const res = await t.request('POST', '/v1/programs', {
    key: brand.key,
    body: {
      name: 'Spring referral',
      goal: 'conversion',
      currency: 'USD',
      landingUrl: 'https://shop.example.com/welcome',
      holdDays: 14,
      // Tests send backdated events; a program without startsAt starts at its creation.
      startsAt: new Date(Date.now() - 400 * 86_400_000).toISOString(),
      ...overrides,
    },
  });
  expectStatus(res, 201, 'create program');
  const programId: string = res.body.id;
  const ctaIds: Record<string, string> = {};
  for (const [key, channel] of ctas) {
    const cta = await t.request('POST', `/v1/programs/${programId}/ctas`, {
      key: brand.key,
      body: { key, channel, action: 'purchase', label: key },
    });
    expectStatus(cta, 201, 'create CTA');
    ctaIds[key] = cta.body.id;
  }
  const active = await t.request('PATCH', `/v1/programs/${programId}`, {
    key: brand.key,
    body: { status: 'active' },
  });
  expectStatus(active, 200, 'activate program');
  return { brand, programId, ctaIds };
}

export async function createRule(
  t: TestApp,
  p: ProgramSetup,
  body: Record<string, unknown>,
): Promise<string> {
  const res = await t.request('POST', `/v1/programs/${p.programId}/reward-rules`, {
    key: p.brand.key,
    body,
  });
  expectStatus(res, 201, 'create reward rule');
  return res.body.id;
}

/** The README's two-sided rules: 10.00 USD cash to the advocate, a 15 %-off coupon to the friend. */
export async function createTwoSidedRules(
  t: TestApp,
  p: ProgramSetup,
  extra: { advocate?: Record<string, unknown>; friend?: Record<string, unknown> } = {},
): Promise<{ advocateRule: string; friendRule: string }> {
  const advocateRule = await createRule(t, p, {
    trigger: { event: 'purchase' },
    recipient: 'advocate',
    reward: { kind: 'cash', amount: 1000 },
    ...extra.advocate,
  });
  const friendRule = await createRule(t, p, {
    trigger: { event: 'purchase' },
    recipient: 'friend',
    reward: { kind: 'coupon', percent: 15 },
    ...extra.friend,
  });
  return { advocateRule, friendRule };
}

let advocateCounter = 0;

export async function createAdvocate(
  t: TestApp,
  p: ProgramSetup,
  overrides: Record<string, unknown> = {},
  code?: string,
): Promise<AdvocateSetup> {
  advocateCounter += 1;
  const externalId = `adv-ext-${Date.now()}-${advocateCounter}`;
  const res = await t.request('POST', '/v1/advocates', {
    key: p.brand.key,
    body: { externalId, email: `advocate${advocateCounter}@example.com`, ...overrides },
  });
  expectStatus(res, 201, 'create advocate');
  const enrolled = await t.request('POST', `/v1/programs/${p.programId}/enrollments`, {
    key: p.brand.key,
    body: code ? { advocateId: res.body.id, code } : { advocateId: res.body.id },
  });
  expectStatus(enrolled, 201, 'enroll advocate');
  return {
    id: res.body.id,
    externalId: res.body.externalId,
    code: enrolled.body.code,
    links: enrolled.body.links,
  };
}

/** Follows a tracked link like a browser and returns the tclid of the redirect. */
export async function clickLink(
  t: TestApp,
  a: AdvocateSetup,
  ctaKey = 'ig-story',
): Promise<string> {
  const link = a.links.find((l) => l.ctaKey === ctaKey)!;
  const res = await t.request('GET', `/r/${link.slug}`, {
    headers: {
      'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1',
    },
  });
  expectStatus(res, 302, 'follow link');
  const tclid = new URL(res.headers.get('location')!).searchParams.get('tclid');
  if (!tclid) throw new Error('no tclid in the redirect');
  return tclid;
}

/** A genuine click id of a given time (clicks in the past, for windows). */
export function signClick(t: TestApp, a: AdvocateSetup, at: Date, ctaKey = 'ig-story'): string {
  const link = a.links.find((l) => l.ctaKey === ctaKey)!;
  return t.app.get(ClickIdService).signClickId(link.id, at);
}

let eventCounter = 0;
export const uniqueId = (prefix: string) => `${prefix}-${Date.now()}-${++eventCounter}`;

export function purchaseEvent(over: Record<string, unknown> = {}): Record<string, unknown> {
  const orderId = uniqueId('ord');
  return {
    id: uniqueId('evt'),
    type: 'purchase',
    occurredAt: new Date().toISOString(),
    customer: { id: uniqueId('cust') },
    order: { id: orderId, amount: 12_900, currency: 'USD' },
    ...over,
  };
}

export function refundEvent(orderId: string, amount: number, over: Record<string, unknown> = {}) {
  return {
    id: uniqueId('refund'),
    type: 'refund',
    occurredAt: new Date().toISOString(),
    order: { id: orderId, amount, currency: 'USD' },
    ...over,
  };
}

export async function sendEvent(t: TestApp, brand: Brand, body: unknown) {
  return t.request('POST', '/v1/events', { key: brand.key, body });
}

/** Payouts come later: mark a reward paid the way they will. */
export async function markPaid(t: TestApp, rewardId: string): Promise<void> {
  await t.app
    .get(DataSource)
    .query(`UPDATE rewards SET status = 'paid', paid_at = now() WHERE id = $1`, [rewardId]);
}

export async function rewardsOfEvent(t: TestApp, brand: Brand, eventId: string) {
  const res = await t.request('GET', `/v1/rewards?eventId=${eventId}`, { key: brand.key });
  return res.body.data as any[];
}
