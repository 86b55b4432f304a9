import { DataSource } from 'typeorm';
import { CtaService } from '@/modules/programs/cta.service';
import { ProgramService } from '@/modules/programs/program.service';
import { startApp, TestApp } from './helpers/app';
import { createCta, createProgram, listAll } from './helpers/programs';

describe('CTAs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  const fieldsOf = (res: { body: any }): string[] => [
    ...new Set<string>(res.body?.error?.details?.map((d: any) => d.field)),
  ];

  it('configures Instagram, TikTok and e-mail CTAs beside the default copy-link one', async () => {
    const b = await t.createBrand();
    const p = await createProgram(t, b.key, { landingUrl: 'https://shop.example.com/spring' });
    const ig = await t.request('POST', `/v1/programs/${p.id}/ctas`, {
      key: b.key,
      body: {
        key: 'ig-story',
        channel: 'instagram',
        action: 'purchase',
        label: 'Share on your Instagram story',
      },
    });
    expect(ig.status).toBe(201);
    expect(ig.body).toEqual({
      id: expect.stringMatching(/^cta_[0-9A-Za-z]{20}$/),
      programId: p.id,
      key: 'ig-story',
      channel: 'instagram',
      action: 'purchase',
      label: 'Share on your Instagram story',
      value: { amount: 0, currency: 'USD' },
      landingUrl: null,
      effectiveLandingUrl: 'https://shop.example.com/spring',
      status: 'active',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const tiktok = await createCta(t, b.key, p.id, {
      key: 'tiktok-bio',
      channel: 'tiktok',
      action: 'follow',
      label: 'Link in your TikTok bio',
      value: { amount: 50, currency: 'USD' },
      landingUrl: 'https://shop.example.com/spring?src=tiktok',
    });
    expect(tiktok).toMatchObject({
      value: { amount: 50, currency: 'USD' },
      landingUrl: 'https://shop.example.com/spring?src=tiktok',
      effectiveLandingUrl: 'https://shop.example.com/spring?src=tiktok',
    });
    const email = await createCta(t, b.key, p.id, {
      key: 'email-invite',
      channel: 'email',
      action: 'signup',
      label: 'Invite friends by e-mail',
      value: { amount: 200, currency: 'USD' },
    });
    const all = await listAll(t, b.key, `/v1/programs/${p.id}/ctas`);
    expect(all.map((c) => c.key)).toEqual(['email-invite', 'tiktok-bio', 'ig-story', 'copy-link']);
    expect(
      (await t.request('GET', `/v1/programs/${p.id}/ctas/${email.id}`, { key: b.key })).body,
    ).toEqual(email);

    // The exported service other modules use: every CTA, oldest first.
    const ctas = await t.app.get(CtaService).listForProgram(b.id, p.id);
    expect(ctas.map((c) => c.key)).toEqual(['copy-link', 'ig-story', 'tiktok-bio', 'email-invite']);
    expect((await t.app.get(ProgramService).getForBrand(b.id, p.id)).currency).toBe('USD');
  });

  it('rejects each invalid field with a 400 naming it, and writes nothing', async () => {
    const b = await t.createBrand();
    const p = await createProgram(t, b.key);
    const valid = { key: 'ig-story', channel: 'instagram', action: 'purchase', label: 'Story' };
    const cases: [Record<string, unknown>, string][] = [
      [{ key: undefined }, 'key'],
      [{ key: 'IG-Story' }, 'key'],
      [{ key: '-story' }, 'key'],
      [{ key: 'ig story' }, 'key'],
      [{ key: 'x'.repeat(64) }, 'key'],
      [{ key: 7 }, 'key'],
      [{ channel: 'myspace' }, 'channel'],
      [{ channel: undefined }, 'channel'],
      [{ action: 'buy' }, 'action'],
      [{ label: '' }, 'label'],
      [{ label: 'x'.repeat(201) }, 'label'],
      [{ value: { amount: -1, currency: 'USD' } }, 'value.amount'],
      [{ value: { amount: 1.5, currency: 'USD' } }, 'value.amount'],
      [{ value: { amount: 100, currency: 'EUR' } }, 'value.currency'],
      [{ value: { amount: 100, currency: 'usd' } }, 'value.currency'],
      [{ value: 100 }, 'value'],
      [{ value: null }, 'value'],
      [{ landingUrl: 'ftp://files.example.com' }, 'landingUrl'],
      [{ landingUrl: 'www.example.com' }, 'landingUrl'],
      [{ programId: p.id }, 'programId'],
    ];
    for (const [overrides, field] of cases) {
      const res = await t.request('POST', `/v1/programs/${p.id}/ctas`, {
        key: b.key,
        body: { ...valid, ...overrides },
      });
      expect([overrides, res.status, res.body.error.code, fieldsOf(res)]).toEqual([
        overrides,
        400,
        'validation_failed',
        [field],
      ]);
    }
    const list = await t.request('GET', `/v1/programs/${p.id}/ctas`, { key: b.key });
    expect(list.body.data.map((c: any) => c.key)).toEqual(['copy-link']);
  });

  it('answers 409 for a key already used in the program, and allows it in another program', async () => {
    const b = await t.createBrand();
    const p = await createProgram(t, b.key);
    await createCta(t, b.key, p.id, { key: 'ig-story' });
    for (const key of ['ig-story', 'copy-link']) {
      const dup = await t.request('POST', `/v1/programs/${p.id}/ctas`, {
        key: b.key,
        body: { key, channel: 'tiktok', action: 'signup', label: 'Again' },
      });
      expect(dup.status).toBe(409);
      expect(dup.body.error).toEqual({
        code: 'conflict',
        message: expect.any(String),
        details: [{ field: 'key', issue: 'is already used by another CTA of this program' }],
      });
    }
    expect(await listAll(t, b.key, `/v1/programs/${p.id}/ctas`)).toHaveLength(2);
    const other = await createProgram(t, b.key);
    await createCta(t, b.key, other.id, { key: 'ig-story' });
  });

  it('keeps the key unique under concurrent creates', async () => {
    const b = await t.createBrand();
    const p = await createProgram(t, b.key);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t.request('POST', `/v1/programs/${p.id}/ctas`, {
          key: b.key,
          body: { key: 'whatsapp', channel: 'whatsapp', action: 'signup', label: `Try ${i}` },
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const keys = (await listAll(t, b.key, `/v1/programs/${p.id}/ctas`)).map((c) => c.key);
    expect(keys.sort()).toEqual(['copy-link', 'whatsapp']);
  });

  it('updates a CTA partially, keeps its key immutable, and falls back to the program URL', async () => {
    const b = await t.createBrand();
    const p = await createProgram(t, b.key);
    const cta = await createCta(t, b.key, p.id, {
      landingUrl: 'https://shop.example.com/ig',
    });
    const url = `/v1/programs/${p.id}/ctas/${cta.id}`;
    const res = await t.request('PATCH', url, {
      key: b.key,
      body: { label: 'Post a story', value: { amount: 300, currency: 'USD' }, key: 'ig-story' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      key: 'ig-story',
      channel: 'instagram',
      label: 'Post a story',
      value: { amount: 300, currency: 'USD' },
      effectiveLandingUrl: 'https://shop.example.com/ig',
    });
    const cleared = await t.request('PATCH', url, { key: b.key, body: { landingUrl: null } });
    expect(cleared.body).toMatchObject({ landingUrl: null, effectiveLandingUrl: p.landingUrl });

    const before = (await t.request('GET', url, { key: b.key })).body;
    const cases: [Record<string, unknown>, string][] = [
      [{ key: 'ig-story-2' }, 'key'],
      [{ key: null }, 'key'],
      [{ key: 'ig-story-2', label: 'Renamed too' }, 'key'],
      [{ label: null }, 'label'],
      [{ channel: 'fax' }, 'channel'],
      [{ value: { amount: 1, currency: 'GBP' } }, 'value.currency'],
      [{ landingUrl: 'javascript:void(0)' }, 'landingUrl'],
    ];
    for (const [body, field] of cases) {
      const bad = await t.request('PATCH', url, { key: b.key, body });
      expect([body, bad.status, fieldsOf(bad)]).toEqual([body, 400, [field]]);
    }
    expect((await t.request('GET', url, { key: b.key })).body).toEqual(before);
  });

  it('stores landing URLs with non-ASCII characters percent-encoded, as browsers send them', async () => {
    const b = await t.createBrand();
    const p = await createProgram(t, b.key, { landingUrl: 'https://bücher.example/für-dich?q=€' });
    expect(p.landingUrl).toBe('https://xn--bcher-kva.example/f%C3%BCr-dich?q=%E2%82%AC');
    const cta = await createCta(t, b.key, p.id, {
      landingUrl: 'https://shop.example.com/日本#été',
    });
    expect(cta.landingUrl).toBe('https://shop.example.com/%E6%97%A5%E6%9C%AC#%C3%A9t%C3%A9');
    const ascii = 'https://shop.example.com/a?b=%20c&d=e+f';
    const patched = await t.request('PATCH', `/v1/programs/${p.id}/ctas/${cta.id}`, {
      key: b.key,
      body: { landingUrl: ascii },
    });
    expect(patched.body.landingUrl).toBe(ascii); // an ASCII URL is kept byte for byte
  });

  it('refuses new CTAs in an ended program', async () => {
    const b = await t.createBrand();
    const p = await createProgram(t, b.key);
    await t.request('PATCH', `/v1/programs/${p.id}`, { key: b.key, body: { status: 'ended' } });
    const res = await t.request('POST', `/v1/programs/${p.id}/ctas`, {
      key: b.key,
      body: { key: 'late', channel: 'x', action: 'signup', label: 'Too late' },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
    expect(await listAll(t, b.key, `/v1/programs/${p.id}/ctas`)).toHaveLength(1);
  });

  it('pages the CTA list', async () => {
    const b = await t.createBrand();
    const p = await createProgram(t, b.key);
    for (const channel of ['instagram', 'tiktok', 'whatsapp', 'email']) {
      await createCta(t, b.key, p.id, { key: `${channel}-cta`, channel });
    }
    const first = await t.request('GET', `/v1/programs/${p.id}/ctas?limit=2`, { key: b.key });
    expect(first.body.data.map((c: any) => c.key)).toEqual(['email-cta', 'whatsapp-cta']);
    const all = await listAll(t, b.key, `/v1/programs/${p.id}/ctas`, 2);
    expect(all.map((c) => c.key)).toEqual([
      'email-cta',
      'whatsapp-cta',
      'tiktok-cta',
      'instagram-cta',
      'copy-link',
    ]);
    const bad = await t.request('GET', `/v1/programs/${p.id}/ctas?cursor=nope`, { key: b.key });
    expect([bad.status, fieldsOf(bad)]).toEqual([400, ['cursor']]);
  });

  it("answers 404 for another brand's program or CTA on every route, as for a missing one", async () => {
    const a = await t.createBrand();
    const other = await t.createBrand();
    const mine = await createProgram(t, a.key);
    const theirs = await createProgram(t, other.key);
    const theirCta = await createCta(t, other.key, theirs.id);
    const body = { key: 'hijack', channel: 'x', action: 'signup', label: 'Hijack' };
    const missingProgram = {
      code: 'not_found',
      message: 'Program not found',
      details: [],
    };
    const missingCta = { code: 'not_found', message: 'CTA not found', details: [] };

    const programRoutes: [string, string, unknown, unknown][] = [
      ['POST', `/v1/programs/${theirs.id}/ctas`, body, missingProgram],
      ['GET', `/v1/programs/${theirs.id}/ctas`, undefined, missingProgram],
      ['GET', `/v1/programs/${theirs.id}/ctas/${theirCta.id}`, undefined, missingProgram],
      ['PATCH', `/v1/programs/${theirs.id}/ctas/${theirCta.id}`, { label: 'x' }, missingProgram],
      // Own program, another brand's CTA id.
      ['GET', `/v1/programs/${mine.id}/ctas/${theirCta.id}`, undefined, missingCta],
      ['PATCH', `/v1/programs/${mine.id}/ctas/${theirCta.id}`, { label: 'x' }, missingCta],
      ['GET', `/v1/programs/${mine.id}/ctas/cta_00000000000000000000`, undefined, missingCta],
      ['GET', `/v1/programs/prg_00000000000000000000/ctas`, undefined, missingProgram],
    ];
    for (const [method, path, reqBody, error] of programRoutes) {
      const res = await t.request(method, path, { key: a.key, body: reqBody });
      expect([method, path, res.status, res.body.error]).toEqual([method, path, 404, error]);
    }
    const untouched = await t.request('GET', `/v1/programs/${theirs.id}/ctas/${theirCta.id}`, {
      key: other.key,
    });
    expect(untouched.body).toEqual(theirCta);
    expect(await listAll(t, other.key, `/v1/programs/${theirs.id}/ctas`)).toHaveLength(2);
    await expect(t.app.get(CtaService).listForProgram(a.id, theirs.id)).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(t.app.get(ProgramService).getForBrand(a.id, theirs.id)).rejects.toMatchObject({
      code: 'not_found',
    });
    const rows = await t.app
      .get(DataSource)
      .query('SELECT count(*)::int AS n FROM ctas WHERE brand_id = $1', [a.id]);
    expect(rows[0].n).toBe(1);
  });
});
