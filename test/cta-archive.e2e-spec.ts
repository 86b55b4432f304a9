import { Brand, startApp, TestApp } from './helpers/app';
import {
  AdvocateSetup,
  clickLink,
  createAdvocate,
  createProgram,
  createRule,
  ProgramSetup,
  purchaseEvent,
  sendEvent,
  signClick,
} from './helpers/event-factories';
import { eventually } from './helpers/webhook-receiver';

const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1';

describe('archiving a CTA', () => {
  let t: TestApp;
  let brand: Brand;
  let p: ProgramSetup;
  let anna: AdvocateSetup;
  const cta = (key: string) => `/v1/programs/${p.programId}/ctas/${p.ctaIds[key]}`;
  const archive = (key: string, status: 'archived' | 'active') =>
    t.request('PATCH', cta(key), { key: brand.key, body: { status } });
  const visit = (a: AdvocateSetup, ctaKey: string) =>
    t.request('GET', `/r/${a.links.find((l) => l.ctaKey === ctaKey)!.slug}`, {
      headers: { 'user-agent': IPHONE },
    });
  const linkStats = async (a: AdvocateSetup) =>
    (await t.request('GET', `/v1/advocates/${a.id}/links`, { key: brand.key })).body.data as any[];

  beforeAll(async () => {
    t = await startApp();
    brand = await t.createBrand();
    p = await createProgram(t, brand, {}, [
      ['ig-story', 'instagram'],
      ['tt-video', 'tiktok'],
    ]);
    await createRule(t, p, {
      trigger: { event: 'purchase' },
      recipient: 'advocate',
      reward: { kind: 'cash', amount: 1000 },
    });
    anna = await createAdvocate(t, p, { name: 'Anna' });
  });
  afterAll(() => t.close());

  it('stops tracking its links, handing them out and taking shares; active brings it back', async () => {
    const before = await clickLink(t, anna, 'ig-story');
    const signedBefore = signClick(t, anna, new Date(), 'ig-story');

    const archived = await archive('ig-story', 'archived');
    expect([archived.status, archived.body.status]).toEqual([200, 'archived']);
    const listed = await t.request('GET', `/v1/programs/${p.programId}/ctas?status=archived`, {
      key: brand.key,
    });
    expect(listed.body.data.map((c: any) => c.key)).toEqual(['ig-story']);
    const active = await t.request('GET', `/v1/programs/${p.programId}/ctas?status=active`, {
      key: brand.key,
    });
    expect(active.body.data.map((c: any) => c.key).sort()).toEqual(['copy-link', 'tt-video']);

    // The friend still lands on the shop, untracked; the other CTA keeps counting.
    const plain = await visit(anna, 'ig-story');
    expect([plain.status, plain.headers.get('location')]).toEqual([
      302,
      'https://shop.example.com/welcome',
    ]);
    expect((await visit(anna, 'tt-video')).headers.get('location')).toContain('tclid=');

    // A new advocate is not handed its link; the list of links shows it, marked archived.
    const ben = await createAdvocate(t, p, { name: 'Ben' });
    expect(ben.links.map((l) => l.ctaKey).sort()).toEqual(['copy-link', 'tt-video']);
    const bensLinks = await linkStats(ben);
    expect(bensLinks.map((l) => [l.ctaKey, l.ctaStatus]).sort()).toEqual([
      ['copy-link', 'active'],
      ['ig-story', 'archived'],
      ['tt-video', 'active'],
    ]);

    // Shares of it are refused, by key and by channel (no other Instagram CTA).
    for (const [body, field] of [
      [{ code: anna.code, ctaKey: 'ig-story' }, 'ctaKey'],
      [{ code: anna.code, channel: 'instagram' }, 'channel'],
    ] as const) {
      const res = await t.request('POST', '/v1/shares', { key: brand.key, body });
      expect([res.status, res.body.error.details.map((d: any) => d.field)]).toEqual([422, [field]]);
    }

    // Clicks made before it was archived still attribute their conversions.
    for (const clickId of [before, signedBefore]) {
      const res = await sendEvent(t, brand, purchaseEvent({ clickId }));
      expect(res.status).toBe(201);
      expect(res.body.attribution).toMatchObject({ advocateId: anna.id, ctaKey: 'ig-story' });
      expect(res.body.rewards).toHaveLength(1);
    }

    const back = await archive('ig-story', 'active');
    expect(back.body.status).toBe('active');
    expect((await visit(anna, 'ig-story')).headers.get('location')).toContain('tclid=');
    const share = await t.request('POST', '/v1/shares', {
      key: brand.key,
      body: { code: anna.code, ctaKey: 'ig-story' },
    });
    expect(share.status).toBe(201);
    const again = await t.request('POST', `/v1/programs/${p.programId}/enrollments`, {
      key: brand.key,
      body: { advocateId: ben.id },
    });
    expect(again.body.links.map((l: any) => l.ctaKey).sort()).toEqual([
      'copy-link',
      'ig-story',
      'tt-video',
    ]);

    // Counted: the click before and the one after; not the one while archived.
    const stats = await eventually(async () => {
      const ig = (await linkStats(anna)).find((l) => l.ctaKey === 'ig-story');
      return ig?.clicks === 2 && ig;
    }, 'two ig-story clicks');
    expect(stats).toMatchObject({ ctaStatus: 'active', clicks: 2, shares: 1 });
  });

  it('refuses a status that is not one of active and archived', async () => {
    for (const status of ['deleted', null, 1]) {
      const res = await t.request('PATCH', cta('tt-video'), { key: brand.key, body: { status } });
      expect([status, res.status, res.body.error.details.map((d: any) => d.field)]).toEqual([
        status,
        400,
        ['status'],
      ]);
    }
    const list = await t.request('GET', `/v1/programs/${p.programId}/ctas?status=gone`, {
      key: brand.key,
    });
    expect([list.status, list.body.error.details[0].field]).toEqual([400, 'status']);
  });
});
