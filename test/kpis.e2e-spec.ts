import { parse } from 'csv-parse/sync';
import { DataSource } from 'typeorm';
import { flattenRow } from '@/modules/analytics/kpi-csv';
import { deriveKpis, emptyTotals } from '@/modules/analytics/kpi-math';
import { SORTABLE_KPIS } from '@/modules/analytics/kpi-breakdown.repository';
import type { ClickRow } from '@/modules/tracking/click.repository';
import { ClickRepository } from '@/modules/tracking/click.repository';
import { ClickIdService } from '@/modules/tracking/click-id.service';
import { Brand, startApp, TestApp } from './helpers/app';
import { foldKpis } from './helpers/kpis';
import {
  AdvocateSetup,
  createAdvocate,
  createProgram,
  createRule,
  markPaid,
  ProgramSetup,
  sendEvent,
  uniqueId,
} from './helpers/event-factories';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * One program whose every KPI is computed by hand below. Day D is yesterday (UTC), so its
 * clicks go through the incremental reach path. All times are UTC hours of D.
 *
 * Clicks (v = visitor): Anna ig-story 09:10 v1, 09:40 v1, 10:05 v2, 10:20 bot; Anna tt-signup
 * 11:00 v1; Ben ig-story 09:30 v3, 14:00 v1, 14:30 bot. Written in two flushes, out of order
 * (the second has earlier clicks, and repeats one of the first).
 * Shares: Anna ig-story 08:00 (reach 1000, impressions 4000), Anna ig-story 12:00, Ben tt-signup
 * 13:00 (500, 1000).
 * Events: p1 f1 via Anna's 09:10 click 09:50, 200.00; p2 f2 via Ben's 09:30 click 10:30, 100.00;
 * p3 f1 again 15:00 (sticks to Anna), 50.00; p4 f3 with Ben's code, no CTA, 16:00, 80.00;
 * g1 signup f4 via Anna's tt-signup click 11:30 (a signup CTA worth 5.00); g2 signup f5 via
 * Ben's 14:00 click 14:10; p1 sent twice. Rules: advocate 10.00 cash per purchase, friend 10 %
 * credit, advocate 50 points per signup (points cost nothing).
 * Afterwards: Ben's p2 reward is paid, then p2 is refunded in full (clawback; f2's credit is
 * reversed); p1 is refunded 50.00 (f1's credit shrinks by 5.00); f3's credit is rejected.
 * Program cost 1000.00 over 20 days (D−10 → D+10): 50.00 a day.
 */
describe('KPIs of a referral program', () => {
  let t: TestApp;
  let brand: Brand;
  let other: Brand;
  let p: ProgramSetup;
  let anna: AdvocateSetup;
  let ben: AdvocateSetup;
  let cleo: AdvocateSetup;
  const D = Math.floor((Date.now() - DAY) / DAY) * DAY;
  const at = (h: number, m = 0) => new Date(D + h * HOUR + m * 60_000);
  const day = (offset: number) => new Date(D + offset * DAY).toISOString();
  const base = () => `/v1/programs/${p.programId}/kpis`;
  const get = (path: string, key = brand.key) => t.request('GET', path, { key });

  beforeAll(async () => {
    t = await startApp({ REWARD_APPROVAL_INTERVAL_MS: '0', KPI_MAINTENANCE_INTERVAL_MS: '0' });
    brand = await t.createBrand();
    other = await t.createBrand();
    p = await createProgram(t, brand, {
      programCost: { amount: 100_000, currency: 'USD' },
      startsAt: day(-10),
      endsAt: day(10),
    });
    const cta = await t.request('POST', `/v1/programs/${p.programId}/ctas`, {
      key: brand.key,
      body: {
        key: 'tt-signup',
        channel: 'tiktok',
        action: 'signup',
        label: 'Sign up on TikTok',
        value: { amount: 500, currency: 'USD' },
      },
    });
    expect(cta.status).toBe(201);
    await createRule(t, p, {
      trigger: { event: 'purchase' },
      recipient: 'advocate',
      reward: { kind: 'cash', amount: 1000 },
    });
    await createRule(t, p, {
      trigger: { event: 'purchase' },
      recipient: 'friend',
      reward: { kind: 'credit', percent: 10 },
    });
    await createRule(t, p, {
      trigger: { event: 'signup' },
      recipient: 'advocate',
      reward: { kind: 'points', amount: 50 },
    });
    anna = await createAdvocate(t, p, { name: 'Anna' });
    ben = await createAdvocate(t, p, { name: 'Ben' });
    cleo = await createAdvocate(t, p, { name: 'Cleo' });
    // They joined well before D (the sharing component counts advocates enrolled by then).
    await t.app
      .get(DataSource)
      .query('UPDATE enrollments SET created_at = $2 WHERE program_id = $1', [
        p.programId,
        new Date(D - 5 * DAY),
      ]);

    const ids = t.app.get(ClickIdService);
    const click = (
      a: AdvocateSetup,
      ctaKey: string,
      when: Date,
      visitor: string,
      isBot = false,
    ): ClickRow => {
      const link = a.links.find((l) => l.ctaKey === ctaKey)!;
      return {
        id: ids.signClickId(link.id, when),
        brandId: brand.id,
        programId: p.programId,
        ctaId: ctaKey === 'tt-signup' ? cta.body.id : p.ctaIds['ig-story']!,
        advocateId: a.id,
        linkId: link.id,
        channel: ctaKey === 'tt-signup' ? 'tiktok' : 'instagram',
        clickedAt: when.getTime(),
        referrerHost: null,
        uaFamily: isBot ? 'bot' : 'Safari',
        isBot,
        isFirstVisit: true,
        visitorHash: isBot ? 'bot-visitor' : visitor,
      };
    };
    const c1 = click(anna, 'ig-story', at(9, 10), 'v1');
    const c2 = click(anna, 'ig-story', at(9, 40), 'v1');
    const c3 = click(anna, 'ig-story', at(10, 5), 'v2');
    const c4 = click(anna, 'ig-story', at(10, 20), '', true);
    const c5 = click(anna, 'tt-signup', at(11), 'v1');
    const c6 = click(ben, 'ig-story', at(9, 30), 'v3');
    const c7 = click(ben, 'ig-story', at(14), 'v1');
    const c8 = click(ben, 'ig-story', at(14, 30), '', true);
    const clicks = t.app.get(ClickRepository);
    await clicks.insertMany([c3, c4, c5, c7, c8]);
    await clicks.insertMany([c1, c2, c6, c3]);

    const share = async (a: AdvocateSetup, ctaKey: string, h: number, extra = {}) => {
      const res = await t.request('POST', '/v1/shares', {
        key: brand.key,
        body: { code: a.code, ctaKey, sharedAt: at(h).toISOString(), ...extra },
      });
      expect(res.status).toBe(201);
    };
    await share(anna, 'ig-story', 8, { reach: 1000, impressions: 4000 });
    await share(anna, 'ig-story', 12);
    await share(ben, 'tt-signup', 13, { reach: 500, impressions: 1000 });

    const event = async (body: Record<string, unknown>, status = 201) => {
      const res = await sendEvent(t, brand, { id: uniqueId('evt'), ...body });
      expect(res.status).toBe(status);
      return res.body;
    };
    const order = (amount: number) => ({ id: uniqueId('ord'), amount, currency: 'USD' });
    const p1 = {
      id: uniqueId('evt'),
      type: 'purchase',
      occurredAt: at(9, 50).toISOString(),
      customer: { id: uniqueId('f1') },
      order: order(20_000),
      clickId: c1.id,
    };
    const p1Answer = await event(p1);
    expect(p1Answer.attribution.advocateId).toBe(anna.id);
    await event(p1, 200); // a retry counts once
    const p2Order = order(10_000);
    const p2 = await event({
      type: 'purchase',
      occurredAt: at(10, 30).toISOString(),
      customer: { id: uniqueId('f2') },
      order: p2Order,
      clickId: c6.id,
    });
    const p3 = await event({
      type: 'purchase',
      occurredAt: at(15).toISOString(),
      customer: p1.customer,
      order: order(5_000),
    });
    expect(p3.attribution).toMatchObject({ advocateId: anna.id, channel: 'instagram' });
    const p4 = await event({
      type: 'purchase',
      occurredAt: at(16).toISOString(),
      customer: { id: uniqueId('f3') },
      order: order(8_000),
      code: ben.code,
    });
    expect(p4.attribution).toMatchObject({ advocateId: ben.id, ctaKey: null });
    await event({
      type: 'signup',
      occurredAt: at(11, 30).toISOString(),
      customer: { id: uniqueId('f4') },
      clickId: c5.id,
    });
    await event({
      type: 'signup',
      occurredAt: at(14, 10).toISOString(),
      customer: { id: uniqueId('f5') },
      clickId: c7.id,
    });

    const benP2 = p2.rewards.find((r: any) => r.recipient === 'advocate');
    await markPaid(t, benP2.id);
    await event({
      type: 'refund',
      occurredAt: at(19).toISOString(),
      order: { ...p2Order },
    });
    await event({
      type: 'refund',
      occurredAt: at(18).toISOString(),
      order: { ...p1.order, amount: 5_000 },
    });
    const f3Credit = p4.rewards.find((r: any) => r.recipient === 'friend');
    const rejected = await t.request('POST', `/v1/rewards/${f3Credit.id}/reject`, {
      key: brand.key,
      body: { reason: 'duplicate account' },
    });
    expect(rejected.status).toBe(200);
    await foldKpis(t);
  });
  afterAll(() => t.close());

  const DAY_D = () => `from=${encodeURIComponent(day(0))}&to=${encodeURIComponent(day(1))}`;

  it('summarises the day with every KPI computed by hand', async () => {
    const res = await get(`${base()}?${DAY_D()}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      programId: p.programId,
      name: 'Spring referral',
      goal: 'conversion',
      status: 'active',
      currency: 'USD',
      from: day(0),
      to: day(1),
      clicks: 6,
      botClicks: 2,
      reach: 3,
      shares: 3,
      reportedReach: 1500,
      impressions: 5000,
      ctr: 0.0012,
      signups: 2,
      conversions: 4,
      conversionRate: 1.333333,
      grossRevenue: 43_000,
      refunds: 15_000,
      revenue: 28_000,
      // p1 1000 + (2000 − 500), p2 paid then clawed back and reversed: 0, p3 1000 + 500,
      // p4 1000 + rejected 800.
      rewardCost: 5_000,
      programCost: 5_000,
      roi: 1.8,
      costPerAcquisition: 2_500,
      averageOrderValue: 7_000,
      newCustomers: 3,
      activeAdvocates: 2,
      kFactor: 1.5,
      ctaCompletions: 1,
      ctaValue: 500,
      conversionsPerShare: 1.333333,
      conversionsPerClick: 0.666667,
      enrolledAdvocates: 3,
      goalScore: {
        // reach 1.5/11.5, sharing 2/3, conversion 28500/38500; weights of the conversion goal.
        score: 66.5,
        reach: 0.1304,
        sharing: 0.6667,
        conversion: 0.7403,
        weights: { reach: 0.1, sharing: 0.2, conversion: 0.7 },
      },
    });
  });

  it('uses the program weights instead of the goal defaults when set', async () => {
    const patched = await t.request('PATCH', `/v1/programs/${p.programId}`, {
      key: brand.key,
      body: { kpiWeights: { reach: 1, sharing: 1, conversion: 0 } },
    });
    expect(patched.status).toBe(200);
    try {
      const res = await get(`${base()}?${DAY_D()}`);
      expect(res.body.goalScore).toEqual({
        score: 39.9, // (0.130435 + 0.666667) / 2
        reach: 0.1304,
        sharing: 0.6667,
        conversion: 0.7403,
        weights: { reach: 0.5, sharing: 0.5, conversion: 0 },
      });
    } finally {
      await t.request('PATCH', `/v1/programs/${p.programId}`, {
        key: brand.key,
        body: { kpiWeights: null },
      });
    }
  });

  it('breaks the day down by channel; a code without a CTA has no channel', async () => {
    const res = await get(`${base()}/breakdown?by=channel&sort=clicks&${DAY_D()}`);
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    const rows = res.body.data;
    expect(rows.map((r: any) => r.channel)).toEqual(['instagram', 'tiktok', null]);
    expect(rows[0]).toMatchObject({
      rank: 1,
      clicks: 5,
      botClicks: 2,
      reach: 3,
      shares: 2,
      reportedReach: 1000,
      impressions: 4000,
      signups: 1,
      conversions: 3,
      grossRevenue: 35_000,
      refunds: 15_000,
      revenue: 20_000,
      rewardCost: 4_000,
      programCost: null,
      roi: 4, // (20000 − 4000) / 4000: breakdowns carry no program cost
      newCustomers: 2,
      activeAdvocates: 2,
      kFactor: 1,
      ctaCompletions: 0,
    });
    expect(rows[1]).toMatchObject({
      rank: 2,
      clicks: 1,
      reach: 1,
      shares: 1,
      reportedReach: 500,
      impressions: 1000,
      signups: 1,
      conversions: 0,
      conversionRate: 0,
      rewardCost: 0, // points cost nothing
      roi: null,
      activeAdvocates: 2, // Anna was clicked, Ben shared
      ctaCompletions: 1,
      ctaValue: 500,
    });
    expect(rows[2]).toMatchObject({
      rank: 3,
      clicks: 0,
      conversions: 1,
      grossRevenue: 8_000,
      rewardCost: 1_000,
      newCustomers: 1,
      activeAdvocates: 0,
      kFactor: null,
      conversionRate: null,
    });
  });

  it('breaks the day down by CTA', async () => {
    const res = await get(`${base()}/breakdown?by=cta&sort=clicks&${DAY_D()}`);
    expect(
      res.body.data.map((r: any) => [r.ctaKey, r.channel, r.clicks, r.reach, r.conversions]),
    ).toEqual([
      ['ig-story', 'instagram', 5, 3, 3],
      ['tt-signup', 'tiktok', 1, 1, 0],
      [null, null, 0, 0, 1],
    ]);
  });

  it('ranks advocates by influence, not by volume (the leaderboard)', async () => {
    const res = await get(`${base()}/breakdown?by=advocate&sort=conversionsPerShare&${DAY_D()}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      expect.objectContaining({
        rank: 1,
        advocateId: ben.id,
        externalId: ben.externalId,
        advocateName: 'Ben',
        clicks: 2,
        botClicks: 1,
        reach: 2,
        shares: 1,
        conversions: 2,
        grossRevenue: 18_000,
        revenue: 8_000,
        signups: 1,
        newCustomers: 2,
        rewardCost: 1_000,
        activeAdvocates: 1,
        kFactor: 2,
        conversionsPerShare: 2,
        conversionsPerClick: 1,
      }),
      expect.objectContaining({
        rank: 2,
        advocateId: anna.id,
        advocateName: 'Anna',
        clicks: 4,
        botClicks: 1,
        reach: 2,
        shares: 2,
        reportedReach: 1000,
        impressions: 4000,
        conversions: 2,
        grossRevenue: 25_000,
        refunds: 5_000,
        revenue: 20_000,
        signups: 1,
        newCustomers: 1,
        ctaCompletions: 1,
        ctaValue: 500,
        rewardCost: 4_000,
        kFactor: 1,
        conversionsPerShare: 1,
        conversionsPerClick: 0.5,
      }),
    ]);
    // Cleo is enrolled but did nothing: not on the board.
    expect(res.body.data.map((r: any) => r.advocateId)).not.toContain(cleo.id);
  });

  it('sorts every breakdown by each KPI, both ways, nulls last, ties by key', async () => {
    for (const by of ['channel', 'advocate'] as const) {
      const all = (await get(`${base()}/breakdown?by=${by}&${DAY_D()}`)).body.data;
      const keyOf = (r: any) => (by === 'channel' ? (r.channel ?? '') : r.advocateId);
      for (const sort of SORTABLE_KPIS) {
        for (const order of ['asc', 'desc'] as const) {
          const res = await get(
            `${base()}/breakdown?by=${by}&sort=${sort}&order=${order}&${DAY_D()}`,
          );
          expect(res.status).toBe(200);
          const expected = [...all].sort((a, b) => {
            const [x, y] = [a[sort], b[sort]];
            if (x === null || y === null) {
              if (x !== y) return x === null ? 1 : -1;
            } else if (x !== y) return order === 'asc' ? x - y : y - x;
            return keyOf(a) < keyOf(b) ? -1 : 1;
          });
          expect([`${by} ${sort} ${order}`, res.body.data.map(keyOf)]).toEqual([
            `${by} ${sort} ${order}`,
            expected.map(keyOf),
          ]);
        }
      }
    }
  });

  it('pages the leaderboard with cursors, ranks continuing', async () => {
    const one = `${base()}/breakdown?by=channel&sort=reach&order=desc&limit=1&${DAY_D()}`;
    const first = await get(one);
    expect(first.body.data.map((r: any) => [r.rank, r.channel])).toEqual([[1, 'instagram']]);
    const second = await get(`${one}&cursor=${first.body.nextCursor}`);
    expect(second.body.data.map((r: any) => [r.rank, r.channel])).toEqual([[2, 'tiktok']]);
    const third = await get(`${one}&cursor=${second.body.nextCursor}`);
    expect(third.body.data.map((r: any) => [r.rank, r.channel])).toEqual([[3, null]]);
    expect(third.body.nextCursor).toBeNull();
    // A cursor only works with the sort it came from.
    const wrong = await get(
      `${base()}/breakdown?by=channel&sort=clicks&limit=1&cursor=${first.body.nextCursor}`,
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details).toEqual([
      { field: 'cursor', issue: 'belongs to another by, sort or order; start without it' },
    ]);
    // Nor with another period or brand's program: rows would be skipped and ranks made up
    // (another program of the same brand: query-parameters.e2e-spec.ts, which owns its brand)
    const stranger = await t.createBrand();
    const foreign = await createProgram(t, stranger, { name: 'Foreign leaderboard' });
    const cursor = `by=channel&sort=reach&order=desc&limit=1&cursor=${first.body.nextCursor}`;
    for (const [path, key] of [
      [
        `${base()}/breakdown?${cursor}&from=${encodeURIComponent(day(-1))}&to=${encodeURIComponent(day(1))}`,
        brand.key,
      ],
      [`${base()}/breakdown?${cursor}&${DAY_D()}&timezone=Asia/Tokyo`, brand.key],
      [`/v1/programs/${foreign.programId}/kpis/breakdown?${cursor}&${DAY_D()}`, stranger.key],
    ]) {
      const res = await t.request('GET', path, { key });
      expect([path, res.status, res.body.error?.details]).toEqual([
        path,
        400,
        [
          {
            field: 'cursor',
            issue:
              'belongs to another program or period: send the from, to and timezone of the page it came from',
          },
        ],
      ]);
    }
  });

  it("ranks a program's advocates by any KPI in GET /v1/advocates, idle ones as zeros", async () => {
    const board = (await get(`${base()}/breakdown?by=advocate&limit=500&${DAY_D()}`)).body.data;
    // Cleo is enrolled and did nothing: on the list with the KPIs of empty sums.
    const idle = { advocateId: cleo.id, ...deriveKpis(emptyTotals(), null) };
    const everyone = [...board, idle];
    const list = `/v1/advocates?program=${p.programId}&limit=500&${DAY_D()}`;
    for (const sort of SORTABLE_KPIS) {
      for (const order of ['asc', 'desc'] as const) {
        const res = await get(`${list}&sort=${sort}&order=${order}`);
        expect(res.status).toBe(200);
        const expected = [...everyone].sort((a: any, b: any) => {
          const [x, y] = [a[sort], b[sort]];
          if (x === null || y === null) {
            if (x !== y) return x === null ? 1 : -1;
          } else if (x !== y) return order === 'asc' ? x - y : y - x;
          return a.advocateId < b.advocateId ? -1 : 1;
        });
        expect([`${sort} ${order}`, res.body.data.map((a: any) => a.id)]).toEqual([
          `${sort} ${order}`,
          expected.map((r: any) => r.advocateId),
        ]);
      }
    }
    // Highest first by default; the other filters still apply.
    const top = await get(`/v1/advocates?program=${p.programId}&sort=revenue&${DAY_D()}`);
    expect(top.body.data.map((a: any) => a.name)).toEqual(['Anna', 'Ben', 'Cleo']);
    const named = await get(`${list}&sort=revenue&search=ben`);
    expect(named.body.data.map((a: any) => a.name)).toEqual(['Ben']);
    // The default period is the last 30 days, which hold day D.
    const recent = await get(`/v1/advocates?program=${p.programId}&sort=clicks`);
    expect(recent.body.data.map((a: any) => a.name)).toEqual(['Anna', 'Ben', 'Cleo']);
    // A period without activity: everyone ties at zero, in id order.
    const quiet = await get(
      `/v1/advocates?program=${p.programId}&sort=clicks&from=${day(-5)}&to=${day(-4)}`,
    );
    expect(quiet.body.data.map((a: any) => a.id)).toEqual(
      [anna.id, ben.id, cleo.id].sort((a, b) => (a < b ? -1 : 1)),
    );
    // Another brand's program lists no one.
    const foreign = await get(`/v1/advocates?program=${p.programId}&sort=clicks`, other.key);
    expect([foreign.status, foreign.body.data]).toEqual([200, []]);
  });

  it('pages the advocates ranked by a KPI with cursors, through ties and missing values', async () => {
    for (const sort of ['conversionsPerShare', 'signups'] as const) {
      const q = `/v1/advocates?program=${p.programId}&sort=${sort}&${DAY_D()}`;
      const whole = (await get(`${q}&limit=500`)).body.data.map((a: any) => a.id);
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const res: any = await get(`${q}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        paged.push(...res.body.data.map((a: any) => a.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect([sort, paged]).toEqual([sort, whole]);
      expect(whole).toHaveLength(3);
    }
    const first = await get(`/v1/advocates?program=${p.programId}&sort=clicks&limit=1&${DAY_D()}`);
    for (const other of [
      `sort=reach&${DAY_D()}`,
      `sort=clicks&order=asc&${DAY_D()}`,
      `sort=clicks&from=${encodeURIComponent(day(-1))}&to=${encodeURIComponent(day(1))}`,
      'sort=name',
    ]) {
      const res = await get(
        `/v1/advocates?program=${p.programId}&${other}&limit=1&cursor=${first.body.nextCursor}`,
      );
      expect([other, res.status, res.body.error.details.map((d: any) => d.field)]).toEqual([
        other,
        400,
        ['cursor'],
      ]);
    }
  });

  it('refuses a KPI sort without a program, and a period without a KPI sort', async () => {
    const cases: [string, string, string][] = [
      ['sort=clicks', 'program', 'is required when sort is a KPI (KPIs are kept per program)'],
      [`sort=name&from=${day(0)}`, 'from', 'applies only when sort is a KPI'],
      ['to=2026-01-01', 'to', 'applies only when sort is a KPI'],
      ['timezone=UTC', 'timezone', 'applies only when sort is a KPI'],
      [`program=${p.programId}&sort=clicks&timezone=Mars/Base`, 'timezone', expect.any(String)],
      [`program=${p.programId}&sort=clicks&from=2026-02-30`, 'from', expect.any(String)],
      [`program=${p.programId}&sort=goalScore`, 'sort', expect.any(String)],
    ] as any;
    for (const [query, field, issue] of cases) {
      const res = await get(`/v1/advocates?${query}`);
      expect([query, res.status, res.body.error.details]).toEqual([query, 400, [{ field, issue }]]);
    }
  });

  it('fills a daily series with zeros; its buckets add up to the summary', async () => {
    const res = await get(
      `${base()}/timeseries?interval=day&from=${encodeURIComponent(day(-1))}&to=${encodeURIComponent(day(2))}`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ interval: 'day', timezone: 'UTC', currency: 'USD' });
    const data = res.body.data;
    expect(data.map((b: any) => [b.date, b.start, b.end])).toEqual([
      [day(-1).slice(0, 10), day(-1), day(0)],
      [day(0).slice(0, 10), day(0), day(1)],
      [day(1).slice(0, 10), day(1), day(2)],
    ]);
    const summary = (await get(`${base()}?${DAY_D()}`)).body;
    const { programId, name, goal, status, currency, from, to, ...kpis } = summary;
    void [programId, name, goal, status, currency, from, to];
    expect(data[1]).toEqual({ date: data[1].date, start: day(0), end: day(1), ...kpis });
    // A zone on UTC's clock all year (its check, then the UTC-day path) buckets the same.
    const abidjan = await get(
      `${base()}/timeseries?interval=day&timezone=Africa/Abidjan&from=${encodeURIComponent(day(-1))}&to=${encodeURIComponent(day(2))}`,
    );
    expect(abidjan.body.data).toEqual(data);
    for (const empty of [data[0], data[2]]) {
      expect(empty).toMatchObject({
        clicks: 0,
        reach: 0,
        conversions: 0,
        revenue: 0,
        rewardCost: 0,
        programCost: 5_000,
        roi: -1,
        ctr: null,
        conversionRate: null,
        kFactor: null,
        activeAdvocates: 0,
      });
    }
  });

  it('buckets by the local day of the chosen time zone (Asia/Tokyo, UTC+9)', async () => {
    const d0 = day(0).slice(0, 10);
    const d1 = day(1).slice(0, 10);
    const res = await get(`${base()}/timeseries?timezone=Asia/Tokyo&from=${d0}&to=${d1}`);
    expect(res.status).toBe(200);
    // Local midnight of D in Tokyo is 15:00 UTC the day before.
    expect(res.body.from).toBe(new Date(D - 9 * HOUR).toISOString());
    expect(res.body.to).toBe(new Date(D + DAY - 9 * HOUR).toISOString());
    expect(res.body.data).toHaveLength(1);
    // 15:00 UTC and later is the next local day: p3 and p4 are not in it.
    expect(res.body.data[0]).toMatchObject({
      date: d0,
      clicks: 6,
      conversions: 2,
      grossRevenue: 30_000,
      activeAdvocates: 2,
    });
    const next = await get(
      `${base()}/timeseries?timezone=Asia/Tokyo&from=${d1}&to=${day(2).slice(0, 10)}`,
    );
    // p3, p4 fell here; nobody shared or was clicked in these hours.
    expect(next.body.data[0]).toMatchObject({
      date: d1,
      clicks: 0,
      conversions: 2,
      newCustomers: 1,
      activeAdvocates: 0,
      kFactor: null,
    });
  });

  it('breaks a day into local hours that add up to it', async () => {
    const series = async (q: string) => {
      const res = await get(`${base()}/timeseries?interval=hour&${q}`);
      expect(res.status).toBe(200);
      return res.body.data as any[];
    };
    const hours = await series(DAY_D());
    expect(hours).toHaveLength(24);
    expect(hours[9]).toMatchObject({
      date: `${day(0).slice(0, 10)}T09:00`,
      start: new Date(D + 9 * HOUR).toISOString(),
      end: new Date(D + 10 * HOUR).toISOString(),
    });
    const clicks = hours.filter((h) => h.clicks > 0).map((h) => [h.date.slice(11), h.clicks]);
    expect(clicks).toEqual([
      ['09:00', 3],
      ['10:00', 1],
      ['11:00', 1],
      ['14:00', 1],
    ]);
    const daily = (await get(`${base()}/timeseries?interval=day&${DAY_D()}`)).body.data[0];
    for (const k of [
      'clicks',
      'reach',
      'shares',
      'conversions',
      'grossRevenue',
      'rewardCost',
      'programCost',
    ]) {
      expect([k, hours.reduce((s, h) => s + h[k], 0)]).toEqual([k, daily[k]]);
    }
    // An advocate active in several hours counts in each of them, once per hour.
    expect(Math.max(...hours.map((h) => h.activeAdvocates))).toBeGreaterThan(0);
    expect(hours.every((h) => h.activeAdvocates <= daily.activeAdvocates)).toBe(true);
    // In Tokyo (UTC+9), 09:00 UTC is 18:00 local, labelled in local time.
    const tokyo = await series(`timezone=Asia/Tokyo&${DAY_D()}`);
    expect(tokyo.filter((h) => h.clicks > 0).map((h) => [h.date.slice(11), h.clicks])).toEqual([
      ['18:00', 3],
      ['19:00', 1],
      ['20:00', 1],
      ['23:00', 1],
    ]);
    expect(tokyo.map((h) => h.activeAdvocates)).toEqual(
      hours.map((h) => h.activeAdvocates).slice(0, 24),
    );
  });

  it('groups weeks and months in the time zone', async () => {
    for (const interval of ['week', 'month']) {
      const res = await get(
        `${base()}/timeseries?interval=${interval}&timezone=Asia/Tokyo&from=${encodeURIComponent(day(-20))}&to=${encodeURIComponent(day(20))}`,
      );
      expect(res.status).toBe(200);
      const total = res.body.data.reduce((s: number, b: any) => s + b.conversions, 0);
      expect([interval, total]).toEqual([interval, 4]);
      const cost = res.body.data.reduce((s: number, b: any) => s + b.programCost, 0);
      expect([interval, cost]).toEqual([interval, 100_000]); // the whole life, to the cent
    }
  });

  it('shows when the audience acts: weekday × hour in UTC and in other zones', async () => {
    const wd = ((new Date(D).getUTCDay() + 6) % 7) + 1; // ISO weekday of D
    const cells = async (q: string) => {
      const res = await get(`${base()}/heatmap?${q}&from=${day(-1)}&to=${day(3)}`);
      expect(res.status).toBe(200);
      expect(res.body.data).toHaveLength(168);
      return res.body.data
        .filter((c: any) => c.value > 0)
        .map((c: any) => [c.weekday, c.hour, c.value]);
    };
    expect(await cells('metric=clicks')).toEqual([
      [wd, 9, 3],
      [wd, 10, 1],
      [wd, 11, 1],
      [wd, 14, 1],
    ]);
    const next = (wd % 7) + 1;
    expect(await cells('metric=conversions&timezone=Asia/Tokyo')).toEqual(
      [
        [wd, 18, 1],
        [wd, 19, 1],
        [next, 0, 1],
        [next, 1, 1],
      ].sort((a, b) => a[0]! * 24 + a[1]! - (b[0]! * 24 + b[1]!)),
    );
    // +05:30: an UTC hour counts in the local hour it starts in (09:00 UTC = 14:30 local).
    expect(await cells('metric=clicks&timezone=Asia/Kolkata')).toEqual([
      [wd, 14, 3],
      [wd, 15, 1],
      [wd, 16, 1],
      [wd, 19, 1],
    ]);
  });

  it('answers zeros for an empty period', async () => {
    const res = await get(`${base()}?from=${day(5)}&to=${day(6)}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      clicks: 0,
      reach: 0,
      conversions: 0,
      revenue: 0,
      rewardCost: 0,
      programCost: 5_000,
      roi: -1,
      costPerAcquisition: null,
      averageOrderValue: null,
      kFactor: null,
    });
    const board = await get(`${base()}/breakdown?by=advocate&from=${day(5)}&to=${day(6)}`);
    expect(board.body).toMatchObject({ data: [], nextCursor: null });
    const csv = await get(`${base()}/breakdown?by=advocate&from=${day(5)}&to=${day(6)}&format=csv`);
    expect(csv.text.split('\n')[0]).toContain('rank,advocateId,externalId,advocateName,clicks');
  });

  it('lists every program of the brand side by side', async () => {
    const second = await createProgram(t, brand, { name: 'Quiet program', goal: 'awareness' });
    const res = await get(`/v1/kpis?${DAY_D()}`);
    expect(res.status).toBe(200);
    expect(res.body.data.map((r: any) => [r.programId, r.conversions, r.goal])).toEqual([
      [p.programId, 4, 'conversion'],
      [second.programId, 0, 'awareness'],
    ]);
    const own = (await get(`${base()}?${DAY_D()}`)).body;
    expect(res.body.data[0]).toEqual(own);
    expect(res.body.data[1].goalScore.weights).toEqual({
      reach: 0.45,
      sharing: 0.45,
      conversion: 0.1,
    });
    const theirs = await get(`/v1/kpis?${DAY_D()}`, other.key);
    expect(theirs.body.data).toEqual([]);
  });

  it('answers the same rows as CSV', async () => {
    const urls: [string, (body: any) => any[]][] = [
      [`${base()}?${DAY_D()}`, (b) => [b]],
      [`${base()}/timeseries?from=${day(-1)}&to=${day(2)}&timezone=Asia/Tokyo`, (b) => b.data],
      [`${base()}/breakdown?by=advocate&${DAY_D()}`, (b) => b.data],
      [`${base()}/breakdown?by=cta&${DAY_D()}`, (b) => b.data],
      [`${base()}/heatmap?metric=conversions&${DAY_D()}`, (b) => b.data],
      [`/v1/kpis?${DAY_D()}`, (b) => b.data],
    ];
    for (const [url, rowsOf] of urls) {
      const json = await get(url);
      const csv = await get(`${url}&format=csv`);
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename=".*\.csv"$/);
      const parsed = parse(csv.text, { columns: true }) as Record<string, string>[];
      const expected = rowsOf(json.body).map((r) =>
        Object.fromEntries(
          Object.entries(flattenRow(r)).map(([k, v]) => [k, v === null ? '' : String(v)]),
        ),
      );
      expect([url, parsed]).toEqual([url, expected]);
    }
    const paged = await get(`${base()}/breakdown?by=advocate&limit=1&format=csv&${DAY_D()}`);
    expect(paged.headers.get('x-next-cursor')).toBeTruthy();
  });

  it("answers 404 for another brand's program, exactly as for a missing one", async () => {
    for (const path of ['', '/timeseries', '/breakdown?by=advocate', '/heatmap']) {
      const sep = path.includes('?') ? '&' : '?';
      const theirs = await get(`${base()}${path}${sep}${DAY_D()}`, other.key);
      const missing = await get(
        `/v1/programs/prg_00000000000000000000/kpis${path}${sep}${DAY_D()}`,
        other.key,
      );
      expect([path, theirs.status, theirs.body]).toEqual([path, 404, missing.body]);
    }
  });

  it('needs the read scope', async () => {
    const keys = await t.request('POST', '/v1/api-keys', {
      key: brand.key,
      body: { name: 'tracking only', scopes: ['track'] },
    });
    const readKeys = await t.request('POST', '/v1/api-keys', {
      key: brand.key,
      body: { name: 'reports', scopes: ['read'] },
    });
    expect((await get(base(), keys.body.secret)).status).toBe(403);
    expect((await get(base(), readKeys.body.secret)).status).toBe(200);
  });

  it('documents the routes in OpenAPI, with the read scope and CSV', async () => {
    const doc = (await t.request('GET', '/docs-json')).body;
    for (const path of [
      '/v1/kpis',
      '/v1/programs/{id}/kpis',
      '/v1/programs/{id}/kpis/timeseries',
      '/v1/programs/{id}/kpis/breakdown',
      '/v1/programs/{id}/kpis/heatmap',
    ]) {
      const op = doc.paths[path]?.get;
      expect([path, op?.['x-scopes']]).toEqual([path, ['read']]);
      expect(Object.keys(op.responses['200'].content)).toEqual(['application/json', 'text/csv']);
    }
    const breakdown = doc.paths['/v1/programs/{id}/kpis/breakdown'].get.parameters;
    expect(breakdown.find((q: any) => q.name === 'sort').schema.enum).toContain('kFactor');
  });

  it('rejects bad parameters with a 400 naming the field', async () => {
    const cases: [string, string][] = [
      ['?from=yesterday', 'from'],
      ['?to=2026-02-30', 'to'],
      ['?from=2026-03-01T10:00:00', 'from'], // no offset
      ['?timezone=Mars/Olympus_Mons', 'timezone'],
      [`?from=${day(1)}&to=${day(0)}`, 'from'],
      ['?from=2023-01-01&to=2026-01-01', 'to'],
      ['?from=1970-01-01&to=1970-01-02', 'from'],
      ['?format=xml', 'format'],
      ['/timeseries?interval=minute', 'interval'],
      [`/timeseries?interval=hour&from=${day(-40)}&to=${day(0)}`, 'interval'],
      ['/heatmap?metric=shares', 'metric'],
      ['/breakdown?by=country', 'by'],
      ['/breakdown?sort=goalScore', 'sort'],
      ['/breakdown?sort=programCost', 'sort'],
      ['/breakdown?order=up', 'order'],
      ['/breakdown?limit=501', 'limit'],
      ['/breakdown?cursor=not-a-cursor', 'cursor'],
      ['?colour=red', 'colour'],
    ];
    for (const [query, field] of cases) {
      const res = await get(`${base()}${query}`);
      expect([query, res.status]).toEqual([query, 400]);
      expect([query, res.body.error.details.map((d: any) => d.field)]).toEqual([
        query,
        expect.arrayContaining([field]),
      ]);
    }
  });
});
