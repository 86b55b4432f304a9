import { DataSource } from 'typeorm';
import { KpiFoldJob } from '@/modules/analytics/kpi-fold.job';
import { Brand, startApp, TestApp } from './helpers/app';
import {
  AdvocateSetup,
  createAdvocate,
  createProgram,
  createTwoSidedRules,
  markPaid,
  ProgramSetup,
  purchaseEvent,
  sendEvent,
} from './helpers/event-factories';

/**
 * Reward cost reaches the KPI rollups through a queue that triggers on `rewards` fill, whatever
 * changed the reward: each change is folded exactly once, a KPI read folds its brand's queue
 * first, and the background fold takes what is left.
 */
describe('KPI reward cost: queued by triggers, folded once', () => {
  let t: TestApp;
  let db: DataSource;
  let brand: Brand;
  let other: Brand;
  let p: ProgramSetup;
  let q: ProgramSetup;
  let anna: AdvocateSetup;

  const queued = async (b: Brand) =>
    Number(
      (
        await db.query(
          'SELECT count(*)::int AS n FROM kpi_reward_cost_deltas WHERE brand_id = $1',
          [b.id],
        )
      )[0].n,
    );
  // Program-level reward cost kept in the rollups (the CTA-hour rows), and what the rewards say.
  const rolledUp = async (programId: string) =>
    (
      await db.query(
        `SELECT COALESCE(sum(reward_cost), 0)::text AS c FROM kpi_rollups
          WHERE program_id = $1 AND grain = 'c'`,
        [programId],
      )
    )[0].c as string;
  const fromRewards = async (programId: string) =>
    (
      await db.query(
        `SELECT COALESCE(sum(COALESCE(w.amount, 0) - w.reversed_amount), 0)::text AS c
           FROM rewards w JOIN programs p ON p.id = w.program_id AND p.currency = w.currency
          WHERE w.program_id = $1 AND w.clawback_of IS NULL
            AND w.status IN ('pending', 'approved', 'paid')`,
        [programId],
      )
    )[0].c as string;
  const summaryCost = async (b: Brand, programId: string) => {
    const res = await t.request('GET', `/v1/programs/${programId}/kpis`, { key: b.key });
    expect(res.status).toBe(200);
    return res.body.rewardCost as number;
  };

  beforeAll(async () => {
    // No background fold: the test decides when folds happen.
    t = await startApp({ KPI_FOLD_INTERVAL_MS: '0', REWARD_APPROVAL_INTERVAL_MS: '0' });
    db = t.app.get(DataSource);
    brand = await t.createBrand();
    other = await t.createBrand();
    p = await createProgram(t, brand);
    q = await createProgram(t, other);
    await createTwoSidedRules(t, p, { friend: { reward: { kind: 'credit', percent: 10 } } });
    await createTwoSidedRules(t, q);
    anna = await createAdvocate(t, p);
  });

  afterAll(() => t.close());

  it('queues each new reward, and a KPI read folds its brand first', async () => {
    const e1 = purchaseEvent({
      code: anna.code,
      order: { id: 'o-1', amount: 20_000, currency: 'USD' },
    });
    expect((await sendEvent(t, brand, e1)).status).toBe(201);
    const ben = await createAdvocate(t, q);
    expect((await sendEvent(t, other, purchaseEvent({ code: ben.code }))).status).toBe(201);

    // 10.00 cash + 10 % of 200.00 credit; the other brand's coupon costs nothing (no amount).
    expect(await queued(brand)).toBe(2);
    expect(await rolledUp(p.programId)).toBe('0');
    expect(await summaryCost(brand, p.programId)).toBe(3000);
    expect(await queued(brand)).toBe(0);
    expect(await rolledUp(p.programId)).toBe('3000');
    expect(await queued(other)).toBe(1); // the read folded its own brand only
  });

  it('counts rejections, reversals and payments once, through the background fold too', async () => {
    const e2 = purchaseEvent({
      code: anna.code,
      order: { id: 'o-2', amount: 5_000, currency: 'USD' },
    });
    const sent = await sendEvent(t, brand, e2);
    expect(sent.status).toBe(201);
    const [cash, credit] = [...sent.body.rewards].sort((a: any, b: any) =>
      a.kind.localeCompare(b.kind),
    );
    expect([cash.kind, credit.kind]).toEqual(['cash', 'credit']);

    // Approving and paying change no cost: nothing queued for them.
    const before = await queued(brand);
    const approved = await t.request('POST', `/v1/rewards/${cash.id}/approve`, { key: brand.key });
    expect(approved.status).toBe(200);
    await markPaid(t, cash.id);
    expect(await queued(brand)).toBe(before);

    const rejected = await t.request('POST', `/v1/rewards/${credit.id}/reject`, {
      key: brand.key,
      body: { reason: 'duplicate order' },
    });
    expect(rejected.status).toBe(200);
    // Half of order o-1 refunded: its credit (20.00) shrinks by 10.00.
    const refund = {
      id: `refund-o-1-${Date.now()}`,
      type: 'refund',
      occurredAt: new Date().toISOString(),
      order: { id: 'o-1', amount: 10_000, currency: 'USD' },
    };
    expect((await sendEvent(t, brand, refund)).status).toBe(201);
    expect(await queued(brand)).toBeGreaterThan(before);

    await t.app.get(KpiFoldJob).runOnce();
    expect(await queued(brand)).toBe(0);
    expect(await queued(other)).toBe(0);
    // o-1: 10.00 + 20.00 − 10.00; o-2: 10.00 cash paid, 5.00 credit rejected.
    expect(await rolledUp(p.programId)).toBe('3000');
    expect(await rolledUp(p.programId)).toBe(await fromRewards(p.programId));
    expect(await rolledUp(q.programId)).toBe(await fromRewards(q.programId));

    // A second fold finds nothing and adds nothing.
    await t.app.get(KpiFoldJob).runOnce();
    expect(await rolledUp(p.programId)).toBe('3000');
    expect(await summaryCost(brand, p.programId)).toBe(3000);
  });

  it('folds concurrent reads of one brand exactly once', async () => {
    for (let i = 0; i < 5; i++) {
      const e = purchaseEvent({
        code: anna.code,
        order: { id: `o-c${i}`, amount: 1_000, currency: 'USD' },
      });
      expect((await sendEvent(t, brand, e)).status).toBe(201);
    }
    // 5 × (10.00 + 1.00) more.
    const costs = await Promise.all(
      Array.from({ length: 8 }, () => summaryCost(brand, p.programId)),
    );
    expect(costs).toEqual(Array(8).fill(8500));
    expect(await rolledUp(p.programId)).toBe(await fromRewards(p.programId));
  });
});
