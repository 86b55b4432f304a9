import { DataSource } from 'typeorm';
import { Brand, startApp, TestApp } from './helpers/app';
import { newId } from '@/common/ids';

describe('Advocates', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  const create = (brand: Brand, body: Record<string, unknown>) =>
    t.request('POST', '/v1/advocates', { key: brand.key, body });
  const list = (brand: Brand, query = '') =>
    t.request('GET', `/v1/advocates${query ? `?${query}` : ''}`, { key: brand.key });
  const sql = (query: string, params: unknown[] = []) => t.app.get(DataSource).query(query, params);

  it('creates an advocate with every field, and with defaults from an externalId alone', async () => {
    const brand = await t.createBrand();
    const full = await create(brand, {
      externalId: ' cust_1001 ',
      email: 'Alice.Martin+ref@GoogleMail.com',
      name: 'Alice Martin',
      tier: 'micro',
      socialProfiles: [
        { channel: 'instagram', handle: '@alice.cooks', followers: 12500 },
        { channel: 'tiktok', handle: '@alicecooks' },
      ],
      tags: ['VIP', 'summer-2026', 'vip'],
      status: 'invited',
    });
    expect(full.status).toBe(201);
    expect(full.body).toEqual({
      id: expect.stringMatching(/^adv_[0-9A-Za-z]{20}$/),
      externalId: 'cust_1001',
      email: 'Alice.Martin+ref@GoogleMail.com',
      name: 'Alice Martin',
      tier: 'micro',
      socialProfiles: [
        { channel: 'instagram', handle: '@alice.cooks', followers: 12500 },
        { channel: 'tiktok', handle: '@alicecooks' },
      ],
      tags: ['vip', 'summer-2026'],
      status: 'invited',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const [row] = await sql('SELECT email_normalized, brand_id FROM advocates WHERE id = $1', [
      full.body.id,
    ]);
    expect(row).toEqual({ email_normalized: 'alicemartin@gmail.com', brand_id: brand.id });

    const minimal = await create(brand, { externalId: 'cust_1002' });
    expect(minimal.status).toBe(201);
    expect(minimal.body).toMatchObject({
      email: null,
      name: null,
      tier: 'customer',
      socialProfiles: [],
      tags: [],
      status: 'active',
    });
    const got = await t.request('GET', `/v1/advocates/${full.body.id}`, { key: brand.key });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(full.body);
  });

  it('answers 409 for an externalId the brand already has; another brand may use it', async () => {
    const a = await t.createBrand();
    const b = await t.createBrand();
    expect((await create(a, { externalId: 'same' })).status).toBe(201);
    const dup = await create(a, { externalId: 'same', name: 'Second' });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toEqual({
      code: 'conflict',
      message: expect.any(String),
      details: [{ field: 'externalId', issue: 'already exists' }],
    });
    expect((await create(b, { externalId: 'same' })).status).toBe(201);
    expect((await list(a)).body.data).toHaveLength(1);
  });

  it.each([
    ['a missing externalId', { externalId: undefined }, 'externalId'],
    ['an empty externalId', { externalId: '  ' }, 'externalId'],
    ['a too long externalId', { externalId: 'x'.repeat(201) }, 'externalId'],
    ['a malformed e-mail', { email: 'alice@' }, 'email'],
    ['a too long e-mail', { email: `${'a'.repeat(310)}@example.com` }, 'email'],
    ['a too long name', { name: 'n'.repeat(201) }, 'name'],
    ['an unknown tier', { tier: 'giant' }, 'tier'],
    ['a null tier', { tier: null }, 'tier'],
    ['an unknown status', { status: 'deleted' }, 'status'],
    ['social profiles that are not a list', { socialProfiles: 'instagram' }, 'socialProfiles'],
    [
      'more than 20 social profiles',
      { socialProfiles: Array.from({ length: 21 }, () => ({ channel: 'x', handle: 'h' })) },
      'socialProfiles',
    ],
    [
      'an unknown channel',
      { socialProfiles: [{ channel: 'myspace', handle: 'tom' }] },
      'socialProfiles[0].channel',
    ],
    [
      'an empty handle',
      { socialProfiles: [{ channel: 'x', handle: '' }] },
      'socialProfiles[0].handle',
    ],
    [
      'a too long handle',
      { socialProfiles: [{ channel: 'x', handle: 'h'.repeat(101) }] },
      'socialProfiles[0].handle',
    ],
    [
      'negative followers',
      { socialProfiles: [{ channel: 'x', handle: 'h', followers: -1 }] },
      'socialProfiles[0].followers',
    ],
    [
      'fractional followers',
      { socialProfiles: [{ channel: 'x', handle: 'h', followers: 1.5 }] },
      'socialProfiles[0].followers',
    ],
    ['tags that are not a list', { tags: 'vip' }, 'tags'],
    ['a malformed tag', { tags: ['ok', 'not ok!'] }, 'tags'],
    ['a too long tag', { tags: ['t'.repeat(51)] }, 'tags'],
    ['more than 50 tags', { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, 'tags'],
    ['an unknown field', { colour: 'red' }, 'colour'],
  ])('refuses %s, naming the field, and writes nothing', async (_case, body, field) => {
    const brand = await t.createBrand();
    const res = await create(brand, { externalId: 'cust_1', ...body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect((await list(brand)).body.data).toEqual([]);
  });

  it('patches the fields sent, clears email and name with null, and may change externalId', async () => {
    const brand = await t.createBrand();
    const created = await create(brand, {
      externalId: 'cust_1',
      email: 'old@example.com',
      name: 'Old Name',
      tags: ['a'],
    });
    const id = created.body.id;
    const patched = await t.request('PATCH', `/v1/advocates/${id}`, {
      key: brand.key,
      body: {
        name: 'New Name',
        tier: 'mega',
        email: 'J.Doe+x@gmail.com',
        tags: ['B', 'c'],
        socialProfiles: [{ channel: 'youtube', handle: 'jdoe', followers: 2000000 }],
        status: 'paused',
      },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      externalId: 'cust_1',
      name: 'New Name',
      tier: 'mega',
      email: 'J.Doe+x@gmail.com',
      tags: ['b', 'c'],
      socialProfiles: [{ channel: 'youtube', handle: 'jdoe', followers: 2000000 }],
      status: 'paused',
      createdAt: created.body.createdAt,
    });
    expect(Date.parse(patched.body.updatedAt)).toBeGreaterThanOrEqual(
      Date.parse(created.body.updatedAt),
    );
    const [row] = await sql('SELECT email_normalized FROM advocates WHERE id = $1', [id]);
    expect(row.email_normalized).toBe('jdoe@gmail.com');

    // Nothing changed, nothing moves: an empty PATCH, or the values it already has.
    for (const body of [{}, { tier: 'mega', tags: ['b', 'c'], status: 'paused' }]) {
      const same = await t.request('PATCH', `/v1/advocates/${id}`, { key: brand.key, body });
      expect(same.status).toBe(200);
      expect(same.body).toEqual(patched.body);
    }

    const cleared = await t.request('PATCH', `/v1/advocates/${id}`, {
      key: brand.key,
      body: { email: null, name: null, externalId: 'cust_1-renamed' },
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ email: null, name: null, externalId: 'cust_1-renamed' });
    const [after] = await sql('SELECT email_normalized FROM advocates WHERE id = $1', [id]);
    expect(after.email_normalized).toBeNull();
    expect(
      (await t.request('PATCH', `/v1/advocates/${id}`, { key: brand.key, body: {} })).status,
    ).toBe(200);
  });

  it('refuses a patch to an externalId already used (409) and bad patches (400), changing nothing', async () => {
    const brand = await t.createBrand();
    await create(brand, { externalId: 'taken' });
    const mine = await create(brand, { externalId: 'mine', tier: 'nano' });
    const url = `/v1/advocates/${mine.body.id}`;
    const conflict = await t.request('PATCH', url, {
      key: brand.key,
      body: { externalId: 'taken' },
    });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.details).toEqual([{ field: 'externalId', issue: 'already exists' }]);
    for (const [body, field] of [
      [{ tier: null }, 'tier'],
      [{ status: 'gone' }, 'status'],
      [{ externalId: null }, 'externalId'],
      [{ tags: null }, 'tags'],
      [{ email: 'nope' }, 'email'],
      [{ socialProfiles: [{ channel: 'x' }] }, 'socialProfiles[0].handle'],
      [{ id: 'adv_x' }, 'id'],
    ] as const) {
      const res = await t.request('PATCH', url, { key: brand.key, body });
      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    const unchanged = await t.request('GET', url, { key: brand.key });
    expect(unchanged.body).toEqual(mine.body);
  });

  it("answers 404 for another brand's advocate on GET and PATCH, exactly as for a missing one", async () => {
    const a = await t.createBrand();
    const b = await t.createBrand();
    const theirs = await create(b, { externalId: 'b-1', name: 'Theirs' });
    const missing = await t.request('GET', '/v1/advocates/adv_00000000000000000000', {
      key: a.key,
    });
    expect(missing.status).toBe(404);
    const cross = await t.request('GET', `/v1/advocates/${theirs.body.id}`, { key: a.key });
    expect(cross.status).toBe(404);
    expect(cross.body).toEqual(missing.body);
    const malformed = await t.request('GET', '/v1/advocates/not-an-id', { key: a.key });
    expect(malformed.body).toEqual(missing.body);

    const crossPatch = await t.request('PATCH', `/v1/advocates/${theirs.body.id}`, {
      key: a.key,
      body: { name: 'Hijacked' },
    });
    const missingPatch = await t.request('PATCH', '/v1/advocates/adv_00000000000000000000', {
      key: a.key,
      body: { name: 'Hijacked' },
    });
    expect(crossPatch.status).toBe(404);
    expect(crossPatch.body).toEqual(missingPatch.body);
    const still = await t.request('GET', `/v1/advocates/${theirs.body.id}`, { key: b.key });
    expect(still.body.name).toBe('Theirs');
    expect((await list(a)).body.data).toEqual([]);
  });

  it('needs an admin key', async () => {
    const brand = await t.createBrand();
    const read = await t.request('POST', '/v1/api-keys', {
      key: brand.key,
      body: { name: 'r', scopes: ['read'] },
    });
    expect((await t.request('GET', '/v1/advocates')).status).toBe(401);
    expect((await list({ id: brand.id, key: read.body.secret })).status).toBe(403);
  });

  describe('listing', () => {
    let brand: Brand;
    const ids: Record<string, string> = {};
    beforeAll(async () => {
      brand = await t.createBrand();
      const people = [
        { externalId: 'C-003', name: 'bob', email: 'bob@example.com', tier: 'nano', tags: ['vip'] },
        {
          externalId: 'C-001',
          name: 'Alice',
          email: 'alice@shop.io',
          tier: 'micro',
          status: 'paused',
        },
        { externalId: 'C-005', name: 'Zoë', tier: 'micro', tags: ['vip', 'eu'] },
        { externalId: 'C-002', email: 'nameless@example.com', status: 'banned' },
        { externalId: 'C-004', name: 'carol 100%_real', tags: ['eu'] },
        { externalId: 'C-006', name: 'Alice', email: 'alice2@example.com' },
        { externalId: 'c-007', name: 'dave' },
      ];
      for (const p of people) ids[p.externalId] = (await create(brand, p)).body.id;
    });

    const externalIds = (res: { body: { data: { externalId: string }[] } }) =>
      res.body.data.map((a) => a.externalId);

    it('filters by status, tier and tag', async () => {
      expect(externalIds(await list(brand, 'status=paused'))).toEqual(['C-001']);
      expect(externalIds(await list(brand, 'tier=micro')).sort()).toEqual(['C-001', 'C-005']);
      expect(externalIds(await list(brand, 'tag=VIP')).sort()).toEqual(['C-003', 'C-005']);
      expect(externalIds(await list(brand, 'tag=eu&tier=micro'))).toEqual(['C-005']);
      for (const q of ['status=gone', 'tier=huge', 'tag=no%20spaces', 'sort=score', 'order=up']) {
        const res = await list(brand, q);
        expect(res.status).toBe(400);
        expect(res.body.error.details[0].field).toBe(q.split('=')[0]);
      }
    });

    it('searches name, e-mail and externalId case-insensitively, wildcards taken literally', async () => {
      expect(externalIds(await list(brand, 'search=ALICE')).sort()).toEqual(['C-001', 'C-006']);
      expect(externalIds(await list(brand, 'search=shop.IO'))).toEqual(['C-001']);
      expect(externalIds(await list(brand, 'search=c-00')).length).toBe(7);
      expect(externalIds(await list(brand, 'search=100%25_'))).toEqual(['C-004']);
      expect(externalIds(await list(brand, 'search=%25'))).toEqual(['C-004']);
      expect(externalIds(await list(brand, 'search=_'))).toEqual(['C-004']);
      expect(externalIds(await list(brand, 'search=nobody'))).toEqual([]);
    });

    it('filters by program enrollment, within the brand only', async () => {
      const other = await t.createBrand();
      // fresh ids: fixed ones failed a second run on the same PostgreSQL database (duplicate key)
      const [mine, theirs] = [newId('program'), newId('program')];
      for (const [id, owner] of [
        [mine, brand.id],
        [theirs, other.id],
      ]) {
        await sql(
          `INSERT INTO programs (id, brand_id, name, goal, currency, landing_url)
           VALUES ($1, $2, 'Spring', 'conversion', 'EUR', 'https://shop.example.com')`,
          [id, owner],
        );
      }
      for (const [n, externalId] of [
        ['1', 'C-003'],
        ['2', 'C-005'],
      ]) {
        await sql(
          `INSERT INTO enrollments (id, brand_id, program_id, advocate_id, code)
           VALUES ($1, $2, $3, $4, $5)`,
          [newId('enrollment'), brand.id, mine, ids[externalId], `ADVTEST${n}`],
        );
      }
      const enrolled = await list(brand, `program=${mine}`);
      expect(externalIds(enrolled).sort()).toEqual(['C-003', 'C-005']);
      expect(externalIds(await list(brand, `program=${mine}&tag=eu`))).toEqual(['C-005']);
      expect(externalIds(await list(brand, `program=${theirs}`))).toEqual([]);
      expect(externalIds(await list(other, `program=${mine}`))).toEqual([]);
    });

    async function pageThrough(query: string, limit: number): Promise<string[]> {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 20; i++) {
        const res: any = await list(
          brand,
          `${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(res.status).toBe(200);
        expect(res.body.data.length).toBeLessThanOrEqual(limit);
        seen.push(...externalIds(res));
        cursor = res.body.nextCursor;
        if (!cursor) return seen;
      }
      throw new Error('pagination did not end');
    }

    it.each([
      ['sort=createdAt', ['c-007', 'C-006', 'C-004', 'C-002', 'C-005', 'C-001', 'C-003']],
      ['sort=createdAt&order=asc', ['C-003', 'C-001', 'C-005', 'C-002', 'C-004', 'C-006', 'c-007']],
      ['sort=externalId', ['C-001', 'C-002', 'C-003', 'C-004', 'C-005', 'C-006', 'c-007']],
      [
        'sort=externalId&order=desc',
        ['c-007', 'C-006', 'C-005', 'C-004', 'C-003', 'C-002', 'C-001'],
      ],
    ])('pages %s without gaps or repeats', async (query, expected) => {
      for (const limit of [1, 2, 3, 7, 50]) {
        const seen = await pageThrough(query, limit);
        expect(seen).toEqual(expected);
      }
    });

    it('sorts by name case-insensitively, both ways, advocates without a name as ""', async () => {
      // Ties on the name are ordered by id, as the database collates it.
      const alices: { id: string }[] = await sql(
        'SELECT id FROM advocates WHERE id = ANY($1) ORDER BY id',
        [[ids['C-001'], ids['C-006']]],
      );
      const aliceIds = alices.map((a) => (a.id === ids['C-001'] ? 'C-001' : 'C-006'));
      const asc = ['C-002', ...aliceIds, 'C-003', 'C-004', 'c-007', 'C-005'];
      for (const limit of [1, 2, 3, 50]) {
        expect(await pageThrough('sort=name', limit)).toEqual(asc);
        // (name, id) is a total order: descending is ascending reversed, ties included.
        expect(await pageThrough('sort=name&order=desc', limit)).toEqual([...asc].reverse());
      }
    });

    it('refuses a cursor from another sort order', async () => {
      const first = await list(brand, 'sort=name&limit=2');
      const res = await list(brand, `sort=createdAt&limit=2&cursor=${first.body.nextCursor}`);
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].field).toBe('cursor');
      const garbage = await list(brand, 'cursor=garbage');
      expect(garbage.status).toBe(400);
      // a forged name cursor holding a NUL was sent to SQL: a 500
      const nul = Buffer.from(JSON.stringify({ k: 'name.asc:\u0000', id: 'adv_x' }));
      const forged = await list(brand, `sort=name&cursor=${nul.toString('base64url')}`);
      expect([forged.status, forged.body.error.details[0].field]).toEqual([400, 'cursor']);
    });
  });
});
