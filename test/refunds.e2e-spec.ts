import { DataSource } from 'typeorm';
import { startApp, TestApp } from './helpers/app';
import {
  createAdvocate,
  createProgram,
  createRule,
  markPaid,
  ProgramSetup,
  purchaseEvent,
  refundEvent,
  sendEvent,
  uniqueId,
} from './helpers/event-factories';
import type { Brand } from './helpers/app';

describe('refunds reverse rewards before payment and claw them back after', () => {
  let t: TestApp;
  let db: DataSource;
  beforeAll(async () => {
    t = await startApp();
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  /** Advocate: 10 % of the order; friend: 5.00 USD credit. A 129.00 USD order. */
  async function purchased(): Promise<{
    brand: Brand;
    p: ProgramSetup;
    orderId: string;
    event: Record<string, unknown>;
    answer: any;
  }> {
    const brand = await t.createBrand();
    const p = await createProgram(t, brand);
    await createRule(t, p, {
      trigger: { event: 'purchase' },
      recipient: 'advocate',
      reward: { kind: 'cash', percent: 10 },
    });
    await createRule(t, p, {
      trigger: { event: 'purchase' },
      recipient: 'friend',
      reward: { kind: 'credit', amount: 500 },
    });
    const alice = await createAdvocate(t, p);
    const orderId = uniqueId('ord');
    const event = purchaseEvent({
      code: alice.code,
      order: { id: orderId, amount: 12_900, currency: 'USD' },
    });
    const res = await sendEvent(t, brand, event);
    expect(res.body.rewards.map((r: any) => [r.recipient, r.amount])).toEqual([
      ['advocate', 1290],
      ['friend', 500],
    ]);
    return { brand, p, orderId, event, answer: res.body };
  }

  const rewardRows = async (brandId: string) =>
    db.query(
      `SELECT recipient, amount::int, reversed_amount::int AS reversed, status, clawback_of IS NOT NULL AS clawback
         FROM rewards WHERE brand_id = $1 ORDER BY clawback_of IS NOT NULL, created_at, recipient`,
      [brandId],
    );

  it('partial then full refund before approval: percent in proportion, fixed at the end', async () => {
    const { brand, orderId, answer } = await purchased();
    const [advocateReward, friendReward] = answer.rewards;
    const partial = await sendEvent(t, brand, refundEvent(orderId, 4_300));
    expect(partial.status).toBe(201);
    expect(partial.body).toMatchObject({
      type: 'refund',
      status: 'attributed',
      attribution: answer.attribution,
      reversed: [
        {
          rewardId: advocateReward.id,
          recipient: 'advocate',
          amount: 430,
          status: 'pending',
          clawbackRewardId: null,
        },
      ],
      rewards: [],
    });
    const rest = await sendEvent(t, brand, refundEvent(orderId, 8_600));
    expect(rest.body.reversed).toEqual([
      expect.objectContaining({ rewardId: advocateReward.id, amount: 860, status: 'reversed' }),
      expect.objectContaining({ rewardId: friendReward.id, amount: 500, status: 'reversed' }),
    ]);
    expect(await rewardRows(brand.id)).toEqual([
      { recipient: 'advocate', amount: 1290, reversed: 1290, status: 'reversed', clawback: false },
      { recipient: 'friend', amount: 500, reversed: 500, status: 'reversed', clawback: false },
    ]);
    // nothing is left to refund: a further refund is refused and leaves no trace
    const extra = await sendEvent(t, brand, refundEvent(orderId, 100));
    expect(extra.status).toBe(422);
    expect(extra.body.error).toMatchObject({
      code: 'unprocessable',
      details: [
        {
          field: 'order.amount',
          issue: `is more than the 0 left to refund on order ${orderId} (12900 USD ordered, 12900 refunded before)`,
        },
      ],
    });
    const [{ n }] = await db.query(
      `SELECT count(*)::int AS n FROM events WHERE brand_id = $1 AND type = 'refund'`,
      [brand.id],
    );
    expect(n).toBe(2);
  });

  it('refuses a refund larger than what is left of the order, in a batch item by item', async () => {
    const { brand, p, orderId } = await purchased();
    const tooMuch = await sendEvent(t, brand, refundEvent(orderId, 12_901));
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error.details[0].field).toBe('order.amount');
    const batch = await t.request('POST', '/v1/events/batch', {
      key: brand.key,
      body: {
        events: [
          refundEvent(orderId, 4_300),
          refundEvent(orderId, 9_000),
          refundEvent(orderId, 8_600),
          refundEvent(orderId, 1),
        ],
      },
    });
    expect(batch.status).toBe(200);
    expect(batch.body.results.map((r: any) => r.status)).toEqual([201, 422, 201, 422]);
    expect(batch.body.results[1].error.details[0].issue).toBe(
      `is more than the 8600 left to refund on order ${orderId} (12900 USD ordered, 4300 refunded before)`,
    );
    const refunds = await db.query(
      `SELECT sum(order_amount)::int AS total, count(*)::int AS n
         FROM events WHERE brand_id = $1 AND type = 'refund'`,
      [brand.id],
    );
    expect(refunds).toEqual([{ total: 12_900, n: 2 }]);
    // the KPIs count what was refunded, never more than the order
    const window = `from=${encodeURIComponent(new Date(Date.now() - 86_400_000).toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString())}`;
    const kpis = await t.request('GET', `/v1/programs/${p.programId}/kpis?${window}`, {
      key: brand.key,
    });
    expect(kpis.status).toBe(200);
    expect(kpis.body).toMatchObject({ grossRevenue: 12_900, refunds: 12_900, revenue: 0 });
    expect(await rewardRows(brand.id)).toEqual([
      { recipient: 'advocate', amount: 1290, reversed: 1290, status: 'reversed', clawback: false },
      { recipient: 'friend', amount: 500, reversed: 500, status: 'reversed', clawback: false },
    ]);
  });

  it('a full refund after approval reverses the approved rewards', async () => {
    const { brand, orderId, answer } = await purchased();
    for (const r of answer.rewards) {
      const approved = await t.request('POST', `/v1/rewards/${r.id}/approve`, { key: brand.key });
      expect(approved.body.status).toBe('approved');
    }
    const full = await sendEvent(t, brand, refundEvent(orderId, 12_900));
    expect(full.body.reversed.map((r: any) => [r.amount, r.status])).toEqual([
      [1290, 'reversed'],
      [500, 'reversed'],
    ]);
    const listed = await t.request('GET', `/v1/rewards?status=reversed`, { key: brand.key });
    expect(listed.body.data).toHaveLength(2);
    expect(listed.body.data[0]).toMatchObject({
      reversedAmount: expect.any(Number),
      reason: 'refund',
    });
    expect(listed.body.data[0].reversedAt).not.toBeNull();
  });

  it('refunds after payment become clawbacks that net the rewards to zero', async () => {
    const { brand, orderId, answer } = await purchased();
    for (const r of answer.rewards) await markPaid(t, r.id);
    const partial = await sendEvent(t, brand, refundEvent(orderId, 4_300));
    expect(partial.body.reversed).toEqual([
      expect.objectContaining({
        recipient: 'advocate',
        amount: 430,
        status: 'paid',
        clawbackRewardId: expect.stringMatching(/^rwd_/),
      }),
    ]);
    expect(partial.body.rewards).toEqual([
      expect.objectContaining({
        id: partial.body.reversed[0].clawbackRewardId,
        recipient: 'advocate',
        kind: 'cash',
        amount: -430,
        status: 'approved',
      }),
    ]);
    await sendEvent(t, brand, refundEvent(orderId, 8_600));
    expect(await rewardRows(brand.id)).toEqual([
      { recipient: 'advocate', amount: 1290, reversed: 1290, status: 'paid', clawback: false },
      { recipient: 'friend', amount: 500, reversed: 500, status: 'paid', clawback: false },
      { recipient: 'advocate', amount: -430, reversed: 0, status: 'approved', clawback: true },
      { recipient: 'advocate', amount: -860, reversed: 0, status: 'approved', clawback: true },
      { recipient: 'friend', amount: -500, reversed: 0, status: 'approved', clawback: true },
    ]);
    const net = await db.query(`SELECT sum(amount)::int AS net FROM rewards WHERE brand_id = $1`, [
      brand.id,
    ]);
    expect(net[0].net).toBe(1290 + 500 - 1290 - 500);
    const clawbacks = await t.request('GET', `/v1/rewards?status=approved`, { key: brand.key });
    expect(clawbacks.body.data.every((r: any) => r.clawbackOf !== null && r.amount < 0)).toBe(true);
  });

  it('records refunds of unknown orders or in another currency without reversing anything', async () => {
    const { brand, orderId } = await purchased();
    const unknown = await sendEvent(t, brand, refundEvent(uniqueId('nope'), 100));
    expect(unknown.body).toMatchObject({
      status: 'unattributed',
      reason: 'unknown_order',
      reversed: [],
    });
    const euros = await sendEvent(
      t,
      brand,
      refundEvent(orderId, 12_900, { order: { id: orderId, amount: 12_900, currency: 'EUR' } }),
    );
    expect(euros.body).toMatchObject({
      status: 'rejected',
      reason: 'currency_mismatch',
      reversed: [],
    });
    const replay = await sendEvent(t, brand, { ...refundEvent(orderId, 1), id: euros.body.id });
    expect(replay.status).toBe(409);
    const stillPending = await db.query(
      `SELECT count(*)::int AS n FROM rewards WHERE brand_id = $1 AND status = 'pending' AND reversed_amount = 0`,
      [brand.id],
    );
    expect(stillPending[0].n).toBe(2);
  });

  it('a refund that overtook its purchase counts for nothing; sent again under a new id, it reverses', async () => {
    const brand = await t.createBrand();
    const p = await createProgram(t, brand);
    await createRule(t, p, {
      trigger: { event: 'purchase' },
      recipient: 'advocate',
      reward: { kind: 'cash', percent: 10 },
    });
    const alice = await createAdvocate(t, p);
    const orderId = uniqueId('ord');
    const early = refundEvent(orderId, 4_000);
    expect((await sendEvent(t, brand, early)).body).toMatchObject({ reason: 'unknown_order' });
    const order = { id: orderId, amount: 10_000, currency: 'USD' };
    expect((await sendEvent(t, brand, purchaseEvent({ code: alice.code, order }))).status).toBe(
      201,
    );
    // The same id replays its first answer; a new id is decided against the whole order.
    const again = await sendEvent(t, brand, early);
    expect([again.status, again.body.reason, again.body.reversed]).toEqual([
      200,
      'unknown_order',
      [],
    ]);
    const resent = await sendEvent(t, brand, refundEvent(orderId, 4_000));
    expect(resent.status).toBe(201);
    expect(resent.body.reversed).toMatchObject([{ amount: 400, status: 'pending' }]);
    const rest = await sendEvent(t, brand, refundEvent(orderId, 6_000));
    expect(rest.body.reversed).toMatchObject([{ amount: 600, status: 'reversed' }]);
    expect(await rewardRows(brand.id)).toEqual([
      { recipient: 'advocate', amount: 1000, reversed: 1000, status: 'reversed', clawback: false },
    ]);
    const tooMuch = await sendEvent(t, brand, refundEvent(orderId, 1));
    expect(tooMuch.status).toBe(422);
  });

  it('concurrent partial refunds never reverse more than the reward', async () => {
    const { brand, orderId } = await purchased();
    const parts = await Promise.all(
      Array.from({ length: 6 }, () => sendEvent(t, brand, refundEvent(orderId, 2_150))),
    );
    expect(parts.every((r) => r.status === 201)).toBe(true);
    expect(await rewardRows(brand.id)).toEqual([
      { recipient: 'advocate', amount: 1290, reversed: 1290, status: 'reversed', clawback: false },
      { recipient: 'friend', amount: 500, reversed: 500, status: 'reversed', clawback: false },
    ]);
  });

  it('concurrent refunds of one order never add up to more than the order', async () => {
    const { brand, orderId } = await purchased();
    const parts = await Promise.all(
      Array.from({ length: 6 }, () => sendEvent(t, brand, refundEvent(orderId, 3_000))),
    );
    expect(parts.map((r) => r.status).sort()).toEqual([201, 201, 201, 201, 422, 422]);
    const [{ total }] = await db.query(
      `SELECT sum(order_amount)::int AS total FROM events WHERE brand_id = $1 AND type = 'refund'`,
      [brand.id],
    );
    expect(total).toBe(12_000);
  });

  it('one purchase per order: another event id naming the order is refused, so a refund reverses all its rewards', async () => {
    const { brand, p, orderId, event, answer } = await purchased();
    const alice = await createAdvocate(t, p);
    const reused = purchaseEvent({
      code: alice.code,
      order: { id: orderId, amount: 5_000, currency: 'USD' },
    });
    const second = await sendEvent(t, brand, reused);
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({
      code: 'conflict',
      details: [
        { field: 'order.id', issue: `was already recorded by purchase event ${answer.id}` },
      ],
    });
    // nothing of it was written, and its retry is refused the same way
    const [{ n }] = await db.query(
      `SELECT count(*)::int AS n FROM events WHERE brand_id = $1 AND event_id = $2`,
      [brand.id, reused.id],
    );
    expect(n).toBe(0);
    expect((await sendEvent(t, brand, reused)).status).toBe(409);
    // the order's own event still replays
    const replay = await sendEvent(t, brand, event);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(answer);

    // in a batch (and under concurrency) the first naming the order wins, the others get 409
    const batch = await t.request('POST', '/v1/events/batch', {
      key: brand.key,
      body: {
        events: [
          purchaseEvent({ id: 'b-2', order: { id: 'shared-order', amount: 100, currency: 'USD' } }),
          purchaseEvent({ id: 'b-1', order: { id: 'shared-order', amount: 100, currency: 'USD' } }),
          purchaseEvent({ id: 'b-3', order: { id: orderId, amount: 100, currency: 'USD' } }),
        ],
      },
    });
    expect(batch.body.results.map((r: any) => r.status)).toEqual([201, 409, 409]);
    expect(batch.body.results[1].error.details[0].issue).toBe(
      'was already recorded by purchase event b-2',
    );
    const racers = await Promise.all(
      Array.from({ length: 8 }, () =>
        sendEvent(
          t,
          brand,
          purchaseEvent({ code: alice.code, order: { id: 'raced', amount: 100, currency: 'USD' } }),
        ),
      ),
    );
    expect(racers.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);

    const refund = await sendEvent(t, brand, refundEvent(orderId, 12_900));
    expect(refund.body.reversed.map((r: any) => r.status)).toEqual(['reversed', 'reversed']);
    expect(
      await db.query(
        `SELECT count(*)::int AS n FROM rewards w JOIN events e ON e.id = w.event_id
          WHERE w.brand_id = $1 AND e.order_id = $2 AND w.status = 'pending'`,
        [brand.id, orderId],
      ),
    ).toEqual([{ n: 0 }]);
  });

  it("refunds free the program's budget", async () => {
    const brand = await t.createBrand();
    const p = await createProgram(t, brand, { budget: { amount: 1000, currency: 'USD' } });
    await createRule(t, p, {
      trigger: { event: 'purchase' },
      recipient: 'advocate',
      reward: { kind: 'cash', amount: 1000 },
    });
    const alice = await createAdvocate(t, p);
    const firstEvent = purchaseEvent({ code: alice.code });
    await sendEvent(t, brand, firstEvent);
    const second = await sendEvent(t, brand, purchaseEvent({ code: alice.code }));
    expect(second.body.skipped[0].reason).toBe('budget_exhausted');
    const orderId = (firstEvent.order as { id: string }).id;
    const refund = await sendEvent(t, brand, refundEvent(orderId, 12_900));
    expect(refund.body.reversed).toEqual([
      expect.objectContaining({ amount: 1000, status: 'reversed' }),
    ]);
    const third = await sendEvent(t, brand, purchaseEvent({ code: alice.code }));
    expect(third.body.rewards).toEqual([expect.objectContaining({ amount: 1000 })]);
  });
});
