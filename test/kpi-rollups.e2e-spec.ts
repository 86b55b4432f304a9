import { DataSource } from 'typeorm';
import { rebuildKpis } from '@/cli/kpis-rebuild';
import { KpiMaintenanceJob } from '@/modules/analytics/kpi-maintenance.job';
import { KpiMaintenanceRepository } from '@/modules/analytics/kpi-maintenance.repository';
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
  uniqueId,
} from './helpers/event-factories';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A small seeded generator, so a failure can be replayed (the seed is in the test name). */
function random(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(items: T[]): T => items[Math.floor(next() * items.length)]!,
    chance: (p: number) => next() < p,
    shuffle: <T>(items: T[]): T[] => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
  };
}

const SEED = Number(process.env.KPI_TEST_SEED ?? Date.now() % 100_000);

describe(`KPI rollups equal a recomputation from raw rows (seed ${SEED})`, () => {
  let t: TestApp;
  let db: DataSource;
  let brand: Brand;
  let p: ProgramSetup;
  let advocates: AdvocateSetup[];
  const ctaIds: Record<string, { id: string; channel: string }> = {};
  const rnd = random(SEED);

  beforeAll(async () => {
    t = await startApp({ REWARD_APPROVAL_INTERVAL_MS: '0', KPI_MAINTENANCE_INTERVAL_MS: '0' });
    db = t.app.get(DataSource);
    brand = await t.createBrand();
    p = await createProgram(t, brand, { holdDays: 0 });
    for (const [key, channel, action, value] of [
      ['tt-signup', 'tiktok', 'signup', 300],
      ['yt-follow', 'youtube', 'follow', 100],
    ] as const) {
      const res = await t.request('POST', `/v1/programs/${p.programId}/ctas`, {
        key: brand.key,
        body: { key, channel, action, label: key, value: { amount: value, currency: 'USD' } },
      });
      expect(res.status).toBe(201);
    }
    const ctas = await t.request('GET', `/v1/programs/${p.programId}/ctas`, { key: brand.key });
    for (const c of ctas.body.data) ctaIds[c.key] = { id: c.id, channel: c.channel };
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
    await createRule(t, p, {
      trigger: { event: 'signup' },
      recipient: 'advocate',
      reward: { kind: 'cash', amount: 200 },
    });
    advocates = [];
    for (let i = 0; i < 4; i++) advocates.push(await createAdvocate(t, p, { name: `A${i}` }));
  });
  afterAll(() => t.close());

  const clickIds = () => t.app.get(ClickIdService);
  const maintenance = () => t.app.get(KpiMaintenanceRepository);

  function clickAt(when: number, visitor: string, isBot: boolean): ClickRow {
    const a = rnd.pick(advocates);
    const link = rnd.pick(a.links);
    const cta = ctaIds[link.ctaKey]!;
    return {
      id: clickIds().signClickId(link.id, when),
      brandId: brand.id,
      programId: p.programId,
      ctaId: cta.id,
      advocateId: a.id,
      linkId: link.id,
      channel: cta.channel as ClickRow['channel'],
      clickedAt: when,
      referrerHost: null,
      uaFamily: isBot ? 'bot' : 'Safari',
      isBot,
      isFirstVisit: true,
      visitorHash: isBot ? `bot-${rnd.int(1, 3)}` : `v${rnd.int(1, 25)}`,
    };
  }

  /** Like the click writer: a failed flush (a deadlock between instances) is retried whole. */
  async function flush(rows: ClickRow[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await t.app.get(ClickRepository).insertMany(rows);
      } catch (err) {
        if (attempt >= 5) throw err;
      }
    }
  }

  async function sendBatch(events: Record<string, unknown>[]): Promise<any[]> {
    const res = await t.request('POST', '/v1/events/batch', { key: brand.key, body: { events } });
    expect(res.status).toBe(200);
    for (const r of res.body.results)
      expect([r.status, r.error]).toEqual([expect.any(Number), undefined]);
    return res.body.results;
  }

  it('after clicks, shares, events and refunds arriving late, twice and concurrently', async () => {
    const now = Date.now();
    // Clicks: most in the last two days, some older than the kept visitor keys.
    const clicks: ClickRow[] = [];
    for (let i = 0; i < 300; i++) {
      const when = rnd.chance(0.8)
        ? now - rnd.int(1, 47 * 60) * 60_000
        : now - rnd.int(5 * 24 * 60, 9 * 24 * 60) * 60_000;
      clicks.push(clickAt(when, '', rnd.chance(0.1)));
    }
    const shuffled = rnd.shuffle(clicks);
    const batches: ClickRow[][] = [];
    for (let i = 0; i < shuffled.length;) {
      const size = rnd.int(1, 40);
      batches.push(shuffled.slice(i, i + size));
      i += size;
    }
    for (let i = 0; i < batches.length; i += 3) {
      // Three instances flushing at once, then a retried batch (all duplicates) and a few
      // duplicates mixed into a new one.
      await Promise.all(batches.slice(i, i + 3).map(flush));
      await flush(rnd.pick(batches.slice(0, i + 1)));
      if (i + 3 < batches.length) batches[i + 3]!.push(...rnd.shuffle(clicks).slice(0, 3));
    }

    // Shares, some with reported reach.
    for (let i = 0; i < 25; i++) {
      const a = rnd.pick(advocates);
      const res = await t.request('POST', '/v1/shares', {
        key: brand.key,
        body: {
          code: a.code,
          ctaKey: rnd.pick(a.links).ctaKey,
          sharedAt: new Date(now - rnd.int(0, 8 * 24 * 60) * 60_000).toISOString(),
          ...(rnd.chance(0.5) ? { reach: rnd.int(0, 5000), impressions: rnd.int(0, 9000) } : {}),
        },
      });
      expect(res.status).toBe(201);
    }

    // Events: a friend acts after a human click (or with a code), in random order.
    const human = clicks.filter((c) => !c.isBot);
    const events: Record<string, unknown>[] = [];
    const purchases: { order: { id: string; amount: number; currency: string }; at: number }[] = [];
    for (let i = 0; i < 90; i++) {
      const c = rnd.pick(human);
      const occurred = Math.min(now, c.clickedAt + rnd.int(1, 600) * 60_000);
      const type = rnd.pick(['purchase', 'purchase', 'signup', 'custom']);
      const byCode = rnd.chance(0.2);
      const a = advocates.find((x) => x.id === c.advocateId)!;
      const event: Record<string, unknown> = {
        id: uniqueId('evt'),
        type,
        occurredAt: new Date(occurred).toISOString(),
        customer: { id: `friend-${SEED}-${rnd.int(1, 30)}` },
        ...(byCode
          ? { code: a.code, ...(rnd.chance(0.5) ? { ctaKey: rnd.pick(a.links).ctaKey } : {}) }
          : { clickId: c.id }),
      };
      if (type === 'custom') event.name = 'follow';
      if (type === 'purchase') {
        const order = {
          id: uniqueId('ord'),
          amount: rnd.int(1000, 30_000),
          currency: rnd.chance(0.1) ? 'EUR' : 'USD',
        };
        event.order = order;
        purchases.push({ order, at: occurred });
      }
      events.push(event);
    }
    const sent: Record<string, unknown>[] = [];
    for (const e of rnd.shuffle(events)) {
      sent.push(e);
      if (rnd.chance(0.15)) sent.push(rnd.pick(sent)); // a retry, same body
    }
    for (let i = 0; i < sent.length;) {
      const size = rnd.int(1, 10);
      await sendBatch(sent.slice(i, i + size));
      i += size;
    }

    // Some rewards paid, some rejected; then refunds, partial or full, some twice.
    const rewards: { id: string; status: string }[] = await db.query(
      `SELECT id, status FROM rewards WHERE program_id = $1 ORDER BY id`,
      [p.programId],
    );
    for (const r of rewards) {
      if (rnd.chance(0.2)) await markPaid(t, r.id);
      else if (rnd.chance(0.1)) {
        await t.request('POST', `/v1/rewards/${r.id}/reject`, {
          key: brand.key,
          body: { reason: 'review' },
        });
      }
    }
    const refunds: Record<string, unknown>[] = [];
    for (const purchase of purchases) {
      if (!rnd.chance(0.35)) continue;
      // One refund, full or partial, or two: a partial one, then the rest or another part (a
      // refund never adds up to more than its order: that one is refused).
      const { amount } = purchase.order;
      const half = () => rnd.int(1, Math.floor(amount / 2));
      const first = rnd.chance(0.5) ? amount : half();
      const parts =
        first < amount && rnd.chance(0.5)
          ? [first, rnd.chance(0.5) ? amount - first : half()]
          : [first];
      for (const [k, part] of parts.entries()) {
        refunds.push({
          id: uniqueId('refund'),
          type: 'refund',
          occurredAt: new Date(Math.min(now, purchase.at + (k + 1) * HOUR)).toISOString(),
          order: { id: purchase.order.id, currency: purchase.order.currency, amount: part },
        });
      }
    }
    const refundsSent = refunds.flatMap((r) => (rnd.chance(0.2) ? [r, r] : [r]));
    for (let i = 0; i < refundsSent.length;) {
      const size = rnd.int(1, 5);
      await sendBatch(refundsSent.slice(i, i + size));
      i += size;
    }

    await foldKpis(t);
    const dirty: { n: string }[] = await db.query(
      'SELECT count(*)::text AS n FROM kpi_dirty_days WHERE program_id = $1',
      [p.programId],
    );
    expect(Number(dirty[0]!.n)).toBeGreaterThan(0); // old clicks wait for the job
    const run = await t.app.get(KpiMaintenanceJob).runOnce();
    expect(run.recomputedDays).toBeGreaterThan(0);

    expect(await maintenance().diffAgainstRaw(brand.id, p.programId)).toEqual([]);

    // The mix did exercise every path: moved reach keys, refunds, completions, new customers.
    const [mix]: Record<string, string>[] = await db.query(
      `SELECT (SELECT count(*) FROM kpi_visitors WHERE program_id = $1 AND prev_at IS NOT NULL)::int AS moved,
              sum(conversions)::int AS conversions, sum(refunds)::int AS refunds,
              sum(cta_completions)::int AS completions, sum(new_customers)::int AS new_customers,
              sum(shares)::int AS shares, sum(bot_clicks)::int AS bots
         FROM kpi_rollups WHERE program_id = $1 AND grain = 'c'`,
      [p.programId],
    );
    for (const v of Object.values(mix!)) expect(v).toBeGreaterThan(0);

    // And the check does see a difference.
    await db.query(
      `UPDATE kpi_rollups SET clicks = clicks + 1
        WHERE (tableoid, ctid) = (SELECT tableoid, ctid FROM kpi_rollups WHERE program_id = $1 AND grain = 'd' LIMIT 1)`,
      [p.programId],
    );
    const diff = await maintenance().diffAgainstRaw(brand.id, p.programId);
    expect(diff).toHaveLength(1);
    expect(Number(diff[0]!.stored!.clicks)).toBe(Number(diff[0]!.raw!.clicks) + 1);
    await db.query(
      `UPDATE kpi_rollups SET clicks = clicks - 1
        WHERE program_id = $1 AND grain = 'd' AND bucket = $2 AND cta_id = $3 AND advocate_id = $4`,
      [p.programId, diff[0]!.key.bucket, diff[0]!.key.ctaId, diff[0]!.key.advocateId],
    );
    expect(await maintenance().diffAgainstRaw(brand.id, p.programId)).toEqual([]);
  });

  it('the leaderboard from weekly, daily and hourly rows equals the sum of the hourly rows', async () => {
    const weekly: { n: string }[] = await db.query(
      `SELECT count(*)::text AS n FROM kpi_rollups WHERE program_id = $1 AND grain = 'w'`,
      [p.programId],
    );
    expect(Number(weekly[0]!.n)).toBeGreaterThan(0);
    const hourOf = (t: number) => Math.floor(t / HOUR) * HOUR;
    const end = hourOf(Date.now()) + HOUR;
    // Local midnights in Asia/Kolkata (UTC+5:30), rounded outward to whole hours as the API does.
    const kolkata = (daysAgo: number, up: boolean) => {
      const d = new Date(end - daysAgo * DAY);
      const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - 5.5 * HOUR;
      return up ? Math.ceil(midnight / HOUR) * HOUR : Math.floor(midnight / HOUR) * HOUR;
    };
    const periods: [number, number][] = [
      [end - 20 * DAY, end], // whole weeks, and days and hours on both sides
      [end - 20 * DAY - 7 * HOUR, end - 3 * DAY + 5 * HOUR],
      [end - 9 * DAY + 13 * HOUR, end - DAY], // at most one whole week
      [end - 6 * DAY - 5 * HOUR, end], // no whole week
      [end - 10 * HOUR, end], // no whole day
      [kolkata(15, false), kolkata(1, true)],
    ];
    for (let i = 0; i < 4; i++) {
      const from = end - rnd.int(1, 15 * 24) * HOUR;
      periods.push([from, Math.min(end, from + rnd.int(1, 12 * 24) * HOUR)]);
    }
    const fields = [
      ['clicks', 'clicks'],
      ['botClicks', 'bot_clicks'],
      ['reach', 'reach_advocate'],
      ['shares', 'shares'],
      ['reportedReach', 'shares_reach'],
      ['impressions', 'impressions'],
      ['signups', 'signups'],
      ['conversions', 'conversions'],
      ['grossRevenue', 'revenue'],
      ['refunds', 'refunds'],
      ['newCustomers', 'new_customers'],
      ['ctaCompletions', 'cta_completions'],
      ['ctaValue', 'cta_value'],
    ] as const;
    const nonZero = (r: Record<string, number>) => Object.values(r).some((v) => v !== 0);
    for (const [from, to] of periods) {
      const period = `from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`;
      const res = await t.request(
        'GET',
        `/v1/programs/${p.programId}/kpis/breakdown?by=advocate&limit=100&${period}`,
        { key: brand.key },
      );
      expect(res.status).toBe(200);
      const got = Object.fromEntries(
        res.body.data
          .map((r: any) => [r.advocateId, Object.fromEntries(fields.map(([f]) => [f, r[f]]))])
          .filter(([, r]: [string, Record<string, number>]) => nonZero(r)),
      );
      const hourly: Record<string, string>[] = await db.query(
        `SELECT advocate_id, ${fields.map(([f, c]) => `sum(${c})::text AS "${f}"`).join(', ')}
           FROM kpi_rollups
          WHERE program_id = $1 AND grain = 'h' AND bucket >= $2 AND bucket < $3
          GROUP BY advocate_id`,
        [p.programId, new Date(from), new Date(to)],
      );
      const want = Object.fromEntries(
        hourly
          .map((r) => [r.advocate_id!, Object.fromEntries(fields.map(([f]) => [f, Number(r[f])]))])
          .filter(([, r]) => nonZero(r as Record<string, number>)),
      );
      expect([period, got]).toEqual([period, want]);
    }
  });

  it('rebuilding the program from raw rows changes nothing', async () => {
    const period = `from=${new Date(Date.now() - 20 * DAY).toISOString()}&to=${new Date(Date.now() + HOUR).toISOString()}`;
    const kpis = async (path: string) =>
      (await t.request('GET', `/v1/programs/${p.programId}/kpis${path}`, { key: brand.key })).body;
    const before = [
      await kpis(`?${period}`),
      await kpis(`/breakdown?by=advocate&${period}`),
      await kpis(`/breakdown?by=channel&${period}`),
      await kpis(`/timeseries?interval=day&timezone=America/New_York&${period}`),
    ];
    expect(before[0].clicks).toBeGreaterThan(0);
    const written = await maintenance().rebuildProgram(brand.id, p.programId, 3);
    expect(written).toBeGreaterThan(0);
    expect(await maintenance().diffAgainstRaw(brand.id, p.programId)).toEqual([]);
    const after = [
      await kpis(`?${period}`),
      await kpis(`/breakdown?by=advocate&${period}`),
      await kpis(`/breakdown?by=channel&${period}`),
      await kpis(`/timeseries?interval=day&timezone=America/New_York&${period}`),
    ];
    expect(after).toEqual(before);
  });

  it('the operator check and rebuild (npm run kpis:rebuild) find the rollups exact', async () => {
    const lines: string[] = [];
    expect(
      await rebuildKpis(db, { programId: p.programId, check: true, keepDays: 3 }, (l) =>
        lines.push(l),
      ),
    ).toBe(0);
    expect(lines).toEqual(['the rollups equal a recomputation from the raw rows']);
    await db.query(
      `UPDATE kpi_rollups SET conversions = conversions + 1
        WHERE (tableoid, ctid) = (SELECT tableoid, ctid FROM kpi_rollups WHERE program_id = $1 AND grain = 'c' LIMIT 1)`,
      [p.programId],
    );
    expect(
      await rebuildKpis(db, { programId: p.programId, check: true, keepDays: 3 }, () => undefined),
    ).toBe(1);
    lines.length = 0;
    expect(
      await rebuildKpis(db, { programId: p.programId, check: false, keepDays: 3 }, (l) =>
        lines.push(l),
      ),
    ).toBe(0);
    expect(lines[0]).toMatch(/^rebuilt \d+ rollup rows of prg_/);
  });

  it('counts a click older than the kept visitor keys at once, and its reach after the job', async () => {
    const period = `from=${new Date(Date.now() - 20 * DAY).toISOString()}`;
    const summary = async () =>
      (await t.request('GET', `/v1/programs/${p.programId}/kpis?${period}`, { key: brand.key }))
        .body;
    const before = await summary();
    const late = clickAt(Date.now() - 10 * DAY, '', false);
    late.visitorHash = `late-visitor-${SEED}`;
    await flush([late]);
    const counted = await summary();
    expect(counted.clicks).toBe(before.clicks + 1);
    expect(counted.reach).toBe(before.reach); // not decided yet
    await t.app.get(KpiMaintenanceJob).runOnce();
    expect((await summary()).reach).toBe(before.reach + 1);
    expect(await maintenance().diffAgainstRaw(brand.id, p.programId)).toEqual([]);
  });

  it('prunes visitor keys of days the click flush no longer reads', async () => {
    await db.query(
      `INSERT INTO kpi_visitors (day, program_id, visitor_hash, dim, brand_id, first_at,
                                 first_click_id, cta_id, channel, advocate_id)
       VALUES ((now() AT TIME ZONE 'UTC')::date - 4, $1, 'old', 'p', $2, now() - interval '4 days',
               'x', '', '', '')`,
      [p.programId, brand.id],
    );
    const run = await t.app.get(KpiMaintenanceJob).runOnce();
    expect(run.prunedVisitorKeys).toBeGreaterThanOrEqual(1);
    const left: unknown[] = await db.query(
      `SELECT 1 FROM kpi_visitors WHERE day < (now() AT TIME ZONE 'UTC')::date - 3`,
    );
    expect(left).toEqual([]);
    const kept: { n: string }[] = await db.query(
      `SELECT count(*)::text AS n FROM kpi_visitors WHERE program_id = $1`,
      [p.programId],
    );
    expect(Number(kept[0]!.n)).toBeGreaterThan(0); // recent days stay
  });
});
