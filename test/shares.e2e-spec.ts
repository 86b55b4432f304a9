import { DataSource } from 'typeorm';
import { Brand, startApp, TestApp } from './helpers/app';
import { seedLink, SeededLink } from './helpers/factories';
import { LinkStatsRepository } from '@/modules/tracking/link-stats.repository';

describe('shares', () => {
  let t: TestApp;
  let db: DataSource;
  let brand: Brand;
  let trackKey: string;
  let link: SeededLink;

  const keyWith = async (b: Brand, scope: string) =>
    (
      await t.request('POST', '/v1/api-keys', {
        key: b.key,
        body: { name: `${scope} key`, scopes: [scope] },
      })
    ).body.secret as string;

  const post = (body: unknown, key = trackKey) => t.request('POST', '/v1/shares', { key, body });
  const listFor = async (advocateId: string) =>
    (await t.request('GET', `/v1/shares?advocateId=${advocateId}&limit=500`, { key: trackKey }))
      .body.data as any[];

  beforeAll(async () => {
    t = await startApp();
    db = t.app.get(DataSource);
    brand = await t.createBrand();
    trackKey = await keyWith(brand, 'track');
    link = await seedLink(db, brand.id, { ctaKey: 'ig-story', channel: 'instagram' });
  });
  afterAll(() => t.close());

  it('records a share reported by advocate id and CTA key', async () => {
    const before = Date.now();
    const res = await post({
      advocateId: link.advocateId,
      programId: link.programId,
      ctaKey: 'ig-story',
      postUrl: 'https://www.instagram.com/p/C7xYz12AbCd/',
      reach: 1840,
      impressions: 5230,
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^shr_[0-9A-Za-z]{20}$/),
      programId: link.programId,
      advocateId: link.advocateId,
      ctaKey: 'ig-story',
      channel: 'instagram',
      postUrl: 'https://www.instagram.com/p/C7xYz12AbCd/',
      reach: 1840,
      impressions: 5230,
      sharedAt: expect.any(String),
      createdAt: expect.any(String),
    });
    expect(Date.parse(res.body.sharedAt)).toBeGreaterThanOrEqual(before - 5);
    expect((await listFor(link.advocateId)).map((s) => s.id)).toContain(res.body.id);
    const stats = await t.app.get(LinkStatsRepository).statsForLinks(brand.id, [link.linkId]);
    expect(stats.get(link.linkId)?.shares).toBeGreaterThanOrEqual(1);
  });

  it('accepts the referral code in any case and the channel instead of the CTA key', async () => {
    const other = await seedLink(db, brand.id, {
      ctaKey: 'wa-msg',
      channel: 'whatsapp',
      code: 'LENA2026',
    });
    const res = await post({
      code: ' lena2026 ',
      channel: 'whatsapp',
      sharedAt: '2026-01-10T18:04:00Z',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      programId: other.programId,
      advocateId: other.advocateId,
      ctaKey: 'wa-msg',
      channel: 'whatsapp',
      postUrl: null,
      reach: null,
      impressions: null,
      sharedAt: '2026-01-10T18:04:00.000Z',
    });
    const stats = await t.app.get(LinkStatsRepository).statsForLinks(brand.id, [other.linkId]);
    expect(stats.get(other.linkId)).toEqual({ clicks: 0, uniqueVisitors: 0, shares: 1 });
  });

  it.each([
    ['no advocate', { programId: 'p', ctaKey: 'ig-story' }, 'advocateId'],
    ['advocate and code', { advocateId: 'a', code: 'X', programId: 'p', ctaKey: 'k' }, 'code'],
    ['advocate without program', { advocateId: 'a', ctaKey: 'ig-story' }, 'programId'],
    ['no CTA', { code: 'X' }, 'ctaKey'],
    ['CTA key and channel', { code: 'X', ctaKey: 'k', channel: 'instagram' }, 'channel'],
    ['unknown channel', { code: 'X', channel: 'myspace' }, 'channel'],
    ['ftp post URL', { code: 'X', ctaKey: 'k', postUrl: 'ftp://x.example.com/p' }, 'postUrl'],
    [
      'overlong post URL',
      { code: 'X', ctaKey: 'k', postUrl: `https://x.com/${'a'.repeat(2000)}` },
      'postUrl',
    ],
    ['negative reach', { code: 'X', ctaKey: 'k', reach: -1 }, 'reach'],
    ['fractional impressions', { code: 'X', ctaKey: 'k', impressions: 1.5 }, 'impressions'],
    ['reach as text', { code: 'X', ctaKey: 'k', reach: '100' }, 'reach'],
    ['reach past 10^12', { code: 'X', ctaKey: 'k', reach: 10 ** 12 + 1 }, 'reach'],
    ['impressions past 10^12', { code: 'X', ctaKey: 'k', impressions: 2 ** 53 - 1 }, 'impressions'],
    [
      'sharedAt in the future',
      { code: 'X', ctaKey: 'k', sharedAt: new Date(Date.now() + 3_600_000).toISOString() },
      'sharedAt',
    ],
    ['sharedAt not a date', { code: 'X', ctaKey: 'k', sharedAt: 'yesterday' }, 'sharedAt'],
    // Without a zone, Date read it in the server's local time zone (an hour off in Paris).
    [
      'sharedAt without a time zone',
      { code: 'X', ctaKey: 'k', sharedAt: '2026-01-10T18:04:00' },
      'sharedAt',
    ],
    [
      'sharedAt on a day that does not exist',
      { code: 'X', ctaKey: 'k', sharedAt: '2026-02-30T10:00:00Z' },
      'sharedAt',
    ],
    ['unknown field', { code: 'X', ctaKey: 'k', likes: 3 }, 'likes'],
  ])('rejects %s with 400 naming the field and writes nothing', async (_name, body, field) => {
    const before = (await listFor(link.advocateId)).length;
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.map((d: any) => d.field)).toContain(field);
    expect(await listFor(link.advocateId)).toHaveLength(before);
  });

  it('takes sharedAt with its offset, and refuses one without a zone with the reason', async () => {
    const base = { advocateId: link.advocateId, programId: link.programId, ctaKey: 'ig-story' };
    const zoned = await post({ ...base, sharedAt: '2026-01-10T19:04:00+01:00' });
    expect([zoned.status, zoned.body.sharedAt]).toEqual([201, '2026-01-10T18:04:00.000Z']);
    const before = (await listFor(link.advocateId)).length;
    const zoneless = await post({ ...base, sharedAt: '2026-01-10T19:04:00' });
    expect(zoneless.status).toBe(400);
    expect(zoneless.body.error.details).toEqual([
      {
        field: 'sharedAt',
        issue: 'must be an ISO-8601 date-time with a time zone (2026-03-01T09:00:00Z) or a date',
      },
    ]);
    expect(await listFor(link.advocateId)).toHaveLength(before);
  });

  it('answers 422 when the advocate is not enrolled in the program', async () => {
    const elsewhere = await seedLink(db, brand.id); // another program, another advocate
    const res = await post({
      advocateId: link.advocateId,
      programId: elsewhere.programId,
      ctaKey: elsewhere.ctaKey,
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({
      code: 'unprocessable',
      details: [{ field: 'advocateId', issue: expect.stringContaining(elsewhere.programId) }],
    });
    const mismatch = await post({ code: link.code, programId: elsewhere.programId, ctaKey: 'x' });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.error.details[0].field).toBe('code');
  });

  it('answers 422, writing nothing, where a click would not count either', async () => {
    const shareOf = (l: SeededLink, by: 'code' | 'advocateId', sharedAt?: Date) =>
      post({
        ...(by === 'code'
          ? { code: l.code }
          : { advocateId: l.advocateId, programId: l.programId }),
        ctaKey: l.ctaKey,
        ...(sharedAt ? { sharedAt: sharedAt.toISOString() } : {}),
      });
    const day = 86_400_000;
    const starts = new Date(Date.now() - 10 * day);
    const ends = new Date(Date.now() - day);
    const cases: [string, SeededLink, 'code' | 'advocateId', Date | undefined, string, string][] = [
      [
        'banned',
        await seedLink(db, brand.id, { advocateStatus: 'banned' }),
        'code',
        undefined,
        'code',
        'is banned',
      ],
      [
        'paused',
        await seedLink(db, brand.id, { advocateStatus: 'paused' }),
        'advocateId',
        undefined,
        'advocateId',
        'is paused',
      ],
      [
        'draft',
        await seedLink(db, brand.id, { programStatus: 'draft' }),
        'advocateId',
        undefined,
        'programId',
        'is draft',
      ],
      [
        'paused program',
        await seedLink(db, brand.id, { programStatus: 'paused' }),
        'code',
        undefined,
        'code',
        'is paused',
      ],
      [
        'ended',
        await seedLink(db, brand.id, { programStatus: 'ended' }),
        'code',
        undefined,
        'code',
        'is ended',
      ],
      [
        'before the start',
        await seedLink(db, brand.id, { startsAt: starts }),
        'code',
        new Date(starts.getTime() - 1000),
        'sharedAt',
        `starts (${starts.toISOString()})`,
      ],
      [
        'after the end',
        await seedLink(db, brand.id, { endsAt: ends }),
        'code',
        undefined,
        'sharedAt',
        `(${ends.toISOString()})`,
      ],
    ];
    for (const [name, l, by, sharedAt, field, issue] of cases) {
      const res = await shareOf(l, by, sharedAt);
      expect([name, res.status, res.body.error?.code]).toEqual([name, 422, 'unprocessable']);
      expect(res.body.error.details).toEqual([{ field, issue: expect.stringContaining(issue) }]);
      expect(await listFor(l.advocateId)).toHaveLength(0);
    }
    // Inside the schedule, the same program records it.
    const scheduled = cases[5]![1];
    expect((await shareOf(scheduled, 'code', new Date(starts.getTime() + 1000))).status).toBe(201);
    // Several reasons at once.
    const both = await seedLink(db, brand.id, { advocateStatus: 'banned', programStatus: 'ended' });
    const res = await shareOf(both, 'advocateId');
    expect(res.body.error.details.map((d: any) => d.field)).toEqual(['advocateId', 'programId']);
  });

  it('refuses a share dated before 2000 (a widget sending epoch 0) with 400', async () => {
    const res = await post({
      code: link.code,
      ctaKey: link.ctaKey,
      sharedAt: '1970-01-01T00:00:00Z',
    });
    expect([res.status, res.body.error.details]).toEqual([
      400,
      [{ field: 'sharedAt', issue: 'must not be before 2000-01-01' }],
    ]);
  });

  it('answers 422 for an unknown CTA key or a channel without exactly one CTA', async () => {
    const unknownKey = await post({ code: link.code, ctaKey: 'tiktok-duet' });
    expect(unknownKey.status).toBe(422);
    expect(unknownKey.body.error.details[0].field).toBe('ctaKey');
    const none = await post({ code: link.code, channel: 'email' });
    expect(none.status).toBe(422);
    expect(none.body.error.details[0].field).toBe('channel');
    await seedLink(db, brand.id, {
      programId: link.programId,
      advocateId: link.advocateId,
      ctaKey: 'ig-reel',
      channel: 'instagram',
    });
    const ambiguous = await post({ code: link.code, channel: 'instagram' });
    expect(ambiguous.status).toBe(422);
    expect(ambiguous.body.error.details[0]).toEqual({
      field: 'channel',
      issue: expect.stringMatching(/ig-reel, ig-story/),
    });
  });

  it("answers 404 for another brand's advocate, program or code, and for unknown ones", async () => {
    const other = await t.createBrand();
    const theirs = await seedLink(db, other.id, { code: 'THEIRS26' });
    const cases = [
      { advocateId: theirs.advocateId, programId: theirs.programId, ctaKey: theirs.ctaKey },
      { advocateId: link.advocateId, programId: theirs.programId, ctaKey: theirs.ctaKey },
      { code: 'theirs26', ctaKey: theirs.ctaKey },
      { code: 'NOPE0000', ctaKey: 'ig-story' },
      { advocateId: 'adv_00000000000000000000', programId: link.programId, ctaKey: 'ig-story' },
    ];
    for (const body of cases) {
      const res = await post(body);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    for (const q of [`programId=${theirs.programId}`, `advocateId=${theirs.advocateId}`]) {
      const res = await t.request('GET', `/v1/shares?${q}`, { key: trackKey });
      expect(res.status).toBe(404);
    }
    // and their shares never show in our list
    await post(
      { advocateId: theirs.advocateId, programId: theirs.programId, ctaKey: theirs.ctaKey },
      other.key,
    );
    const ours = await t.request('GET', '/v1/shares?limit=500', { key: trackKey });
    expect(ours.body.data.every((s: any) => s.advocateId !== theirs.advocateId)).toBe(true);
  });

  it('lists shares newest first with cursor pagination, filtered by program and advocate', async () => {
    const b = await t.createBrand();
    const l = await seedLink(db, b.id, { ctaKey: 'ig-story' });
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await post({ code: l.code, ctaKey: 'ig-story', reach: i }, b.key);
      created.push(res.body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/v1/shares?programId=${l.programId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await t.request('GET', q, { key: b.key });
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((s: any) => s.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...created].reverse());
    const forged = Buffer.from(JSON.stringify({ k: 'not a time', id: 'shr_x' })).toString(
      'base64url',
    );
    for (const cursor of ['garbage', forged]) {
      const bad = await t.request('GET', `/v1/shares?cursor=${cursor}`, { key: b.key });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details[0].field).toBe('cursor');
    }
  });

  it('needs the track scope to report, and track or read to list', async () => {
    const read = await keyWith(brand, 'read');
    const finance = await keyWith(brand, 'finance');
    const body = { code: link.code, ctaKey: 'ig-story' };
    expect((await post(body, read)).status).toBe(403);
    expect((await post(body, finance)).status).toBe(403);
    expect((await post(body)).status).toBe(201);
    expect((await post(body, brand.key)).status).toBe(201); // admin passes everywhere
    expect((await t.request('GET', '/v1/shares', { key: read })).status).toBe(200);
    expect((await t.request('GET', '/v1/shares', { key: finance })).status).toBe(403);
    expect((await t.request('GET', '/v1/shares')).status).toBe(401);
  });
});
