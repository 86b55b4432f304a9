import { listTag } from '@/common/pagination/pagination';
import { encodeBreakdownCursor } from '@/modules/analytics/kpi-cursor';
import { Brand, startApp, TestApp } from './helpers/app';
import { createAdvocate, createProgram, createRule, ProgramSetup } from './helpers/event-factories';
import { createBatch, earn, soon } from './helpers/payouts';

/**
 * Query parameters a newcomer gets slightly wrong: a limit that is not a number, a time zone in
 * lower case, a time whose `+` was not escaped. Each gets one answer that says what to do.
 */
describe('query parameters', () => {
  let t: TestApp;
  let brand: Brand;
  let p: ProgramSetup;
  const get = (path: string) => t.request('GET', path, { key: brand.key });
  const issues = async (path: string) => {
    const res = await get(path);
    expect([path, res.status]).toEqual([path, 400]);
    return res.body.error.details;
  };

  beforeAll(async () => {
    t = await startApp({ REWARD_APPROVAL_INTERVAL_MS: '0' });
    brand = await t.createBrand();
    p = await createProgram(t, brand);
  });
  afterAll(() => t.close());

  it('a field named like a member of every object is refused like any unknown field', async () => {
    // class-validator took toString, constructor… for declared properties: silently ignored.
    for (const key of ['toString', 'constructor', 'hasOwnProperty', 'prototype', '__proto__']) {
      expect(await issues(`/v1/advocates?${key}=1`)).toEqual([
        { field: key, issue: 'is not an allowed field' },
      ]);
    }
    const body = await t.request('POST', '/v1/advocates', {
      key: brand.key,
      body: { externalId: 'reserved-key', valueOf: 1 },
    });
    expect(body.status).toBe(400);
    expect(body.body.error.details).toEqual([
      { field: 'valueOf', issue: 'is not an allowed field' },
    ]);
    expect((await get('/v1/advocates?search=reserved-key')).body.data).toEqual([]);
  });

  describe('limit', () => {
    const lists = () => [
      '/v1/rewards',
      '/v1/advocates',
      '/v1/api-keys',
      `/v1/programs/${p.programId}/ctas`,
      `/v1/programs/${p.programId}/kpis/breakdown`,
    ];

    it('anything but an integer from 1 to 500 is one issue naming limit', async () => {
      const one = [{ field: 'limit', issue: 'must be an integer from 1 to 500' }];
      for (const list of lists()) {
        for (const value of ['abc', '', '1.5', '0', '-3', '501', '1e9', '10abc']) {
          expect([list, value, await issues(`${list}?limit=${value}`)]).toEqual([list, value, one]);
        }
        expect([list, await issues(`${list}?limit=2&limit=3`)]).toEqual([list, one]);
      }
    });

    it('an integer in range is taken', async () => {
      for (const list of lists()) {
        for (const value of ['1', '500', '25']) {
          const res = await get(`${list}?limit=${value}`);
          expect([list, value, res.status]).toEqual([list, value, 200]);
        }
      }
    });
  });

  describe('from and to', () => {
    it('a range that ends before it starts is one issue naming from, not an empty page', async () => {
      for (const list of ['/v1/rewards', '/v1/reviews']) {
        for (const [from, to] of [
          ['2026-11-02', '2026-11-01'],
          ['2026-11-01T10:00:00Z', '2026-11-01T10:00:00Z'],
        ]) {
          expect([list, await issues(`${list}?from=${from}&to=${to}`)]).toEqual([
            list,
            [{ field: 'from', issue: 'must be before to' }],
          ]);
        }
        expect((await get(`${list}?from=2026-11-01&to=2026-11-02`)).status).toBe(200);
        // Either alone, or a bad one, is judged on its own.
        expect((await get(`${list}?from=2026-11-02`)).status).toBe(200);
        expect((await issues(`${list}?from=2026-11-02&to=soon`)).map((d: any) => d.field)).toEqual([
          'to',
        ]);
      }
    });

    it('a KPI time on a day that does not exist is refused, not moved to the next month', async () => {
      // V8 reads 2026-02-30T00:00:00Z as 2026-03-02: the period silently started 2 days later.
      for (const route of [
        `/v1/programs/${p.programId}/kpis`,
        `/v1/programs/${p.programId}/kpis/timeseries`,
        `/v1/programs/${p.programId}/kpis/breakdown`,
        `/v1/programs/${p.programId}/kpis/heatmap`,
        '/v1/kpis',
      ]) {
        expect([route, await issues(`${route}?from=2026-02-30T00:00:00Z&to=2026-03-10`)]).toEqual([
          route,
          [{ field: 'from', issue: 'is not a valid date' }],
        ]);
        expect([
          route,
          await issues(`${route}?from=2026-04-01&to=2026-04-31T10:00:00%2B02:00`),
        ]).toEqual([route, [{ field: 'to', issue: 'is not a valid date' }]]);
      }
      // The rewards list already refused it; a real leap day still reads.
      expect((await issues('/v1/rewards?from=2026-02-30T00:00:00Z'))[0].field).toBe('from');
      const leap = await get(
        `/v1/programs/${p.programId}/kpis?from=2028-02-29T00:00:00Z&to=2028-03-01`,
      );
      expect([leap.status, leap.body.from]).toEqual([200, '2028-02-29T00:00:00.000Z']);
    });
  });

  it("a breakdown cursor of another program of the brand is refused, not read as this program's position", async () => {
    // The cursor page p's breakdown would give (p has no rows to page through here).
    const q = listTag({ list: 'kpi-breakdown', brandId: brand.id, programId: p.programId });
    const cursor = encodeBreakdownCursor({
      q: `channel:reach:desc:${q}`,
      v: '3',
      k: 'instagram',
      r: 1,
    });
    const own = await get(`/v1/programs/${p.programId}/kpis/breakdown?sort=reach&cursor=${cursor}`);
    expect(own.status).toBe(200);
    const second = await createProgram(t, brand, { name: 'Second program' });
    expect(
      await issues(`/v1/programs/${second.programId}/kpis/breakdown?sort=reach&cursor=${cursor}`),
    ).toEqual([
      {
        field: 'cursor',
        issue:
          'belongs to another program or period: send the from, to and timezone of the page it came from',
      },
    ]);
  });

  describe('KPI timezone', () => {
    const base = () => `/v1/programs/${p.programId}/kpis`;

    it('takes an IANA name in any case and answers with its own spelling', async () => {
      for (const [sent, canonical] of [
        ['utc', 'UTC'],
        ['Utc', 'UTC'],
        ['UTC', 'UTC'],
        ['europe/paris', 'Europe/Paris'],
        ['AMERICA/NEW_YORK', 'America/New_York'],
      ]) {
        const heatmap = await get(`${base()}/heatmap?timezone=${encodeURIComponent(sent)}`);
        expect([sent, heatmap.status, heatmap.body.timezone]).toEqual([sent, 200, canonical]);
        const series = await get(`${base()}/timeseries?timezone=${encodeURIComponent(sent)}`);
        expect([sent, series.status, series.body.timezone]).toEqual([sent, 200, canonical]);
        const summary = await get(`${base()}?timezone=${encodeURIComponent(sent)}`);
        expect([sent, summary.status]).toEqual([sent, 200]);
        const brandWide = await get(`/v1/kpis?timezone=${encodeURIComponent(sent)}`);
        expect([sent, brandWide.status]).toEqual([sent, 200]);
      }
    });

    it('places date-only bounds in the zone however it is spelled', async () => {
      const res = await get(`${base()}?from=2026-11-16&to=2026-11-23&timezone=europe/paris`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        from: '2026-11-15T23:00:00.000Z',
        to: '2026-11-22T23:00:00.000Z',
      });
    });

    it('still refuses a name that is no time zone in any case', async () => {
      for (const zone of ['Mars/Olympus_Mons', 'paris', 'utc+1']) {
        expect(await issues(`${base()}?timezone=${encodeURIComponent(zone)}`)).toEqual([
          {
            field: 'timezone',
            issue: 'must be an IANA time zone name, such as Europe/Paris or UTC',
          },
        ]);
      }
    });
  });

  describe('a + sent unescaped in a time', () => {
    const base = () => `/v1/programs/${p.programId}/kpis`;

    it('KPI from/to: the issue says to send %2B or use Z', async () => {
      for (const field of ['from', 'to']) {
        const other = field === 'from' ? 'to=2026-11-20T00:00:00Z' : 'from=2026-10-20T00:00:00Z';
        // fetch sends the + as it is; the query string parser reads it as a space
        const details = await issues(`${base()}?${field}=2026-11-01T00:00:00+01:00&${other}`);
        expect(details).toEqual([
          {
            field,
            issue:
              'has a space where its offset\'s "+" should be: a "+" sent unescaped in a URL ' +
              'arrives as a space. Send it as %2B (2026-11-01T00:00:00%2B01:00) or give the time ' +
              'in UTC with Z (2026-10-31T23:00:00Z)',
          },
        ]);
      }
      const escaped = await get(
        `${base()}?from=2026-11-01T00:00:00%2B01:00&to=2026-11-20T00:00:00Z`,
      );
      expect(escaped.status).toBe(200);
      expect(escaped.body.from).toBe('2026-10-31T23:00:00.000Z');
    });

    it('other malformed times keep the plain issue', async () => {
      for (const value of ['2026-11-01T00:00:00', 'yesterday', '2026-11-01T00:00:00 1']) {
        const [detail] = await issues(`${base()}?from=${encodeURIComponent(value)}`);
        expect([value, detail.issue]).toEqual([
          value,
          'must be an ISO 8601 date (2026-03-01, midnight in `timezone`) or time with offset',
        ]);
      }
    });

    it('the rewards and reviews lists say the same for their from/to', async () => {
      const [detail] = await issues('/v1/rewards?from=2026-11-30T18:30:00.5+0530');
      expect(detail.field).toBe('from');
      expect(detail.issue).toContain('Send it as %2B (2026-11-30T18:30:00.5%2B0530)');
      expect(detail.issue).toContain('(2026-11-30T13:00:00.500Z)');
      expect((await get('/v1/rewards?from=2026-11-01T00:00:00%2B01:00')).status).toBe(200);
      const [review] = await issues('/v1/reviews?to=2026-11-01T00:00:00+01:00');
      expect(review.field).toBe('to');
      expect(review.issue).toContain('Send it as %2B (2026-11-01T00:00:00%2B01:00)');
    });
  });

  it('status messages use "an" before a vowel: "An approved reward cannot be rejected"', async () => {
    await createRule(t, p, {
      trigger: { event: 'purchase' },
      recipient: 'advocate',
      reward: { kind: 'cash', amount: 1000 },
    });
    const earned = await earn(t, p, await createAdvocate(t, p));
    expect((await createBatch(t, brand.key, { currency: 'USD', cutoff: soon() })).status).toBe(201);
    const rejected = await t.request('POST', `/v1/rewards/${earned.reward.id}/reject`, {
      key: brand.key,
      body: { reason: 'too late' },
    });
    expect(rejected.status).toBe(409);
    expect(rejected.body.error.message).toBe(
      'An approved reward cannot be rejected: it is in a payout batch',
    );
  });
});
