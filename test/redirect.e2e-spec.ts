import { DataSource } from 'typeorm';
import { startApp, TestApp } from './helpers/app';
import { seedLink, SeededLink } from './helpers/factories';
import { KpiMaintenanceRepository } from '@/modules/analytics/kpi-maintenance.repository';
import { ClickIdService } from '@/modules/tracking/click-id.service';
import { LinkCache } from '@/modules/tracking/link-cache';
import { LinkStatsRepository } from '@/modules/tracking/link-stats.repository';

const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const INSTAGRAM =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 300.0.0.13.109 (iPhone14,2; iOS 17_0; en_US; en-US; scale=3.00; 1170x2532; 515200000)';
const FACEBOOK_UNFURLER =
  'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)';

interface ClickDbRow {
  id: string;
  brand_id: string;
  program_id: string;
  cta_id: string;
  advocate_id: string;
  link_id: string;
  channel: string;
  clicked_at: Date;
  referrer_host: string | null;
  ua_family: string;
  is_bot: boolean;
  is_first_visit: boolean;
  visitor_hash: string;
}

describe('tracked-link redirect', () => {
  let t: TestApp;
  let db: DataSource;
  let brandId: string;
  let ip = 10;
  // Each visit comes from its own address unless a test says otherwise (trustProxy is on).
  const nextIp = () => `198.51.100.${ip++}`;

  const visit = (
    slug: string,
    options: { ua?: string; ip?: string; referer?: string; method?: string } = {},
  ) =>
    t.request(options.method ?? 'GET', `/r/${slug}`, {
      headers: {
        'user-agent': options.ua ?? IPHONE,
        'x-forwarded-for': options.ip ?? nextIp(),
        ...(options.referer ? { referer: options.referer } : {}),
      },
    });

  const clicksOf = (linkId: string): Promise<ClickDbRow[]> =>
    db.query('SELECT * FROM clicks WHERE link_id = $1 ORDER BY clicked_at, id', [linkId]);

  /** Polls until the link has `count` click rows (the writer flushes every 50 ms). */
  async function waitForClicks(linkId: string, count: number, timeoutMs = 2000) {
    const started = Date.now();
    for (;;) {
      const rows = await clicksOf(linkId);
      if (rows.length >= count || Date.now() - started > timeoutMs) return rows;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** Long enough for any buffered click to have been written. */
  const settle = () => new Promise((r) => setTimeout(r, 400));

  beforeAll(async () => {
    t = await startApp();
    db = t.app.get(DataSource);
    brandId = (await t.createBrand()).id;
  });
  afterAll(() => t.close());

  it('redirects a friend to the landing URL with ref, UTM parameters and a signed click id', async () => {
    const link = await seedLink(db, brandId, {
      programLandingUrl: 'https://shop.example.com/welcome?lang=fr&utm_source=newsletter#offer',
      ctaKey: 'ig-story',
      channel: 'instagram',
      code: 'anna2026x',
    });
    const started = Date.now();
    const res = await visit(link.slug);
    expect(res.status).toBe(302);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const location = res.headers.get('location')!;
    const url = new URL(location);
    expect(url.origin + url.pathname).toBe('https://shop.example.com/welcome');
    expect(url.hash).toBe('#offer');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      lang: 'fr',
      ref: 'ANNA2026X',
      utm_source: 'instagram',
      utm_medium: 'referral',
      utm_campaign: link.programId,
      utm_content: 'ig-story',
      tclid: expect.any(String),
    });
    expect(url.searchParams.get('tclid')!.length).toBeLessThanOrEqual(64);

    // the click id is self-describing: the link and the click time, signed
    const verified = t.app.get(ClickIdService).verifyClickId(url.searchParams.get('tclid')!);
    expect(verified?.linkId).toBe(link.linkId);
    expect(verified!.clickedAt.getTime()).toBeGreaterThanOrEqual(started - 5);
    expect(verified!.clickedAt.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('records the click within a second, with the link, CTA, channel and visitor hash but no IP', async () => {
    const link = await seedLink(db, brandId, { channel: 'tiktok' });
    const started = Date.now();
    const res = await visit(link.slug, {
      ip: '203.0.113.77',
      ua: INSTAGRAM,
      referer: 'https://l.instagram.com/?u=https%3A%2F%2Flinks.test%2Fr%2Fx&e=AT0',
    });
    const clickId = new URL(res.headers.get('location')!).searchParams.get('tclid');
    const rows = await waitForClicks(link.linkId, 1, 1000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: clickId,
      brand_id: brandId,
      program_id: link.programId,
      cta_id: link.ctaId,
      advocate_id: link.advocateId,
      link_id: link.linkId,
      channel: 'tiktok',
      referrer_host: 'l.instagram.com',
      ua_family: 'Instagram in-app',
      is_bot: false,
      is_first_visit: true,
      visitor_hash: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
    });
    expect(JSON.stringify(rows[0])).not.toContain('203.0.113');
    const stats = await t.app.get(LinkStatsRepository).statsForLinks(brandId, [link.linkId]);
    expect(stats.get(link.linkId)).toEqual({ clicks: 1, uniqueVisitors: 1, shares: 0 });
  });

  it('stores an odd referrer host verbatim (escaped in the batch insert)', async () => {
    const link = await seedLink(db, brandId);
    await visit(link.slug, { referer: 'https://we"ird\\host,{x}.example:8443/p?q=1' });
    await visit(link.slug);
    const rows = await waitForClicks(link.linkId, 2);
    expect(rows.map((r) => r.referrer_host).sort()).toEqual(
      ['we"ird\\host,{x}.example', null].sort(),
    );
  });

  it('uses the CTA landing URL over the program one', async () => {
    const link = await seedLink(db, brandId, {
      programLandingUrl: 'https://shop.example.com/welcome',
      ctaLandingUrl: 'https://shop.example.com/spring-sale?src=ig',
    });
    const url = new URL((await visit(link.slug)).headers.get('location')!);
    expect(url.pathname).toBe('/spring-sale');
    expect(url.searchParams.get('src')).toBe('ig');
    expect(url.searchParams.get('ref')).toBe(link.code);
  });

  it('sends a landing URL stored with non-ASCII characters percent-encoded, tracked or plain', async () => {
    // Landing URLs are made ASCII on input (ctas e2e); rows stored before that still redirect.
    const raw = 'https://shop.example.com/日本/été?q=€#señal';
    const link = await seedLink(db, brandId, { ctaLandingUrl: raw });
    const tracked = await visit(link.slug);
    expect(tracked.status).toBe(302);
    const location = tracked.headers.get('location')!;
    expect(location).toMatch(/^[\x21-\x7e]+$/);
    const url = new URL(location);
    expect(decodeURIComponent(url.pathname)).toBe('/日本/été');
    expect(url.searchParams.get('q')).toBe('€');
    expect(url.searchParams.get('ref')).toBe(link.code);
    expect(decodeURIComponent(url.hash)).toBe('#señal');
    expect(await waitForClicks(link.linkId, 1)).toHaveLength(1);

    await db.query(`UPDATE programs SET status = 'paused' WHERE id = $1`, [link.programId]);
    t.app.get(LinkCache).invalidateProgram(link.programId);
    const plain = await visit(link.slug);
    expect(plain.status).toBe(302);
    expect(plain.headers.get('location')).toBe(new URL(raw).href);
    expect((await t.request('GET', '/health')).status).toBe(200);
  });

  it('takes a trailing slash and a query string on the link, and echoes a valid X-Request-Id', async () => {
    const link = await seedLink(db, brandId);
    const res = await t.request('GET', `/r/${link.slug}/?fbclid=abc`, {
      headers: {
        'user-agent': IPHONE,
        'x-forwarded-for': nextIp(),
        'x-request-id': 'req-00000042',
      },
    });
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get('location')!).searchParams.get('tclid')).toBeTruthy();
    expect(res.headers.get('x-request-id')).toBe('req-00000042');
    expect(await waitForClicks(link.linkId, 1)).toHaveLength(1);
  });

  it('answers an unknown link with a small HTML 404 page', async () => {
    // a malformed percent-encoding and a slug past the router's 100 characters are refused by
    // Fastify itself before any route: a friend's browser still gets the page
    for (const slug of [
      'doesNotExist1',
      'has%20space',
      'x'.repeat(80),
      'x'.repeat(101),
      '%E0%A4%A',
      'abc%ZZ',
      '%',
    ]) {
      const res = await visit(slug);
      expect([slug, res.status]).toEqual([slug, 404]);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-request-id')).toBeTruthy();
      expect(res.text).toContain('Link not found');
      expect(res.text.length).toBeLessThan(2000);
      const head = await visit(slug, { method: 'HEAD' });
      expect([slug, head.status, head.text]).toEqual([slug, 404, '']);
    }
    // asked twice (the second from the negative cache), still a 404
    expect((await visit('doesNotExist1')).status).toBe(404);
  });

  it.each([
    ['a paused program', { programStatus: 'paused' as const }],
    ['an ended program', { programStatus: 'ended' as const }],
    ['a draft program', { programStatus: 'draft' as const }],
    ['a program that has not started', { startsAt: new Date(Date.now() + 86_400_000) }],
    ['a program past its end date', { endsAt: new Date(Date.now() - 60_000) }],
    ['a banned advocate', { advocateStatus: 'banned' as const }],
    ['a paused advocate', { advocateStatus: 'paused' as const }],
    ['an archived CTA', { ctaStatus: 'archived' as const }],
  ])('sends %s to the plain landing URL and counts nothing', async (_name, overrides) => {
    const link = await seedLink(db, brandId, {
      ...overrides,
      programLandingUrl: 'https://shop.example.com/welcome?lang=de',
    });
    const res = await visit(link.slug);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://shop.example.com/welcome?lang=de');
    await settle();
    expect(await clicksOf(link.linkId)).toHaveLength(0);
  });

  it('redirects bots and unfurlers the same way but never counts them', async () => {
    const link = await seedLink(db, brandId);
    const bot = await visit(link.slug, { ua: FACEBOOK_UNFURLER });
    const human = await visit(link.slug, { ua: IPHONE });
    const script = await visit(link.slug, { ua: 'curl/8.5.0' });
    for (const res of [bot, human, script]) {
      expect(res.status).toBe(302);
      expect(new URL(res.headers.get('location')!).searchParams.get('tclid')).toBeTruthy();
    }
    const rows = await waitForClicks(link.linkId, 3);
    const byFamily = Object.fromEntries(rows.map((r) => [r.ua_family, r]));
    expect(byFamily.bot).toMatchObject({ is_bot: true, is_first_visit: false });
    expect(byFamily.Safari).toMatchObject({ is_bot: false, is_first_visit: true });
    // curl is how brands test their links: counted as a person (documented)
    expect(byFamily.curl).toMatchObject({ is_bot: false });
    const stats = await t.app.get(LinkStatsRepository).statsForLinks(brandId, [link.linkId]);
    expect(stats.get(link.linkId)).toMatchObject({ clicks: 2, uniqueVisitors: 2 });
  });

  it('marks the same visitor on the same link within the window as a repeat', async () => {
    const link = await seedLink(db, brandId);
    const other = await seedLink(db, brandId);
    await visit(link.slug, { ip: '192.0.2.1' });
    await pause(2); // a repeat is a later millisecond (the same one counts as a first visit)
    await visit(link.slug, { ip: '192.0.2.1' }); // repeat
    await visit(link.slug, { ip: '192.0.2.2' }); // another person
    await visit(link.slug, { ip: '192.0.2.1', ua: INSTAGRAM }); // another browser
    await visit(other.slug, { ip: '192.0.2.1' }); // another link
    const rows = await waitForClicks(link.linkId, 4);
    // Clicks made within one millisecond have no stable order: compare per visitor instead.
    const flagsByVisitor = new Map<string, boolean[]>();
    for (const r of rows) {
      flagsByVisitor.set(r.visitor_hash, [
        ...(flagsByVisitor.get(r.visitor_hash) ?? []),
        r.is_first_visit,
      ]);
    }
    const flags = [...flagsByVisitor.values()].map((f) => [...f].sort().reverse());
    expect(flags.sort((a, b) => b.length - a.length)).toEqual([[true, false], [true], [true]]);
    expect((await waitForClicks(other.linkId, 1))[0]!.is_first_visit).toBe(true);
    const stats = await t.app.get(LinkStatsRepository).statsForLinks(brandId, [link.linkId]);
    expect(stats.get(link.linkId)).toMatchObject({ clicks: 4, uniqueVisitors: 3 });
  });

  it('keeps reach exact while repeat visits skip their visitor keys in the click flush', async () => {
    const a = await seedLink(db, brandId, { channel: 'instagram' });
    // the same advocate on another CTA and channel; another advocate on a third instagram CTA
    const b = await seedLink(db, brandId, {
      programId: a.programId,
      advocateId: a.advocateId,
      channel: 'tiktok',
    });
    const c = await seedLink(db, brandId, { programId: a.programId, channel: 'instagram' });
    const one = '192.0.2.50';
    const two = '192.0.2.51';
    const path: [SeededLink, string][] = [
      [a, one],
      [a, one], // repeat
      [b, one],
      [c, one],
      [a, one], // repeat
      [a, two],
      [c, two],
      [c, two], // repeat
    ];
    for (const [link, address] of path) {
      await visit(link.slug, { ip: address });
      await pause(2);
    }
    const rows: { is_first_visit: boolean }[] = [];
    for (let i = 0; i < 100 && rows.length < path.length; i++) {
      await pause(25);
      rows.splice(
        0,
        rows.length,
        ...(await db.query('SELECT is_first_visit FROM clicks WHERE program_id = $1', [
          a.programId,
        ])),
      );
    }
    expect(rows.filter((r) => !r.is_first_visit)).toHaveLength(3);

    const reach: Record<string, string>[] = await db.query(
      `SELECT grain, cta_id, channel, advocate_id, sum(reach_program)::int AS program,
              sum(reach_channel)::int AS channel_reach, sum(reach_cta)::int AS cta,
              sum(reach_advocate)::int AS advocate
         FROM kpi_rollups WHERE program_id = $1 AND grain IN ('c', 'd')
        GROUP BY 1, 2, 3, 4`,
      [a.programId],
    );
    const total = (grain: string, column: string, where: (r: Record<string, string>) => boolean) =>
      reach
        .filter((r) => r.grain === grain && where(r))
        .reduce((sum, r) => sum + Number(r[column]), 0);
    expect(total('c', 'program', () => true)).toBe(2);
    expect(total('c', 'channel_reach', (r) => r.channel === 'instagram')).toBe(2);
    expect(total('c', 'channel_reach', (r) => r.channel === 'tiktok')).toBe(1);
    expect(total('c', 'cta', (r) => r.cta_id === a.ctaId)).toBe(2);
    expect(total('c', 'cta', (r) => r.cta_id === b.ctaId)).toBe(1);
    expect(total('c', 'cta', (r) => r.cta_id === c.ctaId)).toBe(2);
    expect(total('d', 'advocate', (r) => r.advocate_id === a.advocateId)).toBe(2);
    expect(total('d', 'advocate', (r) => r.advocate_id === c.advocateId)).toBe(2);
    // and the rollups equal their recomputation from the raw clicks
    expect(await t.app.get(KpiMaintenanceRepository).diffAgainstRaw(brandId, a.programId)).toEqual(
      [],
    );
  });

  it('rejects a tampered or forged click id', async () => {
    const link = await seedLink(db, brandId);
    const clickIds = t.app.get(ClickIdService);
    const tclid = new URL((await visit(link.slug)).headers.get('location')!).searchParams.get(
      'tclid',
    )!;
    expect(clickIds.verifyClickId(tclid)?.linkId).toBe(link.linkId);
    const flipped = tclid.slice(0, 10) + (tclid[10] === 'a' ? 'b' : 'a') + tclid.slice(11);
    expect(clickIds.verifyClickId(flipped)).toBeNull();
    expect(clickIds.verifyClickId(tclid.slice(0, -2))).toBeNull();
    expect(clickIds.verifyClickId('lnk_made_up_by_someone')).toBeNull();
  });

  it('answers HEAD with the same redirect without counting a click', async () => {
    const link = await seedLink(db, brandId);
    const head = await visit(link.slug, { method: 'HEAD' });
    expect(head.status).toBe(302);
    expect(head.headers.get('cache-control')).toBe('no-store');
    const url = new URL(head.headers.get('location')!);
    expect(url.searchParams.get('ref')).toBe(link.code);
    expect(url.searchParams.get('tclid')).toBeTruthy();
    expect((await visit('noSuchSlug42', { method: 'HEAD' })).status).toBe(404);
    await settle();
    expect(await clicksOf(link.linkId)).toHaveLength(0);
  });

  it('uses a changed CTA landing URL right after the cache is invalidated', async () => {
    const link = await seedLink(db, brandId, { ctaLandingUrl: 'https://shop.example.com/old' });
    expect(new URL((await visit(link.slug)).headers.get('location')!).pathname).toBe('/old');
    await db.query('UPDATE ctas SET landing_url = $2 WHERE id = $1', [
      link.ctaId,
      'https://shop.example.com/new?x=1',
    ]);
    // cached: the change is not seen until the owner of the change invalidates
    expect(new URL((await visit(link.slug)).headers.get('location')!).pathname).toBe('/old');
    t.app.get(LinkCache).invalidateCta(link.ctaId);
    const url = new URL((await visit(link.slug)).headers.get('location')!);
    expect(url.pathname).toBe('/new');
    expect(url.searchParams.get('x')).toBe('1');
  });

  it.each([
    ['a program', (c: LinkCache, l: SeededLink) => c.invalidateProgram(l.programId)],
    ['an advocate', (c: LinkCache, l: SeededLink) => c.invalidateAdvocate(l.advocateId)],
    ['a slug', (c: LinkCache, l: SeededLink) => c.invalidateSlug(l.slug)],
  ])('stops tracking at once when %s change is invalidated', async (what, invalidate) => {
    const link = await seedLink(db, brandId);
    expect(new URL((await visit(link.slug)).headers.get('location')!).search).toContain('tclid=');
    if (what === 'an advocate')
      await db.query(`UPDATE advocates SET status = 'banned' WHERE id = $1`, [link.advocateId]);
    else await db.query(`UPDATE programs SET status = 'paused' WHERE id = $1`, [link.programId]);
    invalidate(t.app.get(LinkCache), link);
    expect((await visit(link.slug)).headers.get('location')).toBe(
      'https://shop.example.com/welcome',
    );
  });

  it('keeps per-link stats per brand', async () => {
    const link = await seedLink(db, brandId);
    await visit(link.slug);
    await waitForClicks(link.linkId, 1);
    const otherBrand = await t.createBrand();
    const stats = await t.app.get(LinkStatsRepository).statsForLinks(otherBrand.id, [link.linkId]);
    expect(stats.get(link.linkId)).toEqual({ clicks: 0, uniqueVisitors: 0, shares: 0 });
  });

  it('is never rate limited: one post can send thousands of friends from one network', async () => {
    const link = await seedLink(db, brandId);
    const limited = await startApp({ RATE_LIMIT_PER_MINUTE: '3' });
    try {
      for (let i = 0; i < 8; i++) {
        const res = await fetch(`${limited.baseUrl}/r/${link.slug}`, {
          redirect: 'manual',
          headers: { 'user-agent': IPHONE, 'x-forwarded-for': '192.0.2.200' },
        });
        expect(res.status).toBe(302);
      }
    } finally {
      await limited.close();
    }
  });

  it('writes buffered clicks on a clean shutdown', async () => {
    const link = await seedLink(db, brandId);
    const other = await startApp();
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        fetch(`${other.baseUrl}/r/${link.slug}`, {
          redirect: 'manual',
          headers: { 'user-agent': IPHONE, 'x-forwarded-for': `192.0.2.${100 + i}` },
        }),
      ),
    );
    expect(responses.every((r) => r.status === 302)).toBe(true);
    await other.close(); // at once: most clicks are still in the buffer
    expect(await clicksOf(link.linkId)).toHaveLength(40);
  });
});
