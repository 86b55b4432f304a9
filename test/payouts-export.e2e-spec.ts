import { DataSource } from 'typeorm';
import { minorDigits } from '@/common/money/currency';
import { startApp, TestApp } from './helpers/app';
import type { Brand } from './helpers/app';
import {
  createAdvocate,
  createProgram,
  createRule,
  ProgramSetup,
  purchaseEvent,
  refundEvent,
  sendEvent,
  uniqueId,
} from './helpers/event-factories';
import { approve, createdBatch, createKey, earn, parseCsv, soon, toMinor } from './helpers/payouts';

const ADVOCATE_HEADER = [
  'batchId',
  'advocateId',
  'advocateExternalId',
  'email',
  'name',
  'currency',
  'amount',
  'amountMinor',
  'rewardCount',
  'clawbackAmount',
  'periodStart',
  'periodEnd',
];
const REWARD_HEADER = [
  'rewardId',
  'batchId',
  'advocateId',
  'eventId',
  'orderId',
  'programId',
  'ctaKey',
  'channel',
  'kind',
  'recipient',
  'amount',
  'amountMinor',
  'currency',
  'earnedAt',
  'approvedAt',
  'clawbackOf',
];

describe('payout exports: streamed CSV and NDJSON that add up to the batch', () => {
  let t: TestApp;
  let db: DataSource;
  beforeAll(async () => {
    t = await startApp({ REWARD_APPROVAL_INTERVAL_MS: '0' });
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  async function program(brand: Brand, currency: string, amount: number): Promise<ProgramSetup> {
    const p = await createProgram(t, brand, { holdDays: 0, currency });
    await createRule(t, p, {
      trigger: { event: 'purchase' },
      recipient: 'advocate',
      reward: { kind: 'cash', amount },
    });
    return p;
  }

  const download = (key: string, batchId: string, query: string) =>
    t.request('GET', `/v1/payout-batches/${batchId}/export?${query}`, { key });

  /** Sums an export's amounts both ways (decimal strings and minor units), exactly. */
  function sums(lines: Record<string, string | number>[], currency: string) {
    const digits = minorDigits(currency);
    let major = 0n;
    let minor = 0n;
    for (const l of lines) {
      major += toMinor(String(l.amount), digits);
      minor += BigInt(l.amountMinor);
    }
    return { major, minor };
  }

  it.each([
    ['USD', 1250, '12.50'],
    ['JPY', 1000, '1000'],
    ['KWD', 1005, '1.005'],
  ])(
    'in %s the exported amounts add up exactly to the batch total, clawbacks included',
    async (currency, amount, formatted) => {
      const brand = await t.createBrand();
      const finance = await createKey(t, brand, ['finance']);
      const p = await program(brand, currency, amount);
      const alice = await createAdvocate(t, p, { name: 'Alice Martin' });
      const bob = await createAdvocate(t, p);
      // bob is paid once, then his purchase is refunded: a clawback in the next batch
      const paid = await earn(t, p, bob, { currency, event: { ctaKey: 'ig-story' } });
      const first = await createdBatch(t, finance, { currency, cutoff: soon() });
      await t.request('POST', `/v1/payout-batches/${first.id}/mark-paid`, {
        key: finance,
        body: {},
      });
      await sendEvent(
        t,
        brand,
        refundEvent(paid.orderId, 12_900, {
          order: { id: paid.orderId, amount: 12_900, currency },
        }),
      );
      for (let i = 0; i < 3; i += 1) await earn(t, p, alice, { currency });
      for (let i = 0; i < 2; i += 1) await earn(t, p, bob, { currency });
      const batch = await createdBatch(t, finance, { currency, cutoff: soon() });
      expect(batch.totals).toEqual({
        advocates: 2,
        rewards: 6,
        amount: 4 * amount,
        clawbackAmount: -amount,
      });

      const advocatesCsv = await download(finance, batch.id, 'format=csv&detail=advocates');
      expect(advocatesCsv.status).toBe(200);
      expect(advocatesCsv.text.split('\r\n')[0]).toBe(ADVOCATE_HEADER.join(','));
      expect(advocatesCsv.text.endsWith('\r\n')).toBe(true);
      const advocates = await parseCsv(advocatesCsv.text);
      expect(advocates).toHaveLength(2);
      const aliceLine = advocates.find((l) => l.advocateId === alice.id)!;
      expect(aliceLine).toEqual({
        batchId: batch.id,
        advocateId: alice.id,
        advocateExternalId: alice.externalId,
        email: expect.stringContaining('@example.com'),
        name: 'Alice Martin',
        currency,
        amount: expect.any(String),
        amountMinor: String(3 * amount),
        rewardCount: '3',
        clawbackAmount: currency === 'JPY' ? '0' : currency === 'KWD' ? '0.000' : '0.00',
        periodStart: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        periodEnd: expect.stringMatching(/Z$/),
      });
      const bobLine = advocates.find((l) => l.advocateId === bob.id)!;
      expect(bobLine).toMatchObject({
        amountMinor: String(amount),
        amount: formatted,
        rewardCount: '3',
        clawbackAmount: `-${formatted}`,
      });
      expect(sums(advocates, currency)).toEqual({
        major: BigInt(4 * amount),
        minor: BigInt(4 * amount),
      });

      const rewardsCsv = await download(finance, batch.id, 'format=csv&detail=rewards');
      expect(rewardsCsv.text.split('\r\n')[0]).toBe(REWARD_HEADER.join(','));
      const rewards = await parseCsv(rewardsCsv.text);
      expect(rewards).toHaveLength(6);
      expect(sums(rewards, currency)).toEqual({
        major: BigInt(4 * amount),
        minor: BigInt(4 * amount),
      });
      const clawback = rewards.find((r) => r.clawbackOf !== '')!;
      expect(clawback).toMatchObject({
        advocateId: bob.id,
        amount: `-${formatted}`, // a number: never escaped
        amountMinor: String(-amount),
        clawbackOf: paid.reward.id,
        orderId: paid.orderId,
        ctaKey: 'ig-story',
        channel: 'instagram',
        kind: 'cash',
        recipient: 'advocate',
        currency,
      });
      const earnedLine = rewards.find((r) => r.clawbackOf === '' && r.advocateId === alice.id)!;
      expect(earnedLine).toMatchObject({
        eventId: expect.stringMatching(/^evt_/),
        orderId: expect.stringMatching(/^ord-/),
        programId: p.programId,
        ctaKey: '',
        channel: '',
        amount: formatted,
        approvedAt: expect.stringMatching(/Z$/),
      });
      // per advocate, the reward lines add up to the advocate line
      for (const line of advocates) {
        const own = rewards.filter((r) => r.advocateId === line.advocateId);
        expect(sums(own, currency).minor).toBe(BigInt(line.amountMinor!));
      }
      // lines are in advocate then reward id order
      const keys = rewards.map((r) => `${r.advocateId} ${r.rewardId}`);
      expect(keys).toEqual([...keys].sort());

      const json = await download(finance, batch.id, 'format=json&detail=rewards');
      expect(json.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
      const objects = json.text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(objects).toHaveLength(6);
      expect(Object.keys(objects[0])).toEqual(REWARD_HEADER);
      expect(objects.map((o) => o.rewardId)).toEqual(rewards.map((r) => r.rewardId));
      const jsonClawback = objects.find((o) => o.clawbackOf !== null);
      expect(jsonClawback).toMatchObject({ amount: `-${formatted}`, amountMinor: -amount });
      expect(objects.find((o) => o.clawbackOf === null).ctaKey).toBeNull();
      expect(sums(objects, currency).minor).toBe(BigInt(batch.totals.amount));
    },
  );

  it('escapes text cells against formula injection and quotes per RFC 4180', async () => {
    const brand = await t.createBrand();
    const p = await program(brand, 'USD', 1000);
    const formulas = [
      ['=HYPERLINK("http://evil.example","click")', '+15551234', '=1+2'],
      ['-2+3', '@SUM(A1:A9)', '-minus'],
      ['Dupont, "Jo"\nline two', 'plain-id', 'ord,with,commas'],
    ];
    for (const [name, externalId, orderId] of formulas) {
      const a = await createAdvocate(t, p, { name, externalId });
      const res = await sendEvent(
        t,
        brand,
        purchaseEvent({ code: a.code, order: { id: orderId!, amount: 5_000, currency: 'USD' } }),
      );
      await approve(t, brand, res.body.rewards[0].id);
    }
    const batch = await createdBatch(t, brand.key, { currency: 'USD', cutoff: soon() });
    const advocates = await parseCsv(
      (await download(brand.key, batch.id, 'detail=advocates')).text,
    );
    const byExternal = (x: string) => advocates.find((l) => l.advocateExternalId.endsWith(x))!;
    expect(byExternal('15551234')).toMatchObject({
      advocateExternalId: "'+15551234",
      name: `'=HYPERLINK("http://evil.example","click")`,
    });
    expect(byExternal('A1:A9)')).toMatchObject({
      advocateExternalId: "'@SUM(A1:A9)",
      name: "'-2+3",
    });
    expect(byExternal('plain-id')).toMatchObject({ name: 'Dupont, "Jo"\nline two' });
    const rewards = await parseCsv((await download(brand.key, batch.id, 'detail=rewards')).text);
    expect(rewards.map((r) => r.orderId).sort()).toEqual(["'-minus", "'=1+2", 'ord,with,commas']);
    // the raw file: quoted fields, doubled quotes, CRLF records, LF kept inside a quoted field
    const raw = (await download(brand.key, batch.id, 'detail=advocates')).text;
    expect(raw).toContain('"Dupont, ""Jo""\nline two"');
    expect(raw).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    // NDJSON carries the data as it is
    const json = (await download(brand.key, batch.id, 'format=json&detail=advocates')).text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(json.map((o) => o.name)).toContain('=HYPERLINK("http://evil.example","click")');
  });

  it('streams a batch bigger than a page, every line once, in order', async () => {
    const brand = await t.createBrand();
    const p = await program(brand, 'EUR', 100);
    const ruleId = (
      await t.request('GET', `/v1/programs/${p.programId}/reward-rules`, { key: brand.key })
    ).body.data[0].id;
    // 317 advocates and 4,321 approved rewards of 1.00 to 99.99 EUR, written directly
    const tag = uniqueId('bulk')
      .replace(/[^A-Za-z0-9]/g, '')
      .slice(-8);
    await db.query(
      `INSERT INTO advocates (id, brand_id, external_id, email, name)
       SELECT 'adv_' || lpad($2 || g::text, 20, '0'), $1, 'bulk-' || g, NULL, 'Bulk ' || g
         FROM generate_series(1, 317) g`,
      [brand.id, tag],
    );
    await db.query(
      `INSERT INTO rewards (id, brand_id, program_id, rule_id, event_id, advocate_id, recipient,
                            kind, amount, currency, status, occurred_at, available_at, approved_at)
       SELECT 'rwd_' || lpad($4 || g::text, 20, '0'), $1, $2, $3, 'evt_' || lpad($4 || g::text, 20, '0'),
              'adv_' || lpad($4 || (1 + g % 317)::text, 20, '0'), 'advocate', 'cash',
              100 + (g * 7919) % 9900, 'EUR', 'approved', now() - interval '2 days',
              now() - interval '1 day', now() - interval '1 day'
         FROM generate_series(1, 4321) g`,
      [brand.id, p.programId, ruleId, tag],
    );
    const expected: { n: string; sum: string }[] = await db.query(
      `SELECT count(*)::text AS n, sum(amount)::text AS sum FROM rewards WHERE brand_id = $1`,
      [brand.id],
    );
    const batch = await createdBatch(t, brand.key, { currency: 'EUR', cutoff: soon() });
    expect(batch.totals).toMatchObject({
      advocates: 317,
      rewards: 4321,
      amount: Number(expected[0]!.sum),
    });
    for (const format of ['csv', 'json']) {
      const rewardsFile = await download(brand.key, batch.id, `format=${format}&detail=rewards`);
      const lines =
        format === 'csv'
          ? await parseCsv(rewardsFile.text)
          : rewardsFile.text
              .trimEnd()
              .split('\n')
              .map((l) => JSON.parse(l));
      expect(lines).toHaveLength(4321);
      expect(new Set(lines.map((l) => l.rewardId)).size).toBe(4321);
      const keys = lines.map((l) => `${l.advocateId} ${l.rewardId}`);
      expect(keys).toEqual([...keys].sort());
      expect(sums(lines, 'EUR')).toEqual({
        major: BigInt(expected[0]!.sum),
        minor: BigInt(expected[0]!.sum),
      });
      const advocatesFile = await download(
        brand.key,
        batch.id,
        `format=${format}&detail=advocates`,
      );
      const advocateLines =
        format === 'csv'
          ? await parseCsv(advocatesFile.text)
          : advocatesFile.text
              .trimEnd()
              .split('\n')
              .map((l) => JSON.parse(l));
      expect(advocateLines).toHaveLength(317);
      expect(sums(advocateLines, 'EUR').minor).toBe(BigInt(expected[0]!.sum));
    }
  });

  it('answers errors before the first byte as JSON, and sends the file as an attachment', async () => {
    const brand = await t.createBrand();
    const finance = await createKey(t, brand, ['finance']);
    const p = await program(brand, 'USD', 1000);
    await earn(t, p, await createAdvocate(t, p));
    const batch = await createdBatch(t, finance, { currency: 'USD', cutoff: soon() });

    for (const [query, status, field] of [
      ['format=xml', 400, 'format'],
      ['detail=all', 400, 'detail'],
      ['format=csv&extra=1', 400, 'extra'],
    ] as const) {
      const res = await download(finance, batch.id, query);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/json');
      expect(res.body.error.details[0].field).toBe(field);
    }
    const missing = await download(finance, 'pob_00000000000000000000', 'format=csv');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    let current = await t.request('GET', `/v1/payout-batches/${batch.id}`, { key: finance });
    expect(current.body).toMatchObject({ status: 'created', exportedAt: null });

    const csv = await download(finance, batch.id, '');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe(
      `attachment; filename="payout-batch-${batch.id}-advocates.csv"`,
    );
    expect(csv.headers.get('cache-control')).toBe('no-store');
    const json = await download(finance, batch.id, 'format=json&detail=rewards');
    expect(json.headers.get('content-disposition')).toBe(
      `attachment; filename="payout-batch-${batch.id}-rewards.ndjson"`,
    );
    // the first export moves the batch to exported; later ones keep the first time
    current = await t.request('GET', `/v1/payout-batches/${batch.id}`, { key: finance });
    expect(current.body.status).toBe('exported');
    const exportedAt = current.body.exportedAt;
    expect(exportedAt).not.toBeNull();
    await download(finance, batch.id, 'format=csv');
    current = await t.request('GET', `/v1/payout-batches/${batch.id}`, { key: finance });
    expect(current.body.exportedAt).toBe(exportedAt);
    // a paid batch can still be downloaded, and says the same
    await t.request('POST', `/v1/payout-batches/${batch.id}/mark-paid`, { key: finance, body: {} });
    const again = await download(finance, batch.id, '');
    expect(again.text).toBe(csv.text);
    current = await t.request('GET', `/v1/payout-batches/${batch.id}`, { key: finance });
    expect(current.body.status).toBe('paid');
  });
});
