import { parse } from 'csv-parse/sync';
import { ClickWriter } from '@/modules/tracking/click-writer';
import { Brand, startApp, TestApp } from './helpers/app';
import {
  AdvocateSetup,
  clickLink,
  createAdvocate,
  createProgram,
  ProgramSetup,
} from './helpers/event-factories';

const DAY = 24 * 3_600_000;

/**
 * KPI CSV files are opened in spreadsheets: text a brand or an advocate typed (a program name,
 * an advocate's name or external id, a CTA label) must not run as a formula there, while the
 * numbers Tandem computes (a negative ROI) stay numbers.
 */
describe('KPI CSV exports and spreadsheet formulas', () => {
  let t: TestApp;
  let brand: Brand;
  let p: ProgramSetup;
  let mallory: AdvocateSetup;
  const get = (path: string) => t.request('GET', path, { key: brand.key });
  const rows = (text: string) => parse(text, { columns: true }) as Record<string, string>[];

  beforeAll(async () => {
    t = await startApp({ REWARD_APPROVAL_INTERVAL_MS: '0', KPI_MAINTENANCE_INTERVAL_MS: '0' });
    brand = await t.createBrand();
    // A program cost and no revenue: the summary's ROI is -1.
    p = await createProgram(t, brand, {
      name: '+Spring promo',
      programCost: { amount: 100_000, currency: 'USD' },
      startsAt: new Date(Date.now() - 2 * DAY).toISOString(),
      endsAt: new Date(Date.now() + 2 * DAY).toISOString(),
    });
    const cta = await t.request('POST', `/v1/programs/${p.programId}/ctas`, {
      key: brand.key,
      body: { key: 'newsletter', channel: 'email', action: 'signup', label: '@SUM(A1) mail' },
    });
    expect(cta.status).toBe(201);
    mallory = await createAdvocate(t, p, {
      name: '=HYPERLINK("http://evil.example","x")',
      externalId: '-cust-1',
    });
    await clickLink(t, mallory, 'ig-story');
    await clickLink(t, mallory, 'newsletter');
    await t.app.get(ClickWriter).flushAll();
  });
  afterAll(() => t.close());

  it("prefixes text cells starting with = + - @ with ', and leaves negative numbers alone", async () => {
    const summary = await get(`/v1/programs/${p.programId}/kpis`);
    expect(summary.body).toMatchObject({ name: '+Spring promo', roi: -1 });
    const summaryCsv = rows((await get(`/v1/programs/${p.programId}/kpis?format=csv`)).text);
    expect(summaryCsv).toHaveLength(1);
    expect(summaryCsv[0]).toMatchObject({ name: "'+Spring promo", roi: '-1' });

    const brandCsv = rows((await get('/v1/kpis?format=csv')).text);
    expect(brandCsv.map((r) => [r.name, r.roi])).toEqual([["'+Spring promo", '-1']]);

    const board = await get(`/v1/programs/${p.programId}/kpis/breakdown?by=advocate&format=csv`);
    expect(board.status).toBe(200);
    expect(rows(board.text)).toEqual([
      expect.objectContaining({
        advocateId: mallory.id,
        externalId: "'-cust-1",
        advocateName: `'=HYPERLINK("http://evil.example","x")`,
        clicks: '2',
      }),
    ]);
    // The raw line: the quote is inside the RFC 4180 quoting, the cell starts with it.
    expect(board.text).toContain(`,"'=HYPERLINK(""http://evil.example"",""x"")",`);
    // RFC 4180 records, as the payout exports: CRLF after each, header included
    expect(board.text.split('\r\n')).toHaveLength(3);
    expect(board.text.endsWith('\r\n')).toBe(true);

    const byCta = rows(
      (await get(`/v1/programs/${p.programId}/kpis/breakdown?by=cta&sort=clicks&format=csv`)).text,
    );
    expect(byCta.map((r) => [r.ctaKey, r.ctaLabel, r.channel])).toEqual(
      expect.arrayContaining([
        ['newsletter', "'@SUM(A1) mail", 'email'],
        ['ig-story', 'ig-story', 'instagram'],
      ]),
    );

    // JSON answers carry the values as they are.
    const boardJson = await get(`/v1/programs/${p.programId}/kpis/breakdown?by=advocate`);
    expect(boardJson.body.data[0]).toMatchObject({
      externalId: '-cust-1',
      advocateName: '=HYPERLINK("http://evil.example","x")',
    });
  });
});
