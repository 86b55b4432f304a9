import { DataSource } from 'typeorm';
import { newId } from '@/common/ids';
import { startApp, TestApp } from './helpers/app';

/** Rows the programs/advocates APIs would create; inserted directly to keep this file focused. */
async function seedProgram(
  db: DataSource,
  brandId: string,
  ctaKeys: [string, string][],
  status = 'active',
) {
  const programId = newId('program');
  await db.query(
    `INSERT INTO programs (id, brand_id, name, status, goal, currency, landing_url) VALUES ($1, $2, 'Spring', $3, 'conversion', 'USD', 'https://shop.example.com/welcome')`,
    [programId, brandId, status],
  );
  const ctaIds: Record<string, string> = {};
  // Distinct creation times: links are listed in CTA creation order, and rows inserted in
  // quick succession could otherwise share a timestamp.
  for (const [index, [key, channel]] of ctaKeys.entries()) {
    ctaIds[key] = newId('cta');
    await db.query(
      `INSERT INTO ctas (id, brand_id, program_id, key, channel, action, label, created_at)
       VALUES ($1, $2, $3, $4, $5, 'purchase', $4, now() + make_interval(secs => $6))`,
      [ctaIds[key], brandId, programId, key, channel, index],
    );
  }

  return { programId, ctaIds };
}

async function seedAdvocate(db: DataSource, brandId: string, status = 'active') {
  const id = newId('advocate');
  await db.query(
    `INSERT INTO advocates (id, brand_id, external_id, status) VALUES ($1, $2, $3, $4)`,
    [id, brandId, `ext-${id}`, status],
  );
  return id;
}

describe('enrollments, referral codes and tracked links', () => {
  let t: TestApp;
  let db: DataSource;
  beforeAll(async () => {
    t = await startApp();
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  const CTAS: [string, string][] = [
    ['ig-story', 'instagram'],
    ['tiktok-bio', 'tiktok'],
    ['newsletter', 'email'],
  ];

  it('gives an advocate a generated code and one working link per CTA', async () => {
    const brand = await t.createBrand();
    const { programId } = await seedProgram(db, brand.id, CTAS);
    const advocateId = await seedAdvocate(db, brand.id);

    const res = await t.request('POST', `/v1/programs/${programId}/enrollments`, {
      key: brand.key,
      body: { advocateId },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ programId, advocateId, vanity: false });
    expect(res.body.code).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
    expect(res.body.links.map((l: any) => [l.ctaKey, l.channel])).toEqual(CTAS);
    for (const link of res.body.links) {
      expect(link.url).toBe(`http://links.test/r/${link.slug}`);
      expect(link.code).toBe(res.body.code);
    }
    expect(new Set(res.body.links.map((l: any) => l.slug)).size).toBe(3);
  });

  it('returns the same enrollment when enrolling again, also under concurrency', async () => {
    const brand = await t.createBrand();
    const { programId } = await seedProgram(db, brand.id, CTAS);
    const advocateId = await seedAdvocate(db, brand.id);
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        t.request('POST', `/v1/programs/${programId}/enrollments`, {
          key: brand.key,
          body: { advocateId },
        }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(7);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(new Set(results.map((r) => r.body.code)).size).toBe(1);
    const rows = await db.query('SELECT count(*)::int AS n FROM links WHERE advocate_id = $1', [
      advocateId,
    ]);
    expect(rows[0].n).toBe(3);
  });

  it('accepts a vanity code case-insensitively and answers 409 code_taken when the brand already uses it', async () => {
    const brand = await t.createBrand();
    const { programId } = await seedProgram(db, brand.id, CTAS);
    const second = await seedProgram(db, brand.id, CTAS);
    const a = await seedAdvocate(db, brand.id);
    const b = await seedAdvocate(db, brand.id);

    const first = await t.request('POST', `/v1/programs/${programId}/enrollments`, {
      key: brand.key,
      body: { advocateId: a, code: 'jane-summer' },
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ code: 'JANE-SUMMER', vanity: true });

    for (const [program, advocate] of [
      [programId, b],
      [second.programId, b],
    ]) {
      const taken = await t.request('POST', `/v1/programs/${program}/enrollments`, {
        key: brand.key,
        body: { advocateId: advocate, code: 'Jane-Summer' },
      });
      expect(taken.status).toBe(409);
      expect(taken.body.error).toMatchObject({
        code: 'code_taken',
        details: [{ field: 'code', issue: 'is already taken' }],
      });
    }
    const rows = await db.query(
      'SELECT count(*)::int AS n FROM enrollments WHERE advocate_id = $1',
      [b],
    );
    expect(rows[0].n).toBe(0);

    // the same code in another brand is fine: codes are unique per brand
    const other = await t.createBrand();
    const otherProgram = await seedProgram(db, other.id, CTAS);
    const otherAdvocate = await seedAdvocate(db, other.id);
    const elsewhere = await t.request(
      'POST',
      `/v1/programs/${otherProgram.programId}/enrollments`,
      {
        key: other.key,
        body: { advocateId: otherAdvocate, code: 'JANE-SUMMER' },
      },
    );
    expect(elsewhere.status).toBe(201);
  });

  it('rejects bad enrollment requests naming the field, writing nothing', async () => {
    const brand = await t.createBrand();
    const { programId } = await seedProgram(db, brand.id, CTAS);
    const advocateId = await seedAdvocate(db, brand.id);
    const banned = await seedAdvocate(db, brand.id, 'banned');
    const ended = await seedProgram(db, brand.id, CTAS, 'ended');
    const cases: [unknown, number, string][] = [
      [{}, 400, 'advocateId'],
      [{ advocateId, code: 'ab' }, 400, 'code'],
      [{ advocateId, code: 'has space' }, 400, 'code'],
      [{ advocateId, code: 'X'.repeat(33) }, 400, 'code'],
      [{ advocateId, extra: true }, 400, 'extra'],
      [{ advocateId: 'adv_missing0000000000000' }, 404, 'advocateId'],
      [{ advocateId: banned }, 422, 'advocateId'],
    ];
    for (const [body, status, field] of cases) {
      const res = await t.request('POST', `/v1/programs/${programId}/enrollments`, {
        key: brand.key,
        body,
      });
      expect({ body, status: res.status }).toEqual({ body, status });
      expect(res.body.error.details.map((d: any) => d.field)).toContain(field);
    }
    const endedRes = await t.request('POST', `/v1/programs/${ended.programId}/enrollments`, {
      key: brand.key,
      body: { advocateId },
    });
    expect(endedRes.status).toBe(409);
    const rows = await db.query('SELECT count(*)::int AS n FROM enrollments WHERE brand_id = $1', [
      brand.id,
    ]);
    expect(rows[0].n).toBe(0);
  });

  it('refuses to re-enroll with a different vanity code', async () => {
    const brand = await t.createBrand();
    const { programId } = await seedProgram(db, brand.id, CTAS);
    const advocateId = await seedAdvocate(db, brand.id);
    await t.request('POST', `/v1/programs/${programId}/enrollments`, {
      key: brand.key,
      body: { advocateId, code: 'FIRST' },
    });
    const again = await t.request('POST', `/v1/programs/${programId}/enrollments`, {
      key: brand.key,
      body: { advocateId, code: 'SECOND' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.details[0].field).toBe('code');
  });

  it('lists the enrollments of a program with pagination', async () => {
    const brand = await t.createBrand();
    const { programId } = await seedProgram(db, brand.id, CTAS.slice(0, 1));
    for (let i = 0; i < 3; i++) {
      const advocateId = await seedAdvocate(db, brand.id);
      await t.request('POST', `/v1/programs/${programId}/enrollments`, {
        key: brand.key,
        body: { advocateId },
      });
    }
    const first = await t.request('GET', `/v1/programs/${programId}/enrollments?limit=2`, {
      key: brand.key,
    });
    expect(first.body.data).toHaveLength(2);
    const second = await t.request(
      'GET',
      `/v1/programs/${programId}/enrollments?limit=2&cursor=${first.body.nextCursor}`,
      {
        key: brand.key,
      },
    );
    expect(second.body.data).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    expect(new Set([...first.body.data, ...second.body.data].map((e: any) => e.id)).size).toBe(3);
  });

  it("lists an advocate's links across programs with their counters", async () => {
    const brand = await t.createBrand();
    const p1 = await seedProgram(db, brand.id, CTAS);
    const p2 = await seedProgram(db, brand.id, CTAS.slice(0, 1));
    const advocateId = await seedAdvocate(db, brand.id);
    await t.request('POST', `/v1/programs/${p1.programId}/enrollments`, {
      key: brand.key,
      body: { advocateId },
    });
    await t.request('POST', `/v1/programs/${p2.programId}/enrollments`, {
      key: brand.key,
      body: { advocateId },
    });
    const all = await t.request('GET', `/v1/advocates/${advocateId}/links`, { key: brand.key });
    expect(all.status).toBe(200);
    expect(all.body.data).toHaveLength(4);
    expect(all.body.data[0]).toMatchObject({ clicks: 0, uniqueVisitors: 0, shares: 0 });
    const one = await t.request(
      'GET',
      `/v1/advocates/${advocateId}/links?programId=${p2.programId}`,
      { key: brand.key },
    );
    expect(one.body.data.map((l: any) => l.ctaKey)).toEqual(['ig-story']);
    expect(all.body.nextCursor).toBeNull();

    // Pages of 1 and 3 walk the same list in the same order, without a skip or a repeat.
    const walk = async (limit: number) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await t.request(
          'GET',
          `/v1/advocates/${advocateId}/links?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
          { key: brand.key },
        );
        expect(page.body.data.length).toBeLessThanOrEqual(limit);
        ids.push(...page.body.data.map((l: any) => l.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      return ids;
    };
    const everyId = all.body.data.map((l: any) => l.id);
    expect(await walk(1)).toEqual(everyId);
    expect(await walk(3)).toEqual(everyId);
    const first = await t.request('GET', `/v1/advocates/${advocateId}/links?limit=2`, {
      key: brand.key,
    });
    const foreign = await t.request(
      'GET',
      `/v1/advocates/${advocateId}/links?programId=${p2.programId}&cursor=${first.body.nextCursor}`,
      { key: brand.key },
    );
    expect([foreign.status, foreign.body.error.details[0].field]).toEqual([400, 'cursor']);
    const tooMany = await t.request('GET', `/v1/advocates/${advocateId}/links?limit=501`, {
      key: brand.key,
    });
    expect([tooMany.status, tooMany.body.error.details[0].field]).toEqual([400, 'limit']);
  });

  it('gives already-enrolled advocates a link for a CTA added later, on their next enrollment call', async () => {
    const brand = await t.createBrand();
    const { programId } = await seedProgram(db, brand.id, CTAS.slice(0, 1));
    const advocateId = await seedAdvocate(db, brand.id);
    await t.request('POST', `/v1/programs/${programId}/enrollments`, {
      key: brand.key,
      body: { advocateId },
    });
    await db.query(
      `INSERT INTO ctas (id, brand_id, program_id, key, channel, action, label) VALUES ($1, $2, $3, 'yt', 'youtube', 'signup', 'YouTube')`,
      [newId('cta'), brand.id, programId],
    );
    const again = await t.request('POST', `/v1/programs/${programId}/enrollments`, {
      key: brand.key,
      body: { advocateId },
    });
    expect(again.status).toBe(200);
    expect(again.body.links.map((l: any) => l.ctaKey)).toEqual(['ig-story', 'yt']);
  });

  it("answers 404 for another brand's program or advocate, exactly as for missing ones", async () => {
    const a = await t.createBrand();
    const b = await t.createBrand();
    const bProgram = await seedProgram(db, b.id, CTAS);
    const bAdvocate = await seedAdvocate(db, b.id);
    const aProgram = await seedProgram(db, a.id, CTAS);

    const crossProgram = await t.request('POST', `/v1/programs/${bProgram.programId}/enrollments`, {
      key: a.key,
      body: { advocateId: bAdvocate },
    });
    const missingProgram = await t.request(
      'POST',
      `/v1/programs/prg_missing0000000000000/enrollments`,
      {
        key: a.key,
        body: { advocateId: bAdvocate },
      },
    );
    expect(crossProgram.status).toBe(404);
    expect(crossProgram.body).toEqual(missingProgram.body);

    const crossAdvocate = await t.request(
      'POST',
      `/v1/programs/${aProgram.programId}/enrollments`,
      {
        key: a.key,
        body: { advocateId: bAdvocate },
      },
    );
    expect(crossAdvocate.status).toBe(404);
    expect(
      (await t.request('GET', `/v1/programs/${bProgram.programId}/enrollments`, { key: a.key }))
        .status,
    ).toBe(404);
    expect(
      (await t.request('GET', `/v1/advocates/${bAdvocate}/links`, { key: a.key })).status,
    ).toBe(404);
  });

  it('needs the admin scope', async () => {
    const brand = await t.createBrand();
    const { programId } = await seedProgram(db, brand.id, CTAS);
    const read = await t.request('POST', '/v1/api-keys', {
      key: brand.key,
      body: { name: 'r', scopes: ['read'] },
    });
    const res = await t.request('GET', `/v1/programs/${programId}/enrollments`, {
      key: read.body.secret,
    });
    expect(res.status).toBe(403);
  });
});
