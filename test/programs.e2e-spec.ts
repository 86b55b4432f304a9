import { DataSource } from 'typeorm';
import { startApp, TestApp } from './helpers/app';
import {
  ADVOCATE_CASH_RULE,
  createCta,
  createProgram,
  listAll,
  programBody,
} from './helpers/programs';

describe('Programs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  const fieldsOf = (res: { body: any }): string[] => [
    ...new Set<string>(res.body?.error?.details?.map((d: any) => d.field)),
  ];

  const countRows = async (table: string, brandId: string): Promise<number> => {
    const rows = await t.app
      .get(DataSource)
      .query(`SELECT count(*)::int AS n FROM ${table} WHERE brand_id = $1`, [brandId]);
    return rows[0].n;
  };

  it('creates a draft program with defaults and its copy-link CTA', async () => {
    const b = await t.createBrand();
    const res = await t.request('POST', '/v1/programs', {
      key: b.key,
      body: programBody({ goal: 'awareness' }),
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^prg_[0-9A-Za-z]{20}$/),
      name: 'Spring referral 2026',
      status: 'draft',
      goal: 'awareness',
      currency: 'USD',
      startsAt: null,
      endsAt: null,
      landingUrl: 'https://shop.example.com/spring',
      attribution: { windowDays: 30, model: 'last_touch' },
      holdDays: 30,
      budget: null,
      programCost: null,
      minimumPayout: null,
      friendOffer: null,
      kpiWeights: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const ctas = await t.request('GET', `/v1/programs/${res.body.id}/ctas`, { key: b.key });
    expect(ctas.body.data).toEqual([
      expect.objectContaining({
        key: 'copy-link',
        channel: 'copy_link',
        action: 'signup',
        label: 'Copy link',
        value: { amount: 0, currency: 'USD' },
        landingUrl: null,
        effectiveLandingUrl: 'https://shop.example.com/spring',
      }),
    ]);
    const conversion = await createProgram(t, b.key, { goal: 'conversion' });
    const convCtas = await t.request('GET', `/v1/programs/${conversion.id}/ctas`, { key: b.key });
    expect(convCtas.body.data[0]).toMatchObject({ key: 'copy-link', action: 'purchase' });
    expect((await t.request('GET', `/v1/programs/${res.body.id}`, { key: b.key })).body).toEqual(
      res.body,
    );
  });

  it('stores every field a brand configures', async () => {
    const b = await t.createBrand();
    const body = programBody({
      name: '  Summer friends  ',
      startsAt: '2026-06-01T00:00:00Z',
      endsAt: '2026-08-31T23:59:59.999+02:00',
      attribution: { windowDays: 14, model: 'first_touch' },
      holdDays: 0,
      budget: { amount: 5_000_000, currency: 'USD' },
      programCost: { amount: 250_000, currency: 'USD' },
      minimumPayout: { amount: 2500, currency: 'USD' },
      friendOffer: '15% off your first order over $50',
      kpiWeights: { reach: 1, sharing: 1, conversion: 2 },
    });
    const res = await t.request('POST', '/v1/programs', { key: b.key, body });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'Summer friends',
      startsAt: '2026-06-01T00:00:00.000Z',
      endsAt: '2026-08-31T21:59:59.999Z',
      attribution: { windowDays: 14, model: 'first_touch' },
      holdDays: 0,
      budget: { amount: 5_000_000, currency: 'USD' },
      programCost: { amount: 250_000, currency: 'USD' },
      minimumPayout: { amount: 2500, currency: 'USD' },
      friendOffer: '15% off your first order over $50',
      kpiWeights: { reach: 1, sharing: 1, conversion: 2 },
    });
  });

  it('validates the currency against the real ISO 4217 list', async () => {
    const b = await t.createBrand();
    for (const currency of ['USD', 'JPY', 'KWD', 'EUR']) {
      const res = await t.request('POST', '/v1/programs', {
        key: b.key,
        body: programBody({ currency, budget: { amount: 1000, currency } }),
      });
      expect([currency, res.status, res.body.currency]).toEqual([currency, 201, currency]);
    }
    for (const currency of ['usd', 'XYZ', 'US', 'USDT', 'XAU', 42, null]) {
      const res = await t.request('POST', '/v1/programs', {
        key: b.key,
        body: programBody({ currency }),
      });
      expect([currency, res.status]).toEqual([currency, 400]);
      expect(res.body.error.details.map((d: any) => d.field)).toEqual(['currency']);
    }
    expect(await listAll(t, b.key, '/v1/programs')).toHaveLength(4);
  });

  it('rejects each invalid field with a 400 naming it, and writes nothing', async () => {
    const b = await t.createBrand();
    const long = (n: number) => 'x'.repeat(n);
    const cases: [Record<string, unknown>, string][] = [
      [{ name: '' }, 'name'],
      [{ name: '   ' }, 'name'],
      [{ name: long(201) }, 'name'],
      [{ name: undefined }, 'name'],
      [{ goal: undefined }, 'goal'],
      [{ goal: 'fame' }, 'goal'],
      [{ currency: undefined }, 'currency'],
      [{ currency: 'usd' }, 'currency'],
      [{ currency: 'XYZ' }, 'currency'],
      [{ startsAt: 'next monday' }, 'startsAt'],
      [{ startsAt: '2026-02-30T00:00:00Z' }, 'startsAt'],
      [{ startsAt: '2026-03-01T09:00:00' }, 'startsAt'],
      [{ endsAt: 1767225600 }, 'endsAt'],
      [{ startsAt: '2026-03-01T00:00:00Z', endsAt: '2026-02-01T00:00:00Z' }, 'endsAt'],
      [{ startsAt: '2026-03-01T00:00:00Z', endsAt: '2026-03-01T00:00:00Z' }, 'endsAt'],
      [{ landingUrl: undefined }, 'landingUrl'],
      [{ landingUrl: 'ftp://shop.example.com/x' }, 'landingUrl'],
      [{ landingUrl: 'javascript:alert(1)' }, 'landingUrl'],
      [{ landingUrl: 'shop.example.com/spring' }, 'landingUrl'],
      [{ landingUrl: 'https://user:pw@shop.example.com/' }, 'landingUrl'],
      [{ landingUrl: `https://shop.example.com/${long(2000)}` }, 'landingUrl'],
      [{ attribution: { windowDays: 0 } }, 'attribution.windowDays'],
      [{ attribution: { windowDays: 366 } }, 'attribution.windowDays'],
      [{ attribution: { windowDays: 7.5 } }, 'attribution.windowDays'],
      [{ attribution: { model: 'linear' } }, 'attribution.model'],
      [{ attribution: { windowDays: 7, weight: 1 } }, 'attribution.weight'],
      [{ attribution: 30 }, 'attribution'],
      [{ holdDays: -1 }, 'holdDays'],
      [{ holdDays: 366 }, 'holdDays'],
      [{ holdDays: null }, 'holdDays'],
      [{ budget: { amount: -1, currency: 'USD' } }, 'budget.amount'],
      [{ budget: { amount: 10.5, currency: 'USD' } }, 'budget.amount'],
      [{ budget: { amount: '1000', currency: 'USD' } }, 'budget.amount'],
      [{ budget: { amount: 2 ** 53, currency: 'USD' } }, 'budget.amount'],
      [{ budget: { amount: 10 ** 12 + 1, currency: 'USD' } }, 'budget.amount'],
      [{ budget: { amount: 1000 } }, 'budget.currency'],
      [{ budget: { amount: 1000, currency: 'EUR' } }, 'budget.currency'],
      [{ programCost: { amount: 1000, currency: 'EUR' } }, 'programCost.currency'],
      [{ minimumPayout: { amount: 1000, currency: 'usd' } }, 'minimumPayout.currency'],
      [{ friendOffer: long(501) }, 'friendOffer'],
      [{ kpiWeights: { reach: -1, sharing: 1, conversion: 1 } }, 'kpiWeights.reach'],
      [{ kpiWeights: { reach: 1, sharing: 1 } }, 'kpiWeights.conversion'],
      [{ kpiWeights: { reach: 0, sharing: 0, conversion: 0 } }, 'kpiWeights'],
      [{ status: 'active' }, 'status'],
      [{ color: 'red' }, 'color'],
    ];
    for (const [overrides, field] of cases) {
      const res = await t.request('POST', '/v1/programs', {
        key: b.key,
        body: programBody(overrides),
      });
      const fields = fieldsOf(res);
      expect([overrides, res.status, res.body?.error?.code, fields]).toEqual([
        overrides,
        400,
        'validation_failed',
        [field],
      ]);
    }
    expect((await t.request('GET', '/v1/programs', { key: b.key })).body.data).toEqual([]);
    expect(await countRows('programs', b.id)).toBe(0);
    expect(await countRows('ctas', b.id)).toBe(0);
  });

  it('updates only the fields sent; null clears; attribution merges', async () => {
    const b = await t.createBrand();
    const p = await createProgram(t, b.key, {
      budget: { amount: 100_000, currency: 'USD' },
      attribution: { windowDays: 14, model: 'first_touch' },
      friendOffer: 'Get $10',
    });
    await new Promise((r) => setTimeout(r, 5));
    const res = await t.request('PATCH', `/v1/programs/${p.id}`, {
      key: b.key,
      body: {
        name: 'Renamed',
        attribution: { windowDays: 45 },
        budget: null,
        friendOffer: null,
        programCost: { amount: 99_00, currency: 'USD' },
        endsAt: '2026-12-31T23:59:59Z',
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'Renamed',
      goal: p.goal,
      landingUrl: p.landingUrl,
      attribution: { windowDays: 45, model: 'first_touch' },
      budget: null,
      friendOffer: null,
      programCost: { amount: 9900, currency: 'USD' },
      endsAt: '2026-12-31T23:59:59.000Z',
    });
    expect(res.body.updatedAt > p.updatedAt).toBe(true);
    expect((await t.request('GET', `/v1/programs/${p.id}`, { key: b.key })).body).toEqual(res.body);
  });

  it('rejects invalid updates naming the field and changes nothing', async () => {
    const b = await t.createBrand();
    const p = await createProgram(t, b.key, { startsAt: '2026-03-01T00:00:00Z' });
    const cases: [Record<string, unknown>, string][] = [
      [{ name: null }, 'name'],
      [{ goal: null }, 'goal'],
      [{ landingUrl: null }, 'landingUrl'],
      [{ landingUrl: 'mailto:x@example.com' }, 'landingUrl'],
      [{ currency: 'eur' }, 'currency'],
      [{ endsAt: '2026-02-01T00:00:00Z' }, 'endsAt'],
      [{ attribution: { model: null } }, 'attribution.model'],
      [{ budget: { amount: 5, currency: 'EUR' } }, 'budget.currency'],
      [{ kpiWeights: { reach: 0, sharing: 0, conversion: 0 } }, 'kpiWeights'],
      [{ status: 'archived' }, 'status'],
      [{ id: 'prg_x' }, 'id'],
    ];
    for (const [body, field] of cases) {
      const res = await t.request('PATCH', `/v1/programs/${p.id}`, { key: b.key, body });
      const fields = fieldsOf(res);
      expect([body, res.status, fields]).toEqual([body, 400, [field]]);
    }
    expect((await t.request('GET', `/v1/programs/${p.id}`, { key: b.key })).body).toEqual(p);
  });

  it('walks every legal status change and refuses the others with 409', async () => {
    const b = await t.createBrand();
    const p = await createProgram(t, b.key);
    const patch = (status: string) =>
      t.request('PATCH', `/v1/programs/${p.id}`, { key: b.key, body: { status } });
    const expectIllegal = async (from: string, to: string) => {
      const res = await patch(to);
      expect([from, to, res.status]).toEqual([from, to, 409]);
      expect(res.body.error).toEqual({
        code: 'invalid_status_transition',
        message: expect.any(String),
        details: [{ field: 'status', issue: `cannot change from ${from} to ${to}` }],
      });
    };
    await expectIllegal('draft', 'paused');
    expect((await patch('active')).body.status).toBe('active');
    await expectIllegal('active', 'draft');
    expect((await patch('paused')).body.status).toBe('paused');
    await expectIllegal('paused', 'draft');
    expect((await patch('active')).body.status).toBe('active');
    expect((await patch('ended')).body.status).toBe('ended');
    for (const to of ['draft', 'active', 'paused']) await expectIllegal('ended', to);

    const viaPaused = await createProgram(t, b.key);
    for (const status of ['active', 'paused', 'ended']) {
      const res = await t.request('PATCH', `/v1/programs/${viaPaused.id}`, {
        key: b.key,
        body: { status },
      });
      expect(res.body.status).toBe(status);
    }
    const fromDraft = await createProgram(t, b.key);
    const ended = await t.request('PATCH', `/v1/programs/${fromDraft.id}`, {
      key: b.key,
      body: { status: 'ended' },
    });
    expect(ended.body.status).toBe('ended');
    // Descriptive fields of an ended program may still be corrected (e.g. the final cost).
    const cost = await t.request('PATCH', `/v1/programs/${fromDraft.id}`, {
      key: b.key,
      body: { programCost: { amount: 120000, currency: 'USD' } },
    });
    expect(cost.status).toBe(200);
  });

  it('treats the same status as a no-op and a refused change as writing nothing', async () => {
    const b = await t.createBrand();
    const p = await createProgram(t, b.key);
    const same = await t.request('PATCH', `/v1/programs/${p.id}`, {
      key: b.key,
      body: { status: 'draft' },
    });
    expect(same.status).toBe(200);
    expect(same.body).toEqual(p);
    const refused = await t.request('PATCH', `/v1/programs/${p.id}`, {
      key: b.key,
      body: { status: 'paused', name: 'Should not stick' },
    });
    expect(refused.status).toBe(409);
    expect((await t.request('GET', `/v1/programs/${p.id}`, { key: b.key })).body).toEqual(p);
  });

  it('lets the currency change only on a draft with no rules and no CTA value', async () => {
    const b = await t.createBrand();
    const p = await createProgram(t, b.key, { budget: { amount: 100_000, currency: 'USD' } });
    const url = `/v1/programs/${p.id}`;
    const unrestated = await t.request('PATCH', url, { key: b.key, body: { currency: 'EUR' } });
    expect(unrestated.status).toBe(400);
    expect(unrestated.body.error.details.map((d: any) => d.field)).toEqual(['budget']);
    const changed = await t.request('PATCH', url, {
      key: b.key,
      body: { currency: 'EUR', budget: { amount: 90_000, currency: 'EUR' } },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      currency: 'EUR',
      budget: { amount: 90_000, currency: 'EUR' },
    });
    const ctas = await t.request('GET', `${url}/ctas`, { key: b.key });
    expect(ctas.body.data[0].value).toEqual({ amount: 0, currency: 'EUR' });

    const rule = await t.request('POST', `${url}/reward-rules`, {
      key: b.key,
      body: { ...ADVOCATE_CASH_RULE, reward: { kind: 'cash', amount: 1000 } },
    });
    expect(rule.status).toBe(201);
    const locked = await t.request('PATCH', url, {
      key: b.key,
      body: { currency: 'GBP', budget: null },
    });
    expect(locked.status).toBe(409);
    expect(locked.body.error).toMatchObject({
      code: 'conflict',
      details: [{ field: 'currency', issue: 'cannot change: the program has reward rules' }],
    });
    // A deleted rule still prices rewards in the currency.
    await t.request('DELETE', `${url}/reward-rules/${rule.body.id}`, { key: b.key });
    expect(
      (await t.request('PATCH', url, { key: b.key, body: { currency: 'GBP', budget: null } }))
        .status,
    ).toBe(409);

    const valued = await createProgram(t, b.key);
    await createCta(t, b.key, valued.id, { value: { amount: 500, currency: 'USD' } });
    const byCta = await t.request('PATCH', `/v1/programs/${valued.id}`, {
      key: b.key,
      body: { currency: 'EUR' },
    });
    expect(byCta.status).toBe(409);
    expect(byCta.body.error.details[0].field).toBe('currency');

    const active = await createProgram(t, b.key);
    await t.request('PATCH', `/v1/programs/${active.id}`, {
      key: b.key,
      body: { status: 'active' },
    });
    const byStatus = await t.request('PATCH', `/v1/programs/${active.id}`, {
      key: b.key,
      body: { currency: 'EUR' },
    });
    expect(byStatus.status).toBe(409);
    expect(byStatus.body.error.details).toEqual([
      { field: 'currency', issue: 'cannot change: the program is active' },
    ]);
    // Restating the same currency is not a change.
    const same = await t.request('PATCH', `/v1/programs/${active.id}`, {
      key: b.key,
      body: { currency: 'USD' },
    });
    expect(same.status).toBe(200);
  });

  it('pages the list newest first and filters by status and goal', async () => {
    const b = await t.createBrand();
    const created: any[] = [];
    for (const goal of ['awareness', 'conversion', 'conversion', 'loyalty', 'consideration']) {
      created.push(await createProgram(t, b.key, { goal, name: `P ${created.length}` }));
    }
    await t.request('PATCH', `/v1/programs/${created[1].id}`, {
      key: b.key,
      body: { status: 'active' },
    });
    const all = await listAll(t, b.key, '/v1/programs', 2);
    expect(all.map((p) => p.id)).toEqual(created.map((p) => p.id).reverse());
    const first = await t.request('GET', '/v1/programs?limit=2', { key: b.key });
    expect(first.body.data).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));

    const conversion = await listAll(t, b.key, '/v1/programs?goal=conversion', 1);
    expect(conversion.map((p) => p.id)).toEqual([created[2].id, created[1].id]);
    const active = await t.request('GET', '/v1/programs?status=active', { key: b.key });
    expect(active.body.data.map((p: any) => p.id)).toEqual([created[1].id]);
    const activeConversion = await t.request('GET', '/v1/programs?status=draft&goal=conversion', {
      key: b.key,
    });
    expect(activeConversion.body.data.map((p: any) => p.id)).toEqual([created[2].id]);

    for (const [query, field] of [
      ['status=archived', 'status'],
      ['goal=fame', 'goal'],
      ['limit=0', 'limit'],
      ['cursor=garbage', 'cursor'],
    ]) {
      const res = await t.request('GET', `/v1/programs?${query}`, { key: b.key });
      expect([query, res.status, res.body.error.details[0].field]).toEqual([query, 400, field]);
    }
  });

  it("answers 404 for another brand's program on every route, exactly as for a missing one", async () => {
    const a = await t.createBrand();
    const other = await t.createBrand();
    const theirs = await createProgram(t, other.key);
    const missing = 'prg_00000000000000000000';
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { name: 'Hijacked' }],
      ['PATCH', { status: 'active' }],
    ] as const) {
      const cross = await t.request(method, `/v1/programs/${theirs.id}`, { key: a.key, body });
      const none = await t.request(method, `/v1/programs/${missing}`, { key: a.key, body });
      expect([method, cross.status]).toEqual([method, 404]);
      expect(cross.body).toEqual(none.body);
      expect(cross.body.error).toEqual({
        code: 'not_found',
        message: 'Program not found',
        details: [],
      });
    }
    expect((await t.request('GET', '/v1/programs', { key: a.key })).body.data).toEqual([]);
    expect((await t.request('GET', `/v1/programs/${theirs.id}`, { key: other.key })).body).toEqual(
      theirs,
    );
  });

  it('answers hostile ids, cursors and NUL characters with 4xx, never 500', async () => {
    const b = await t.createBrand();
    const p = await createProgram(t, b.key);
    const forged = (k: unknown, id: string) =>
      Buffer.from(JSON.stringify({ k, id })).toString('base64url');
    const cases: [string, string, unknown, number, string | null][] = [
      // NUL in a path parameter is refused by the global pipe, naming the parameter
      ['GET', '/v1/programs/%00', undefined, 400, 'id'],
      ['PATCH', '/v1/programs/prg_%00', { name: 'x' }, 400, 'id'],
      ['GET', `/v1/programs/${p.id}/ctas/%00`, undefined, 400, 'ctaId'],
      ['PATCH', `/v1/programs/${p.id}/reward-rules/rul_%00`, { holdDays: 1 }, 400, 'ruleId'],
      ['DELETE', `/v1/programs/${p.id}/reward-rules/%00`, undefined, 400, 'ruleId'],
      ['GET', `/v1/programs?cursor=${forged('yesterday', 'prg_x')}`, undefined, 400, 'cursor'],
      ['GET', `/v1/programs?cursor=${forged('5', 'prg_x')}`, undefined, 400, 'cursor'],
      [
        'GET',
        `/v1/programs/${p.id}/ctas?cursor=${forged('2026-01-01T00:00:00.000Z', 'x\u0000')}`,
        undefined,
        400,
        'cursor',
      ],
      [
        'GET',
        `/v1/programs/${p.id}/reward-rules?cursor=${forged(7, 'rul_x')}`,
        undefined,
        400,
        'cursor',
      ],
      ['POST', '/v1/programs', programBody({ name: 'Spring\u0000' }), 400, 'name'],
      ['PATCH', `/v1/programs/${p.id}`, { friendOffer: '\u0000' }, 400, 'friendOffer'],
      [
        'POST',
        `/v1/programs/${p.id}/ctas`,
        { key: 'k', channel: 'x', action: 'signup', label: 'a\u0000' },
        400,
        'label',
      ],
      [
        'POST',
        `/v1/programs/${p.id}/reward-rules`,
        { ...ADVOCATE_CASH_RULE, description: 'a\u0000b' },
        400,
        'description',
      ],
    ];
    for (const [method, path, body, status, field] of cases) {
      const res = await t.request(method, path, { key: b.key, body });
      expect([method, path, res.status, field ? fieldsOf(res) : []]).toEqual([
        method,
        path,
        status,
        field ? [field] : [],
      ]);
    }
  });

  it('needs an admin key', async () => {
    const b = await t.createBrand();
    const read = await t.request('POST', '/v1/api-keys', {
      key: b.key,
      body: { name: 'KPIs', scopes: ['read'] },
    });
    const res = await t.request('GET', '/v1/programs', { key: read.body.secret });
    expect(res.status).toBe(403);
    expect((await t.request('GET', '/v1/programs')).status).toBe(401);
  });

  it('documents the routes and fields in OpenAPI', async () => {
    const doc = (await t.request('GET', '/docs-json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/programs',
        '/v1/programs/{id}',
        '/v1/programs/{id}/ctas',
        '/v1/programs/{id}/ctas/{ctaId}',
        '/v1/programs/{id}/reward-rules',
        '/v1/programs/{id}/reward-rules/{ruleId}',
      ]),
    );
    const create = doc.components.schemas.CreateProgramDto;
    expect(Object.keys(create.properties)).toEqual(
      expect.arrayContaining(['name', 'goal', 'currency', 'landingUrl', 'budget', 'kpiWeights']),
    );
    expect(doc.components.schemas.UpdateProgramDto.properties.status.enum).toEqual([
      'draft',
      'active',
      'paused',
      'ended',
    ]);
    expect(doc.paths['/v1/programs'].post['x-scopes']).toEqual(['admin']);
  });
});
