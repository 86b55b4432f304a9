/**
 * Generates the README's KPI examples: the walkthrough program with one week of traffic.
 * Run: DATABASE_URL=… npx jest --runInBand --testRegex 'test/kpi-readme-demo.ts'
 */
import { writeFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { KpiMaintenanceJob } from '@/modules/analytics/kpi-maintenance.job';
import { ClickRepository, ClickRow } from '@/modules/tracking/click.repository';
import { ClickIdService } from '@/modules/tracking/click-id.service';
import { startApp, TestApp } from './helpers/app';
import { foldKpis } from './helpers/kpis';
import { AdvocateSetup, createAdvocate, createRule, sendEvent } from './helpers/event-factories';

let seed = 11;
const rnd = () => {
  seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0;
  return seed / 2 ** 32;
};
const HOUR = 3_600_000;
const WEEK_START = Date.parse('2026-11-16T00:00:00+01:00'); // a Monday in Paris
// Evening and lunchtime peaks, Paris time.
const HOUR_WEIGHTS = [
  1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 1.5, 2, 2, 2, 2.5, 4, 3.5, 2, 2, 2.5, 3, 4, 6, 8, 7, 4, 2,
];

function localTime(day: number): number {
  const total = HOUR_WEIGHTS.reduce((a, b) => a + b);
  let x = rnd() * total;
  let h = 0;
  while (x > HOUR_WEIGHTS[h]!) x -= HOUR_WEIGHTS[h++]!;
  return WEEK_START + day * 24 * HOUR + h * HOUR + Math.floor(rnd() * HOUR);
}

it('writes the README KPI examples', async () => {
  const t: TestApp = await startApp({
    REWARD_APPROVAL_INTERVAL_MS: '0',
    KPI_MAINTENANCE_INTERVAL_MS: '0',
  });
  const brand = await t.createBrand();
  const key = brand.key;
  const post = (path: string, body: unknown) => t.request('POST', path, { key, body });
  const program = (
    await post('/v1/programs', {
      name: 'Spring referrals',
      goal: 'conversion',
      currency: 'USD',
      landingUrl: 'https://shop.example.com/welcome',
      holdDays: 30,
      startsAt: '2026-11-01T00:00:00+01:00',
      endsAt: '2026-12-01T00:00:00+01:00',
      programCost: { amount: 300_000, currency: 'USD' },
    })
  ).body;
  for (const [k, channel, label] of [
    ['ig-story', 'instagram', 'Instagram story'],
    ['tiktok-bio', 'tiktok', 'TikTok bio link'],
    ['newsletter', 'email', 'E-mail to friends'],
  ]) {
    await post(`/v1/programs/${program.id}/ctas`, { key: k, channel, action: 'purchase', label });
  }
  await t.request('PATCH', `/v1/programs/${program.id}`, { key, body: { status: 'active' } });
  const p = { brand, programId: program.id, ctaIds: {} as Record<string, string> };
  const ctas = await t.request('GET', `/v1/programs/${program.id}/ctas`, { key });
  for (const c of ctas.body.data) p.ctaIds[c.key] = c.id;
  await createRule(t, p, {
    trigger: { event: 'purchase' },
    recipient: 'advocate',
    reward: { kind: 'cash', amount: 1000, currency: 'USD' },
  });
  await createRule(t, p, {
    trigger: { event: 'purchase' },
    recipient: 'friend',
    reward: { kind: 'credit', amount: 500, currency: 'USD' },
    conditions: { firstPurchaseOnly: true, minOrderAmount: 5000 },
  });
  // name, shares in the week, CTA mix, clicks per share, purchase chance per human click
  const profiles: [string, number, string[], number, number][] = [
    ['Jane Doe', 9, ['ig-story', 'ig-story', 'tiktok-bio'], 60, 0.03],
    ['Sam Lee', 2, ['newsletter', 'copy-link'], 25, 0.16],
    ['Priya Shah', 5, ['tiktok-bio'], 70, 0.02],
    ['Tom Berg', 12, ['ig-story', 'tiktok-bio'], 18, 0.002],
    ['Lena Vogt', 3, ['newsletter'], 20, 0.09],
  ];
  const ids = t.app.get(ClickIdService);
  const clicks: ClickRow[] = [];
  const purchases: { clickId: string; at: number }[] = [];
  const advocates: AdvocateSetup[] = [];
  for (const [name, shares, mix, perShare, rate] of profiles) {
    const a = await createAdvocate(t, p, { name });
    advocates.push(a);
    for (let s = 0; s < shares; s++) {
      const ctaKey = mix[Math.floor(rnd() * mix.length)]!;
      const day = Math.floor(rnd() * 5);
      const sharedAt = localTime(day);
      const reach =
        ctaKey === 'newsletter' || ctaKey === 'copy-link'
          ? undefined
          : 800 + Math.floor(rnd() * 4000);
      await post('/v1/shares', {
        code: a.code,
        ctaKey,
        sharedAt: new Date(sharedAt).toISOString(),
        ...(reach ? { reach, impressions: Math.floor(reach * 2.4) } : {}),
      });
      const link = a.links.find((l) => l.ctaKey === ctaKey)!;
      const n = Math.floor(perShare * (0.5 + rnd()));
      for (let i = 0; i < n; i++) {
        const d = Math.min(6, day + Math.floor(-Math.log(1 - rnd()) * 0.8));
        const at = Math.max(sharedAt, localTime(d));
        const isBot = rnd() < 0.06;
        const row: ClickRow = {
          id: ids.signClickId(link.id, at),
          brandId: brand.id,
          programId: program.id,
          ctaId: p.ctaIds[ctaKey]!,
          advocateId: a.id,
          linkId: link.id,
          channel: ctas.body.data.find((c: any) => c.key === ctaKey).channel,
          clickedAt: at,
          referrerHost: null,
          uaFamily: isBot ? 'bot' : 'Safari',
          isBot,
          isFirstVisit: true,
          visitorHash: isBot
            ? 'bot'
            : `v${Math.floor(rnd() * 900)}-${Math.floor(at / (24 * HOUR))}`,
        };
        clicks.push(row);
        if (!isBot && rnd() < rate)
          purchases.push({ clickId: row.id, at: at + Math.floor(rnd() * 3 * HOUR) });
      }
    }
  }
  await t.app.get(ClickRepository).insertMany(clicks);
  let n = 0;
  const orders: { id: string; amount: number }[] = [];
  for (const pu of purchases) {
    n += 1;
    const amount = 3500 + Math.floor(rnd() * 140) * 100;
    const order = { id: `ord_${1000 + n}`, amount, currency: 'USD' };
    orders.push(order);
    await sendEvent(t, brand, {
      id: `evt_${1000 + n}`,
      type: 'purchase',
      occurredAt: new Date(Math.min(pu.at, Date.parse('2026-11-22T23:00:00Z'))).toISOString(),
      customer: { id: `cus_${2000 + n}` },
      order,
      clickId: pu.clickId,
    });
  }
  // Two refunds: one whole order, one half.
  await sendEvent(t, brand, {
    id: 'evt_r1',
    type: 'refund',
    occurredAt: '2026-11-24T10:00:00Z',
    order: orders[2],
  });
  await sendEvent(t, brand, {
    id: 'evt_r2',
    type: 'refund',
    occurredAt: '2026-11-24T11:00:00Z',
    order: { ...orders[5]!, amount: Math.floor(orders[5]!.amount / 2) },
  });
  await t.app
    .get(DataSource)
    .query('UPDATE enrollments SET created_at = $2 WHERE program_id = $1', [
      program.id,
      '2026-11-02T00:00:00Z',
    ]);
  await t.app.get(KpiMaintenanceJob).runOnce();
  await foldKpis(t);
  const q = 'from=2026-11-16&to=2026-11-23&timezone=Europe/Paris';
  const out: Record<string, unknown> = {};
  out.summary = (await t.request('GET', `/v1/programs/${program.id}/kpis?${q}`, { key })).body;
  out.channels = (
    await t.request(
      'GET',
      `/v1/programs/${program.id}/kpis/breakdown?by=channel&sort=revenue&${q}`,
      { key },
    )
  ).body;
  out.channelsCsv = (
    await t.request(
      'GET',
      `/v1/programs/${program.id}/kpis/breakdown?by=channel&sort=revenue&${q}&format=csv`,
      { key },
    )
  ).text;
  out.advocates = (
    await t.request(
      'GET',
      `/v1/programs/${program.id}/kpis/breakdown?by=advocate&sort=conversionsPerShare&${q}`,
      { key },
    )
  ).body;
  out.heatmap = (
    await t.request('GET', `/v1/programs/${program.id}/kpis/heatmap?metric=clicks&${q}`, { key })
  ).body;
  out.series = (
    await t.request('GET', `/v1/programs/${program.id}/kpis/timeseries?interval=day&${q}`, { key })
  ).body;
  out.advocateNames = advocates.map((a) => a.id);
  writeFileSync('/tmp/kpi-readme-demo.json', JSON.stringify(out, null, 2));
  await t.close();
});
