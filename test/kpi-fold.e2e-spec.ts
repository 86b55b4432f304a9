import { DataSource } from 'typeorm';
import { KpiFoldRepository } from '@/modules/analytics/kpi-fold.repository';
import { KpiMaintenanceRepository } from '@/modules/analytics/kpi-maintenance.repository';
import { Brand, startApp, TestApp } from './helpers/app';
import {
  AdvocateSetup,
  createAdvocate,
  createProgram,
  createRule,
  ProgramSetup,
  purchaseEvent,
  refundEvent,
  sendEvent,
} from './helpers/event-factories';
import { foldKpis } from './helpers/kpis';

/**
 * Events' KPI counts go through kpi_fold_queue: the event transaction queues them, the fold job
 * adds them to the rollups (timer off here: folded only when a test says so).
 */
describe('KPI fold queue', () => {
  let t: TestApp;
  let db: DataSource;
  let brand: Brand;
  let p: ProgramSetup;
  let advocate: AdvocateSetup;

  beforeAll(async () => {
    t = await startApp({ KPI_FOLD_INTERVAL_MS: '0', KPI_MAINTENANCE_INTERVAL_MS: '0' });
    db = t.app.get(DataSource);
    brand = await t.createBrand();
    p = await createProgram(t, brand, { holdDays: 0 });
    await createRule(t, p, {
      trigger: { event: 'purchase' },
      recipient: 'advocate',
      reward: { kind: 'cash', amount: 1000 },
    });
    advocate = await createAdvocate(t, p);
  });
  afterAll(() => t.close());

  const purchase = (amount = 12_900) =>
    purchaseEvent({
      code: advocate.code,
      order: { id: `ord-${Math.random()}`, amount, currency: 'USD' },
    });

  async function post(body: Record<string, unknown>): Promise<any> {
    const res = await sendEvent(t, brand, body);
    expect([200, 201]).toContain(res.status);
    return res.body;
  }

  /** The program's conversions and revenue in the rollups (grain c), and its queued events. */
  async function state() {
    // The queue first: once it is empty, the rollups read next include the fold.
    const [q]: { n: number }[] = await db.query(
      `SELECT count(*)::int AS n FROM kpi_fold_queue WHERE brand_id = $1`,
      [brand.id],
    );
    const [r]: { conversions: number; revenue: string; refunds: string }[] = await db.query(
      `SELECT COALESCE(sum(conversions), 0)::int AS conversions,
              COALESCE(sum(revenue), 0)::text AS revenue, COALESCE(sum(refunds), 0)::text AS refunds
         FROM kpi_rollups WHERE program_id = $1 AND grain = 'c'`,
      [p.programId],
    );
    return { conversions: r!.conversions, revenue: r!.revenue, refunds: r!.refunds, queued: q!.n };
  }

  it('counts a purchase once it is folded, exactly once, and only attributed events are queued', async () => {
    await foldKpis(t);
    const before = await state();
    const event = purchase(10_000);
    await post(event);
    await post(event); // a replay queues nothing
    await post(purchaseEvent()); // no code, no click: unattributed, nothing to count
    expect(await state()).toEqual({ ...before, queued: 1 });

    // (the queue is shared by every brand of the run: counts of other brands' rows may join)
    expect((await foldKpis(t)).events).toBeGreaterThanOrEqual(1);
    expect(await state()).toEqual({
      ...before,
      conversions: before.conversions + 1,
      revenue: String(BigInt(before.revenue) + 10_000n),
    });
    await foldKpis(t);
    expect(await state()).toEqual({
      ...before,
      conversions: before.conversions + 1,
      revenue: String(BigInt(before.revenue) + 10_000n),
    });
  });

  it('a KPI read folds its brand first: it shows the events recorded before it', async () => {
    await foldKpis(t);
    const summary = async () =>
      (await t.request('GET', `/v1/programs/${p.programId}/kpis`, { key: brand.key })).body;
    const before = await summary();
    await post(purchase(4_000));
    expect((await state()).queued).toBe(1); // no fold job ran
    const after = await summary();
    expect((await state()).queued).toBe(0);
    expect(after.conversions).toBe(before.conversions + 1);
    expect(after.grossRevenue).toBe(before.grossRevenue + 4_000);
    // Revenue and the reward's cost arrive together.
    expect(after.rewardCost).toBe(before.rewardCost + 1_000);
  });

  it('takes a refund off the revenue when folded', async () => {
    const event = purchase(8_000);
    await post(event);
    await foldKpis(t);
    const before = await state();
    await post(refundEvent((event.order as { id: string }).id, 3_000));
    expect(await state()).toEqual({ ...before, queued: 1 });
    await foldKpis(t);
    expect(await state()).toEqual({
      ...before,
      refunds: String(BigInt(before.refunds) + 3_000n),
    });
  });

  it('folds concurrently (several instances) without counting an event twice or losing one', async () => {
    const before = await state();
    for (let i = 0; i < 12; i++) await post(purchase(1_000));
    const folds = t.app.get(KpiFoldRepository);
    // Small claims, five at once: each takes rows the others do not hold (SKIP LOCKED).
    const runs = await Promise.all(Array.from({ length: 5 }, () => folds.foldAll(2)));
    expect(runs.reduce((n, r) => n + r.events, 0)).toBeGreaterThanOrEqual(12);
    expect(await state()).toEqual({
      ...before,
      conversions: before.conversions + 12,
      revenue: String(BigInt(before.revenue) + 12_000n),
    });
    const maintenance = t.app.get(KpiMaintenanceRepository);
    expect(await maintenance.diffAgainstRaw(brand.id, p.programId)).toEqual([]);
  });

  it('a rebuild counts the queued events itself and drops them from the queue', async () => {
    for (let i = 0; i < 3; i++) await post(purchase(2_000));
    expect((await state()).queued).toBe(3);
    const maintenance = t.app.get(KpiMaintenanceRepository);
    await maintenance.rebuildProgram(brand.id, p.programId, 3);
    expect((await state()).queued).toBe(0);
    await foldKpis(t);
    expect(await maintenance.diffAgainstRaw(brand.id, p.programId)).toEqual([]);
  });

  it('folds what is queued when the service stops', async () => {
    const before = await state();
    const other = await startApp({ KPI_FOLD_INTERVAL_MS: '0', KPI_MAINTENANCE_INTERVAL_MS: '0' });
    const res = await other.request('POST', '/v1/events', { key: brand.key, body: purchase(500) });
    expect(res.status).toBe(201);
    expect((await state()).queued).toBe(1);
    await other.close();
    expect(await state()).toEqual({
      ...before,
      conversions: before.conversions + 1,
      revenue: String(BigInt(before.revenue) + 500n),
    });
  });

  it('folds on its timer within KPI_FOLD_INTERVAL_MS', async () => {
    const timed = await startApp({ KPI_FOLD_INTERVAL_MS: '50', KPI_MAINTENANCE_INTERVAL_MS: '0' });
    try {
      const before = await state();
      const res = await timed.request('POST', '/v1/events', { key: brand.key, body: purchase() });
      expect(res.status).toBe(201);
      let now = await state();
      for (let i = 0; i < 100 && now.queued > 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
        now = await state();
      }
      expect(now.conversions).toBe(before.conversions + 1);
    } finally {
      await timed.close();
    }
  });
});
