import { DataSource } from 'typeorm';
import { startApp, TestApp } from './helpers/app';
import {
  clickLink,
  createAdvocate,
  createProgram,
  createTwoSidedRules,
  purchaseEvent,
  refundEvent,
  uniqueId,
} from './helpers/event-factories';

describe('POST /v1/events/batch', () => {
  let t: TestApp;
  let db: DataSource;
  beforeAll(async () => {
    t = await startApp();
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  it('answers each item on its own: bad items never fail the others', async () => {
    const brand = await t.createBrand();
    const p = await createProgram(t, brand);
    await createTwoSidedRules(t, p);
    const alice = await createAdvocate(t, p);
    const tclid = await clickLink(t, alice);
    const customer = { id: uniqueId('cust') };
    const signup = {
      id: uniqueId('s'),
      type: 'signup',
      occurredAt: new Date().toISOString(),
      customer,
      clickId: tclid,
    };
    const purchase = purchaseEvent({ customer });
    const orderId = (purchase.order as { id: string }).id;
    const events = [
      signup,
      { ...purchaseEvent(), order: { id: 'o', amount: -5, currency: 'USD' } },
      purchase,
      signup, // the same event twice in one request: one record, a replay
      { ...signup, occurredAt: '2026-01-01T00:00:00Z' }, // same id, other body
      refundEvent(orderId, 12_900), // refunds run after the batch's purchases
      'not an object',
      purchaseEvent({ code: 'NOPE-99' }),
    ];
    const res = await t.request('POST', '/v1/events/batch', { key: brand.key, body: { events } });
    expect(res.status).toBe(200);
    const results = res.body.results;
    expect(results.map((r: any) => [r.index, r.status])).toEqual([
      [0, 201],
      [1, 400],
      [2, 201],
      [3, 200],
      [4, 409],
      [5, 201],
      [6, 400],
      [7, 201],
    ]);
    expect(results[0].result).toMatchObject({
      status: 'attributed',
      referral: { status: 'pending' },
    });
    expect(results[1].error).toMatchObject({
      code: 'validation_failed',
      details: [{ field: 'order.amount' }],
    });
    expect(results[2].result).toMatchObject({
      status: 'attributed',
      attribution: { method: 'referral', advocateId: alice.id },
      referral: { id: results[0].result.referral.id, status: 'converted' },
    });
    expect(results[2].result.rewards).toHaveLength(2);
    expect(results[3].result).toEqual(results[0].result);
    expect(results[4].error.code).toBe('idempotency_conflict');
    expect(results[5].result.reversed.map((r: any) => r.status)).toEqual(['reversed', 'reversed']);
    expect(results[6].error.details[0].field).toBe('body');
    expect(results[7].result).toMatchObject({ status: 'unattributed', reason: 'unknown_code' });

    // the whole batch again: every recorded item replays, nothing is written twice
    const again = await t.request('POST', '/v1/events/batch', { key: brand.key, body: { events } });
    expect(again.body.results.map((r: any) => r.status)).toEqual([
      200, 400, 200, 200, 409, 200, 400, 200,
    ]);
    expect(again.body.results[2].result).toEqual(results[2].result);
    const n = await db.query(`SELECT count(*)::int AS n FROM events WHERE brand_id = $1`, [
      brand.id,
    ]);
    expect(n[0].n).toBe(4);

    // single replays see the batch's answers too
    const single = await t.request('POST', '/v1/events', { key: brand.key, body: purchase });
    expect(single.status).toBe(200);
    expect(single.body).toEqual(results[2].result);
  });

  it("replays a stored event's own body even after a conflicting copy earlier in the batch", async () => {
    const brand = await t.createBrand();
    const p = await createProgram(t, brand);
    await createTwoSidedRules(t, p);
    const alice = await createAdvocate(t, p);
    const stored = purchaseEvent({ code: alice.code });
    const first = await t.request('POST', '/v1/events', { key: brand.key, body: stored });
    expect(first.status).toBe(201);
    const altered = { ...stored, order: { ...(stored.order as object), amount: 1 } };
    for (const events of [
      [altered, stored],
      [stored, altered],
    ]) {
      const res = await t.request('POST', '/v1/events/batch', { key: brand.key, body: { events } });
      const byBody = res.body.results.map((r: any, i: number) => [
        events[i] === stored ? 'stored' : 'altered',
        r.status,
      ]);
      expect(byBody.sort()).toEqual([
        ['altered', 409],
        ['stored', 200],
      ]);
      const replay = res.body.results[events.indexOf(stored)];
      expect(replay.result).toEqual(first.body);
    }
  });

  it('records 500 events of 100 friends exactly once, with per-customer order kept', async () => {
    const brand = await t.createBrand();
    const p = await createProgram(t, brand);
    await createTwoSidedRules(t, p, { friend: { conditions: { firstPurchaseOnly: true } } });
    const alice = await createAdvocate(t, p);
    const customers = Array.from({ length: 100 }, () => ({ id: uniqueId('c') }));
    const events = Array.from({ length: 500 }, (_, i) =>
      purchaseEvent({ customer: customers[i % 100], code: alice.code }),
    );
    const [a, b] = await Promise.all([
      t.request('POST', '/v1/events/batch', { key: brand.key, body: { events } }),
      t.request('POST', '/v1/events/batch', { key: brand.key, body: { events } }),
    ]);
    const statuses = [...a.body.results, ...b.body.results].map((r: any) => r.status);
    expect(statuses.filter((s: number) => s === 201)).toHaveLength(500);
    expect(statuses.filter((s: number) => s === 200)).toHaveLength(500);
    const rows = await db.query(
      `SELECT recipient, count(*)::int AS n FROM rewards WHERE brand_id = $1 GROUP BY recipient ORDER BY recipient`,
      [brand.id],
    );
    // every purchase pays the advocate; only each friend's first purchase gets the coupon
    expect(rows).toEqual([
      { recipient: 'advocate', n: 500 },
      { recipient: 'friend', n: 100 },
    ]);
    const referrals = await db.query(
      `SELECT status, count(*)::int AS n FROM referrals WHERE brand_id = $1 GROUP BY status`,
      [brand.id],
    );
    expect(referrals).toEqual([{ status: 'converted', n: 100 }]);
  });

  it('refuses a batch that is not a list of 1 to 1,000 events', async () => {
    const brand = await t.createBrand();
    for (const body of [{}, { events: [] }, { events: 'x' }, { events: Array(1001).fill({}) }]) {
      const res = await t.request('POST', '/v1/events/batch', { key: brand.key, body });
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].field).toBe('events');
    }
  });
});
