import { Brand, startApp, TestApp } from './helpers/app';
import { createAdvocate, createProgram, ProgramSetup } from './helpers/event-factories';

/** Inputs a fuzzer found mishandled: each is a 4xx naming its field, or a documented default. */
describe('input edge cases', () => {
  let t: TestApp;
  let brand: Brand;
  let p: ProgramSetup;
  const post = (path: string, body: unknown) => t.request('POST', path, { key: brand.key, body });
  const fields = (res: { body: any }) => res.body.error?.details?.map((d: any) => d.field);

  beforeAll(async () => {
    t = await startApp();
    brand = await t.createBrand();
    p = await createProgram(t, brand);
  });
  afterAll(() => t.close());

  it('refuses null for the identity fields of a share (was a 500), writing nothing', async () => {
    const anna = await createAdvocate(t, p);
    for (const [body, field] of [
      [{ code: null, channel: 'instagram' }, 'code'],
      [{ code: anna.code, ctaKey: null }, 'ctaKey'],
      [{ advocateId: null, code: anna.code, channel: 'instagram' }, 'advocateId'],
      [{ code: anna.code, programId: null, channel: 'instagram' }, 'programId'],
    ] as const) {
      const res = await post('/v1/shares', body);
      expect([body, res.status, fields(res)]).toEqual([body, 400, expect.arrayContaining([field])]);
    }
    const listed = await t.request('GET', `/v1/shares?advocateId=${anna.id}`, { key: brand.key });
    expect(listed.body.data).toEqual([]);
  });

  it('takes null user-agent families of the bot-click rule as the default (was a 500)', async () => {
    const res = await t.request('PUT', `/v1/programs/${p.programId}/fraud-rules`, {
      key: brand.key,
      body: { rules: { botClick: { userAgentFamilies: null } } },
    });
    expect(res.status).toBe(200);
    expect(res.body.rules.botClick.userAgentFamilies).toEqual(['curl']);
  });

  it('refuses a null vanity code instead of storing a generated code as vanity', async () => {
    const advocate = await post('/v1/advocates', { externalId: 'null-code' });
    const res = await post(`/v1/programs/${p.programId}/enrollments`, {
      advocateId: advocate.body.id,
      code: null,
    });
    expect([res.status, fields(res)]).toEqual([400, expect.arrayContaining(['code'])]);
    const plain = await post(`/v1/programs/${p.programId}/enrollments`, {
      advocateId: advocate.body.id,
    });
    expect([plain.status, plain.body.vanity]).toEqual([201, false]);
  });

  it('refuses a social profile that is not an object, and more than 50 tags as sent', async () => {
    for (const [body, field] of [
      [{ externalId: 'sp-1', socialProfiles: [[]] }, 'socialProfiles'],
      [
        { externalId: 'sp-2', socialProfiles: [{ channel: 'tiktok', handle: '@x' }, 7] },
        'socialProfiles[1]',
      ],
      [{ externalId: 'tags-1', tags: Array(51).fill('vip') }, 'tags'],
    ] as const) {
      const res = await post('/v1/advocates', body);
      expect([body.externalId, res.status, fields(res)]).toEqual([body.externalId, 400, [field]]);
      const found = await t.request('GET', `/v1/advocates?search=${body.externalId}`, {
        key: brand.key,
      });
      expect(found.body.data).toEqual([]);
    }
    const fifty = await post('/v1/advocates', {
      externalId: 'tags-2',
      tags: Array(50).fill('VIP'),
    });
    expect([fifty.status, fifty.body.tags]).toEqual([201, ['vip']]);
  });

  it('names the body or query field of an id that is not found', async () => {
    const missingProgram = 'prg_ZZZZZZZZZZZZZZZZZZZZ';
    const missingAdvocate = 'adv_ZZZZZZZZZZZZZZZZZZZZ';
    const cases: [string, string, unknown, string][] = [
      ['POST', '/v1/shares', { code: 'NOSUCHCODE', channel: 'instagram' }, 'code'],
      [
        'POST',
        '/v1/shares',
        { advocateId: missingAdvocate, programId: p.programId, channel: 'instagram' },
        'advocateId',
      ],
      ['GET', `/v1/shares?programId=${missingProgram}`, undefined, 'programId'],
      [
        'GET',
        `/v1/payouts/balances?currency=USD&advocateId=${missingAdvocate}`,
        undefined,
        'advocateId',
      ],
      [
        'POST',
        '/v1/payout-batches',
        { currency: 'USD', cutoff: '2026-01-01', programId: missingProgram },
        'programId',
      ],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await t.request(method, path, { key: brand.key, body });
      expect([path, res.status, res.body.error.details]).toEqual([
        path,
        404,
        [{ field, issue: 'not found' }],
      ]);
    }
  });

  it('refuses a malformed percent-encoding in the query, as in the path; links still redirect', async () => {
    for (const query of ['search=%ZZ', 'search=%E0%A4%A', 'program=%ED%A0%80']) {
      const res = await t.request('GET', `/v1/advocates?${query}`, { key: brand.key });
      expect([query, res.status, fields(res)]).toEqual([query, 400, ['query']]);
    }
    const fine = await t.request('GET', '/v1/advocates?search=50%25', { key: brand.key });
    expect(fine.status).toBe(200);
    const anna = await createAdvocate(t, p);
    const link = await t.request('GET', `/r/${anna.links[0]!.slug}?utm=%ZZ`);
    expect(link.status).toBe(302);
  });

  it('names the type alone for an e-mail that is not a string', async () => {
    const advocate = await post('/v1/advocates', { externalId: 'mail-num', email: 12 });
    expect(advocate.body.error.details).toEqual([{ field: 'email', issue: 'must be a string' }]);
    const event = await post('/v1/events', {
      id: 'evt-mail-num',
      type: 'signup',
      occurredAt: new Date().toISOString(),
      customer: { id: 'c-mail-num', email: 12 },
    });
    expect(event.body.error.details).toEqual([
      { field: 'customer.email', issue: 'must be a string' },
    ]);
  });

  it('refuses a JSON body that is not valid UTF-8, naming the body', async () => {
    for (const bytes of [
      Buffer.concat([
        Buffer.from('{"externalId":"x-'),
        Buffer.from([0xf0, 0x9f, 0x98]),
        Buffer.from('"}'),
      ]),
      Buffer.concat([Buffer.from('{"externalId":"Jos'), Buffer.from([0xe9]), Buffer.from('"}')]),
    ]) {
      const res = await fetch(`${t.baseUrl}/v1/advocates`, {
        method: 'POST',
        headers: { authorization: `Bearer ${brand.key}`, 'content-type': 'application/json' },
        body: bytes,
      });
      const body: any = await res.json();
      expect([res.status, body.error.code, body.error.details]).toEqual([
        400,
        'invalid_json',
        [{ field: 'body', issue: 'is not valid UTF-8' }],
      ]);
    }
    const found = await t.request('GET', '/v1/advocates?search=x-', { key: brand.key });
    expect(found.body.data).toEqual([]);
    // Multi-byte UTF-8 itself is fine.
    const ok = await post('/v1/advocates', { externalId: 'josé-😀' });
    expect([ok.status, ok.body.externalId]).toEqual([201, 'josé-😀']);
  });
});
