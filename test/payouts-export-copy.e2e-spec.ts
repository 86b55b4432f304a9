import { DataSource } from 'typeorm';
import { formatPage, RewardLineRow } from '@/modules/payouts/payout-export-format';
import { PayoutExportRepository } from '@/modules/payouts/payout-export.repository';
import { PayoutExportService } from '@/modules/payouts/payout-export.service';
import { startApp, TestApp } from './helpers/app';
import { createProgram, createRule, uniqueId } from './helpers/event-factories';

/**
 * The rewards CSV on a PostgreSQL server is one COPY formatted by PostgreSQL (copyRewardCsv),
 * elsewhere keyset pages formatted by Node (formatPage). Both must write the same bytes: this
 * reads the same tricky lines both ways and compares them, and the HTTP export of the service.
 * On the embedded database (no COPY there) it checks that the keyset path is the one used.
 */
const onServer = !process.env.TANDEM_TEST_EMBEDDED;
const TRICKY = [
  '=1+2',
  '+15551234',
  '-minus',
  '@SUM(A1:A9)',
  '\tstarts with a tab',
  '\rstarts with CR',
  '=HYPERLINK("http://evil.example","click")',
  'Dupont, "Jo"',
  'line one\nline two',
  'crlf\r\ninside',
  'ends with CR\r',
  '"quoted"',
  "'already quoted",
  'ünïcödé 日本語 🎉, ok',
  '',
  'plain',
  ' =space first',
];

describe('payout exports: the SQL-formatted CSV equals the Node-formatted one', () => {
  let t: TestApp;
  let db: DataSource;
  let repository: PayoutExportRepository;
  beforeAll(async () => {
    t = await startApp({ REWARD_APPROVAL_INTERVAL_MS: '0' });
    db = t.app.get(DataSource);
    repository = t.app.get(PayoutExportRepository);
  });
  afterAll(() => t.close());

  async function bothWays(brandId: string, batchId: string, currency: string) {
    const ctx = { batchId, currency };
    const rows: RewardLineRow[] = await repository.rewardLinesPage(brandId, batchId, null, 1000);
    const progress: number[] = [];
    const chunks: Buffer[] = [];
    for await (const chunk of await repository.copyRewardCsv(brandId, ctx, (n) =>
      progress.push(n),
    )) {
      chunks.push(chunk as Buffer);
    }
    return {
      node: formatPage('rewards', 'csv', rows, ctx),
      sql: Buffer.concat(chunks).toString('utf8'),
      rows,
      progress,
    };
  }

  (onServer ? it.each : it.skip.each)([
    ['USD', [1250, -1, 7, 0, 100, -123456, 9_007_199_254_740_991]],
    ['JPY', [1000, -500, 1, 0]],
    ['KWD', [1005, -5, 1, 1000, -1000, 123]],
  ])(
    '%s: same bytes for formula cells, quotes, newlines, unicode, NULLs and amounts',
    async (currency, amounts) => {
      const brand = await t.createBrand();
      const p = await createProgram(t, brand, { holdDays: 0, currency });
      const ruleId = await createRule(t, p, {
        trigger: { event: 'purchase' },
        recipient: 'advocate',
        reward: { kind: 'cash', amount: 100 },
      });
      const ctaId = Object.values(p.ctaIds)[0]!;
      const tag = uniqueId('x')
        .replace(/[^A-Za-z0-9]/g, '')
        .slice(-10);
      const batchId = `pob_${tag.padStart(20, '0')}`;
      await db.query(`UPDATE ctas SET key = $2 WHERE id = $1`, [ctaId, '=cta,"key"\n']);
      // one line per tricky text (as orderId and channel) and per amount, a NULL orderId and
      // channel, a NULL approvedAt, and a clawback whose CTA and channel come from the original
      const n = Math.max(TRICKY.length, amounts.length) + 1;
      await db.query(
        `INSERT INTO events (id, brand_id, event_id, type, occurred_at, customer_external_id,
                           order_id, order_amount, order_currency, request_hash, status, method,
                           program_id, advocate_id, cta_id, channel)
       SELECT 'evt_' || $5 || lpad(g::text, 6, '0'), $1, 'e-' || $5 || g, 'purchase',
              '2026-11-02T03:04:05.678Z'::timestamptz + g * interval '1 minute',
              'c-' || g, ($3::text[])[g], 1000, $4, repeat('0', 64), 'attributed', 'click',
              $2, 'adv_' || $5 || lpad((g % 3)::text, 6, '0'), CASE WHEN g % 2 = 0 THEN $6 END,
              ($3::text[])[$7 - g]
         FROM generate_series(1, $7) g`,
        [brand.id, p.programId, TRICKY, currency, tag, ctaId, n],
      );
      await db.query(
        `INSERT INTO rewards (id, brand_id, program_id, rule_id, event_id, advocate_id, recipient,
                            kind, amount, currency, status, occurred_at, available_at, approved_at,
                            clawback_of)
       SELECT 'rwd_' || $5 || lpad(g::text, 6, '0'), $1, $2, $3, 'evt_' || $5 || lpad(g::text, 6, '0'),
              'adv_' || $5 || lpad((g % 3)::text, 6, '0'), 'advocate', 'cash',
              coalesce(($6::bigint[])[g], 1), $4, 'approved', now() - interval '1 day',
              now() - interval '1 day', CASE WHEN g % 4 <> 0 THEN '2026-11-03T00:00:00Z'::timestamptz END,
              CASE WHEN g = $7 THEN 'rwd_' || $5 || lpad('2', 6, '0') END
         FROM generate_series(1, $7) g`,
        [brand.id, p.programId, ruleId, currency, tag, amounts.map(String), n],
      );
      await db.query(
        `INSERT INTO payout_batch_items (batch_id, advocate_id, reward_id, brand_id, amount)
       SELECT $2, w.advocate_id, w.id, $1, w.amount FROM rewards w WHERE w.brand_id = $1`,
        [brand.id, batchId],
      );

      const { node, sql, rows, progress } = await bothWays(brand.id, batchId, currency);
      expect(rows).toHaveLength(n);
      // the data really is tricky: every kind of cell is there
      expect(node).toContain(`'=1+2`);
      expect(node).toContain(`"'=cta,""key""\n"`);
      expect(node).toContain('"crlf\r\ninside"');
      expect(rows.some((r) => r.clawback_of !== null)).toBe(true);
      expect(rows.some((r) => r.approved_at === null)).toBe(true);
      expect(sql).toBe(node);
      expect(progress[progress.length - 1]).toBe(n);
    },
  );

  it('COPY on a server only; an id that is not one is refused before any query', async () => {
    expect(await repository.copyAllowed()).toBe(onServer);
    if (!onServer) return;
    await expect(
      repository.copyRewardCsv('brd_x', { batchId: "pob_'; --", currency: 'USD' }),
    ).rejects.toThrow('not an id');
    expect(t.app.get(PayoutExportService)).toBeDefined();
  });

  (onServer ? it : it.skip)(
    'a COPY abandoned mid-stream closes its connection, not the pool',
    async () => {
      const brand = await t.createBrand();
      const p = await createProgram(t, brand, { holdDays: 0 });
      const ruleId = await createRule(t, p, {
        trigger: { event: 'purchase' },
        recipient: 'advocate',
        reward: { kind: 'cash', amount: 100 },
      });
      const tag = uniqueId('y')
        .replace(/[^A-Za-z0-9]/g, '')
        .slice(-10);
      const batchId = `pob_${tag.padStart(20, '0')}`;
      await db.query(
        `INSERT INTO rewards (id, brand_id, program_id, rule_id, event_id, advocate_id, recipient,
                            kind, amount, currency, status, occurred_at, available_at)
       SELECT 'rwd_' || $4 || lpad(g::text, 6, '0'), $1, $2, $3, 'evt_' || $4 || lpad(g::text, 6, '0'),
              'adv_' || $4 || lpad((g % 50)::text, 6, '0'), 'advocate', 'cash', g, 'USD',
              'approved', now(), now()
         FROM generate_series(1, 30000) g`,
        [brand.id, p.programId, ruleId, tag],
      );
      await db.query(
        `INSERT INTO payout_batch_items (batch_id, advocate_id, reward_id, brand_id, amount)
       SELECT $2, w.advocate_id, w.id, $1, w.amount FROM rewards w WHERE w.brand_id = $1`,
        [brand.id, batchId],
      );
      const ctx = { batchId, currency: 'USD' };
      for (let i = 0; i < 3; i++) {
        const records = await repository.copyRewardCsv(brand.id, ctx);
        for await (const _chunk of records) break; // the client went away after the first chunk
        expect(records.destroyed).toBe(true);
      }
      for (let i = 0; i < 12; i++) expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      let lines = 0;
      for await (const chunk of await repository.copyRewardCsv(brand.id, ctx)) {
        for (const byte of chunk as Buffer) if (byte === 0x0a) lines++;
      }
      expect(lines).toBe(30000);
    },
  );
});
