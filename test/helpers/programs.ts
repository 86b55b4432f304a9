import { TestApp } from './app';

/** A valid program body a real brand would send; override any field. */
export function programBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Spring referral 2026',
    goal: 'conversion',
    currency: 'USD',
    landingUrl: 'https://shop.example.com/spring',
    ...overrides,
  };
}

export async function createProgram(
  t: TestApp,
  key: string,
  overrides: Record<string, unknown> = {},
): Promise<any> {
  const res = await t.request('POST', '/v1/programs', { key, body: programBody(overrides) });
  if (res.status !== 201) throw new Error(`program not created: ${res.status} ${res.text}`);
  return res.body;
}

export async function createCta(
  t: TestApp,
  key: string,
  programId: string,
  overrides: Record<string, unknown> = {},
): Promise<any> {
  const res = await t.request('POST', `/v1/programs/${programId}/ctas`, {
    key,
    body: {
      key: 'ig-story',
      channel: 'instagram',
      action: 'purchase',
      label: 'Story',
      ...overrides,
    },
  });
  if (res.status !== 201) throw new Error(`CTA not created: ${res.status} ${res.text}`);
  return res.body;
}

/** "Advocate gets 10.00 USD cash on purchase." */
export const ADVOCATE_CASH_RULE = {
  trigger: { event: 'purchase' },
  recipient: 'advocate',
  reward: { kind: 'cash', amount: 1000, currency: 'USD' },
  description: 'Advocate gets $10 per referred purchase',
};

/** "Friend gets a 15% coupon on a first purchase over 50.00." */
export const FRIEND_COUPON_RULE = {
  trigger: { event: 'purchase' },
  recipient: 'friend',
  reward: { kind: 'coupon', percent: 15 },
  conditions: { firstPurchaseOnly: true, minOrderAmount: 5000 },
  description: '15% off the first order over $50',
};

/** Walks every page of a list and returns all items. */
export async function listAll(t: TestApp, key: string, path: string, limit = 2): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  type Page = { status: number; body: { data: any[]; nextCursor: string | null }; text: string };
  const sep = path.includes('?') ? '&' : '?';
  do {
    const res: Page = await t.request(
      'GET',
      `${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
      { key },
    );
    if (res.status !== 200) throw new Error(`list failed: ${res.status} ${res.text}`);
    items.push(...res.body.data);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}
