/**
 * npm run bench:kpis — KPI reads on PostgreSQL at scale, in one run:
 *   1. seeds one program's raw rows with set-based SQL (generate_series): BENCH_CLICKS clicks
 *      (default 10,000,000) over 90 days from posts of skewed popularity, 3 % bots; shares;
 *      BENCH_CONVERSIONS attributed purchases (default clicks / 100), half as many signups,
 *      refunds, referrals and two rewards per purchase in a mix of statuses;
 *   2. builds the rollups the way a repair does (KpiMaintenanceRepository.rebuildProgram, the
 *      same fact SQL the write paths use) and prints raw rows per second;
 *   3. starts the built service and times, over HTTP, the summary, the 90-day daily series,
 *      the advocate leaderboard, the heatmap and more (p50/p99 of BENCH_ITERATIONS requests
 *      each, after 3 warm-ups), next to direct `SELECT count(*)` queries over the raw clicks;
 *   4. times the click flush statement with and without the rollups (batches of 100 and 1,000
 *      rows, alternating, on the same tables), and the fold statement that adds events' counts.
 *
 * Options (env): BENCH_CLICKS=10000000 BENCH_CONVERSIONS BENCH_ADVOCATES (default
 *   max(1000, clicks / 1000)) BENCH_ITERATIONS=30 BENCH_FLUSHES=40 BENCH_SEED_WORKERS=2
 *   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432 BENCH_KEEP_DB=1 BENCH_DB=<a kept database:
 *   steps 3 and 4 only>
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { AppConfig } from '@/config/env';
import { createBrand } from '@/cli/brand-create';
import { dataSourceOptions } from '@/database/data-source-options';
import { CLICK_RETURNING } from '@/modules/analytics/click-rollup.sql';
import { KpiMaintenanceRepository } from '@/modules/analytics/kpi-maintenance.repository';
import { KpiFoldRepository } from '@/modules/analytics/kpi-fold.repository';
import { clickFacts, ROLLUP_UPSERT } from '@/modules/analytics/kpi-rollup.sql';
import { ClickRepository, ClickRow, textArray } from '@/modules/tracking/click.repository';
import { freePort, serviceNodeArgs, waitForLine } from './lib/harness';

const CLICKS = Number(process.env.BENCH_CLICKS ?? 10_000_000);
const CONVERSIONS = Number(process.env.BENCH_CONVERSIONS ?? Math.round(CLICKS / 100));
const ADVOCATES = Number(process.env.BENCH_ADVOCATES ?? Math.max(1000, Math.round(CLICKS / 1000)));
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 30);
const FLUSHES = Number(process.env.BENCH_FLUSHES ?? 40);
const SEED_WORKERS = Number(process.env.BENCH_SEED_WORKERS ?? 2);
const PG_BASE = (process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(
  /\/+$/,
  '',
);
const DIST = join(__dirname, '..');
const DAY = 86_400_000;
const log = (line: string) => process.stdout.write(`${line}\n`);

const CTAS = [
  { key: 'ig-story', channel: 'instagram', action: 'purchase', value: 0 },
  { key: 'tt-signup', channel: 'tiktok', action: 'signup', value: 500 },
  { key: 'wa-chat', channel: 'whatsapp', action: 'purchase', value: 0 },
  { key: 'copy-link', channel: 'copy_link', action: 'purchase', value: 0 },
];
const id = (prefix: string, n: number | string) => `${prefix}_${String(n).padStart(20, '0')}`;

interface Seeded {
  brandId: string;
  key: string;
  programId: string;
  rawRows: number;
}

/** A post (advocate × CTA × hour) per index; popular posts come first (random()²). */
const POST = (alias: string, posts: number) => `
  ${alias}.post % ${ADVOCATES} AS adv,
  (${alias}.post * 7) % ${CTAS.length} AS cta,
  date_trunc('hour', now()) - interval '90 days'
    + ((${alias}.post * 7919) % (89 * 24)) * interval '1 hour' AS post_at,
  ${posts} AS posts`;

async function seed(ds: DataSource): Promise<Seeded> {
  const created = await createBrand(ds, 'KPI bench');
  const brandId = created.brand.id;
  const programId = id('prg', 1);
  const posts = ADVOCATES * 3;
  const q = (sql: string, params: unknown[] = []) => ds.query(sql, params);
  await q(
    `INSERT INTO programs (id, brand_id, name, status, goal, currency, landing_url, starts_at,
                           program_cost_amount)
     VALUES ($1, $2, 'Bench program', 'active', 'conversion', 'USD', 'https://shop.example.com',
             now() - interval '95 days', 5000000)`,
    [programId, brandId],
  );
  const ctaArray = (f: (c: (typeof CTAS)[number], i: number) => string) =>
    `ARRAY[${CTAS.map((c, i) => `'${f(c, i)}'`).join(',')}]`;
  await q(
    `INSERT INTO ctas (id, brand_id, program_id, key, channel, action, label, value_amount)
     SELECT (${ctaArray((_, i) => id('cta', i))})[i + 1], $1, $2,
            (${ctaArray((c) => c.key)})[i + 1], (${ctaArray((c) => c.channel)})[i + 1],
            (${ctaArray((c) => c.action)})[i + 1], 'CTA', (ARRAY[${CTAS.map((c) => c.value).join(',')}])[i + 1]
       FROM generate_series(0, ${CTAS.length - 1}) i`,
    [brandId, programId],
  );
  await q(
    `INSERT INTO advocates (id, brand_id, external_id, name, status)
     SELECT 'adv_' || lpad(i::text, 20, '0'), $1, 'bench-' || i, 'Advocate ' || i, 'active'
       FROM generate_series(0, ${ADVOCATES - 1}) i`,
    [brandId],
  );
  await q(
    `INSERT INTO enrollments (id, brand_id, program_id, advocate_id, code, created_at)
     SELECT 'enr_' || lpad(i::text, 20, '0'), $1, $2, 'adv_' || lpad(i::text, 20, '0'),
            'BENCH' || i, now() - interval '100 days'
       FROM generate_series(0, ${ADVOCATES - 1}) i`,
    [brandId, programId],
  );
  await q(
    `INSERT INTO links (id, brand_id, program_id, cta_id, advocate_id, enrollment_id, slug)
     SELECT 'lnk_' || lpad((i * ${CTAS.length} + c)::text, 20, '0'), $1, $2,
            'cta_' || lpad(c::text, 20, '0'), 'adv_' || lpad(i::text, 20, '0'),
            'enr_' || lpad(i::text, 20, '0'), 'b' || (i * ${CTAS.length} + c)
       FROM generate_series(0, ${ADVOCATES - 1}) i, generate_series(0, ${CTAS.length - 1}) c`,
    [brandId, programId],
  );
  const channels = ctaArray((c) => c.channel);
  const started = Date.now();
  // The bench's own fresh database: the clicks' indexes (primary key included) are dropped
  // while the raw rows load and rebuilt once after, in bulk — maintaining three B-trees row by
  // row is what made a 10 M seed take more than 8 minutes.
  const indexes: { name: string; def: string; constraint: string | null }[] = await q(
    `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS def,
            (SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c WHERE c.conindid = i.oid) AS constraint
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
      WHERE x.indrelid = 'clicks'::regclass`,
  );
  for (const ix of indexes) {
    await q(
      ix.constraint ? `ALTER TABLE clicks DROP CONSTRAINT "${ix.name}"` : `DROP INDEX "${ix.name}"`,
    );
  }
  // Chunks of 500k (memory), SEED_WORKERS at a time, each a skewed pick of posts with a
  // decaying delay, written in time order (as clicks arrive: a day's clicks sit together on
  // disk, in one run per chunk); no commit waits for the WAL flush.
  const chunks: [number, number][] = [];
  for (let from = 1; from <= CLICKS; from += 500_000) {
    chunks.push([from, Math.min(CLICKS, from + 499_999)]);
  }
  const worker = async () => {
    for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
      const [from, to] = chunk;
      await ds.transaction(async (em) => {
        await em.query('SET LOCAL synchronous_commit = off');
        await em.query(
          `INSERT INTO clicks (id, brand_id, program_id, cta_id, advocate_id, link_id, channel,
                               clicked_at, referrer_host, ua_family, is_bot, is_first_visit,
                               visitor_hash)
           SELECT 'clk_' || s.g, $1, $2, 'cta_' || lpad(p.cta::text, 20, '0'),
                  'adv_' || lpad(p.adv::text, 20, '0'),
                  'lnk_' || lpad((p.adv * ${CTAS.length} + p.cta)::text, 20, '0'),
                  (${channels})[p.cta + 1],
                  LEAST(now() - interval '1 minute', p.post_at + (-ln(1 - s.r1) * 10) * interval '1 hour'),
                  NULL, CASE WHEN s.r2 < 0.03 THEN 'bot' ELSE 'Safari' END, s.r2 < 0.03, true,
                  'v' || s.post || '-' || floor(s.r3 * 1000)::int
             FROM (SELECT g, floor(power(random(), 2) * ${posts})::int AS post, random() AS r1,
                          random() AS r2, random() AS r3
                     FROM generate_series(${from}, ${to}) g) s
            CROSS JOIN LATERAL (SELECT ${POST('s', posts)}) p
            ORDER BY 8`,
          [brandId, programId],
        );
      });
    }
  };
  await Promise.all(Array.from({ length: SEED_WORKERS }, worker));
  const loaded = Date.now();
  await ds.transaction(async (em) => {
    await em.query(`SET LOCAL maintenance_work_mem = '512MB'`);
    for (const ix of indexes) {
      await em.query(
        ix.constraint ? `ALTER TABLE clicks ADD CONSTRAINT "${ix.name}" ${ix.constraint}` : ix.def,
      );
    }
  });
  log(
    `clicks: ${CLICKS.toLocaleString('en')} rows loaded in ${((loaded - started) / 1000).toFixed(1)} s ` +
      `(${SEED_WORKERS} at a time), ${indexes.length} indexes rebuilt in ${((Date.now() - loaded) / 1000).toFixed(1)} s`,
  );
  const shares = Math.max(100, Math.round(CLICKS / 100));
  await q(
    `INSERT INTO shares (id, brand_id, program_id, cta_id, advocate_id, channel, reach,
                         impressions, shared_at)
     SELECT 'shr_' || lpad(s.g::text, 20, '0'), $1, $2, 'cta_' || lpad(p.cta::text, 20, '0'),
            'adv_' || lpad(p.adv::text, 20, '0'), (${channels})[p.cta + 1],
            CASE WHEN s.r1 < 0.5 THEN floor(s.r1 * 4000)::int END,
            CASE WHEN s.r1 < 0.5 THEN floor(s.r1 * 9000)::int END, p.post_at
       FROM (SELECT g, floor(power(random(), 2) * ${posts})::int AS post, random() AS r1
               FROM generate_series(1, ${shares}) g) s
      CROSS JOIN LATERAL (SELECT ${POST('s', posts)}) p`,
    [brandId, programId],
  );
  // Purchases (g ≤ C) and signups (g > C) on the signup CTA, attributed.
  const signups = Math.round(CONVERSIONS / 2);
  await q(
    `INSERT INTO events (id, brand_id, event_id, type, occurred_at, customer_external_id,
                         order_id, order_amount, order_currency, request_hash, status, method,
                         program_id, advocate_id, cta_id, channel, referral_id)
     SELECT 'evt_' || lpad(s.g::text, 20, '0'), $1, 'e' || s.g,
            CASE WHEN s.g <= ${CONVERSIONS} THEN 'purchase' ELSE 'signup' END,
            LEAST(now() - interval '1 minute', p.post_at + (-ln(1 - s.r1) * 20) * interval '1 hour'),
            'c' || s.g,
            CASE WHEN s.g <= ${CONVERSIONS} THEN 'o' || s.g END,
            CASE WHEN s.g <= ${CONVERSIONS} THEN 1000 + floor(s.r2 * 20000)::int END,
            CASE WHEN s.g <= ${CONVERSIONS} THEN 'USD' END,
            repeat('0', 64), 'attributed', 'click', $2, 'adv_' || lpad(p.adv::text, 20, '0'),
            CASE WHEN s.g <= ${CONVERSIONS} THEN 'cta_' || lpad(p.cta::text, 20, '0')
                 ELSE 'cta_' || lpad('1', 20, '0') END,
            CASE WHEN s.g <= ${CONVERSIONS} THEN (${channels})[p.cta + 1] ELSE 'tiktok' END,
            CASE WHEN s.g <= ${CONVERSIONS} AND s.g % 10 < 7 THEN 'ref_' || lpad(s.g::text, 20, '0') END
       FROM (SELECT g, floor(power(random(), 2) * ${posts})::int AS post, random() AS r1,
                    random() AS r2
               FROM generate_series(1, ${CONVERSIONS + signups}) g) s
      CROSS JOIN LATERAL (SELECT ${POST('s', posts)}) p`,
    [brandId, programId],
  );
  await q(
    `INSERT INTO referrals (id, brand_id, program_id, customer_id, advocate_id, status, method,
                            new_customer, first_event_id, converted_event_id, converted_at)
     SELECT referral_id, brand_id, program_id, 'cus_' || event_id, advocate_id, 'converted',
            'click', (substr(event_id, 2)::int % 10) < 5, id, id, occurred_at
       FROM events WHERE brand_id = $1 AND referral_id IS NOT NULL`,
    [brandId],
  );
  await q(
    `INSERT INTO events (id, brand_id, event_id, type, occurred_at, order_id, order_amount,
                         order_currency, request_hash, status, method, program_id, advocate_id,
                         channel)
     SELECT 'evt_r' || substr(id, 5), brand_id, 'r' || event_id, 'refund',
            occurred_at + interval '2 days', order_id, order_amount / 2, 'USD', repeat('0', 64),
            'attributed', method, program_id, advocate_id, channel
       FROM events WHERE brand_id = $1 AND type = 'purchase' AND substr(event_id, 2)::int % 20 = 0`,
    [brandId],
  );
  await q(
    `INSERT INTO rewards (id, brand_id, program_id, rule_id, event_id, referral_id, advocate_id,
                          recipient, kind, amount, reversed_amount, currency, status,
                          occurred_at, available_at)
     SELECT 'rwd_' || r.who || substr(e.id, 6), e.brand_id, e.program_id, 'rul_' || r.who,
            e.id, e.referral_id, e.advocate_id, r.recipient, r.kind,
            CASE WHEN r.who = 'a' THEN 1000 ELSE e.order_amount / 10 END,
            CASE WHEN n % 20 = 19 THEN CASE WHEN r.who = 'a' THEN 1000 ELSE e.order_amount / 10 END
                 ELSE 0 END,
            'USD',
            CASE WHEN n % 20 < 12 THEN 'pending' WHEN n % 20 < 17 THEN 'approved'
                 WHEN n % 20 < 19 THEN 'paid' ELSE 'reversed' END,
            e.occurred_at, e.occurred_at + interval '14 days'
       FROM (SELECT *, substr(event_id, 2)::int AS n FROM events
              WHERE brand_id = $1 AND type = 'purchase') e
      CROSS JOIN (VALUES ('a', 'advocate', 'cash'), ('f', 'friend', 'credit')) AS r(who, recipient, kind)`,
    [brandId],
  );
  const counts: { n: string }[] = await q(
    `SELECT ((SELECT count(*) FROM clicks) + (SELECT count(*) FROM shares)
             + (SELECT count(*) FROM events))::text AS n`,
  );
  log(
    `seeded ${CLICKS.toLocaleString('en')} clicks, ${shares.toLocaleString('en')} shares, ` +
      `${CONVERSIONS.toLocaleString('en')} purchases, ${signups.toLocaleString('en')} signups, ` +
      `${ADVOCATES.toLocaleString('en')} advocates in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return { brandId, key: created.apiKey.secret, programId, rawRows: Number(counts[0]!.n) };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function time(run: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 3; i++) await run();
  const ms: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = process.hrtime.bigint();
    await run();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const PLAIN_INSERT = `
  INSERT INTO clicks (id, brand_id, program_id, cta_id, advocate_id, link_id, channel, clicked_at,
                      referrer_host, ua_family, is_bot, is_first_visit, visitor_hash)
  SELECT id, brand_id, program_id, cta_id, advocate_id, link_id, channel,
         timestamptz 'epoch' + clicked_ms * interval '1 millisecond',
         referrer_host, ua_family, is_bot, is_first_visit, visitor_hash
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                $8::bigint[], $9::text[], $10::text[], $11::bool[], $12::bool[], $13::text[])
      AS t(id, brand_id, program_id, cta_id, advocate_id, link_id, channel, clicked_ms,
           referrer_host, ua_family, is_bot, is_first_visit, visitor_hash)
  ON CONFLICT (id) DO NOTHING`;

// The rollup counters without reach (no visitor keys): shows what the keys cost.
const COUNTERS_ONLY = `WITH ins AS (${PLAIN_INSERT} RETURNING ${CLICK_RETURNING}),
  unused AS (SELECT $14::int),
  facts AS (${clickFacts('FROM ins k')})
${ROLLUP_UPSERT}`;

/**
 * The click flush before (plain insert) and after (insert + rollups), alternating; and the
 * rollups without reach, to split the cost.
 */
async function flushCost(ds: DataSource, s: Seeded): Promise<string[]> {
  const pool = (ds.driver as PostgresDriver).master as Pool;
  const repo = new ClickRepository(ds, { kpiVisitorKeyDays: 3 } as AppConfig);
  let n = 0;
  const batch = (size: number): ClickRow[] =>
    Array.from({ length: size }, () => {
      n += 1;
      const adv = Math.floor(Math.random() ** 2 * ADVOCATES);
      const cta = n % CTAS.length;
      return {
        id: `flush_${n}_${randomBytes(4).toString('hex')}`,
        brandId: s.brandId,
        programId: s.programId,
        ctaId: id('cta', cta),
        advocateId: `adv_${String(adv).padStart(20, '0')}`,
        linkId: `lnk_${String(adv * CTAS.length + cta).padStart(20, '0')}`,
        channel: CTAS[cta]!.channel as ClickRow['channel'],
        clickedAt: Date.now(),
        referrerHost: null,
        uaFamily: 'Safari',
        isBot: Math.random() < 0.03,
        isFirstVisit: true,
        visitorHash: `fv${Math.floor(Math.random() * 50_000)}`,
      };
    });
  const columns = (rows: ClickRow[]) => [
    textArray(rows, (r) => r.id),
    textArray(rows, (r) => r.brandId),
    textArray(rows, (r) => r.programId),
    textArray(rows, (r) => r.ctaId),
    textArray(rows, (r) => r.advocateId),
    textArray(rows, (r) => r.linkId),
    textArray(rows, (r) => r.channel),
    `{${rows.map((r) => r.clickedAt).join(',')}}`,
    textArray(rows, (r) => r.referrerHost),
    textArray(rows, (r) => r.uaFamily),
    `{${rows.map((r) => (r.isBot ? 't' : 'f')).join(',')}}`,
    `{${rows.map((r) => (r.isFirstVisit ? 't' : 'f')).join(',')}}`,
    textArray(rows, (r) => r.visitorHash),
  ];
  const timed = async (run: () => Promise<unknown>) => {
    const t0 = process.hrtime.bigint();
    await run();
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const lines: string[] = [];
  for (const size of [100, 1000]) {
    const plain: number[] = [];
    const counters: number[] = [];
    const full: number[] = [];
    for (let i = 0; i < FLUSHES + 3; i++) {
      const a = batch(size);
      const b = batch(size);
      const c = batch(size);
      const ms = [
        await timed(() => pool.query(PLAIN_INSERT, columns(a))),
        await timed(() => pool.query(COUNTERS_ONLY, [...columns(b), 3])),
        await timed(() => repo.insertMany(c)),
      ];
      if (i < 3) continue;
      plain.push(ms[0]!);
      counters.push(ms[1]!);
      full.push(ms[2]!);
    }
    const cell = (t: number[]) => {
      t.sort((x, y) => x - y);
      const p50 = percentile(t, 50);
      return `${p50.toFixed(1)} ms (${((p50 * 1000) / size).toFixed(0)} µs/click)`;
    };
    const ratio = (t: number[]) => (percentile(t, 50) / percentile(plain, 50)).toFixed(2);
    lines.push(
      `| ${size} clicks | ${cell(plain)} | ${cell(counters)} ×${ratio(counters)} | ${cell(full)} ×${ratio(full)} |`,
    );
  }
  return lines;
}

/**
 * The fold statement (events' counts into the rollups, see KpiFoldRepository), alone, for 1 and
 * for 500 queued events: queued and folded in one transaction, rolled back.
 */
async function eventHookCost(ds: DataSource, s: Seeded): Promise<string[]> {
  const hook = new KpiFoldRepository(ds);
  const ids: { id: string }[] = await ds.query(
    `SELECT id FROM events WHERE brand_id = $1 AND type = 'purchase' ORDER BY random()`,
    [s.brandId],
  );
  const lines: string[] = [];
  for (const size of [1, 500]) {
    const ms: number[] = [];
    for (let i = 0; i < FLUSHES + 3; i++) {
      // Other events each run: rolled-back updates leave dead row versions behind, and
      // updating the same rows again would walk them.
      const from = (i * size) % Math.max(1, ids.length - size);
      const batchIds = ids.slice(from, from + size).map((r) => r.id);
      // Rolled back: measured without changing the figures.
      await ds
        .transaction(async (em) => {
          await hook.enqueue(em, s.brandId, 'conversion', batchIds);
          const t0 = process.hrtime.bigint();
          await hook.foldBatch(size, em);
          if (i >= 3) ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
          throw new Error('rollback');
        })
        .catch(() => undefined);
    }
    ms.sort((x, y) => x - y);
    lines.push(
      `| ${size} event${size > 1 ? 's' : ''} | ${percentile(ms, 50).toFixed(2)} ms | ${percentile(ms, 99).toFixed(2)} ms |`,
    );
  }
  return lines;
}

/** Seeds the raw rows, then builds the rollups the way a repair does, timing each phase. */
async function build(ds: DataSource): Promise<Seeded> {
  const s = await seed(ds);
  await ds.query('VACUUM ANALYZE');

  const built = Date.now();
  const phases: string[] = [];
  const rollupRows = await new KpiMaintenanceRepository(ds).rebuildProgram(
    s.brandId,
    s.programId,
    3,
    (phase, ms) => phases.push(`${phase} ${(ms / 1000).toFixed(1)} s`),
  );
  const seconds = (Date.now() - built) / 1000;
  await ds.query('VACUUM ANALYZE kpi_rollups');
  const sizes: { raw: string; rollups: string; keys: string }[] = await ds.query(
    `SELECT pg_size_pretty(pg_total_relation_size('clicks')) AS raw,
            pg_size_pretty((SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits
                             WHERE inhparent = 'kpi_rollups'::regclass)) AS rollups,
            pg_size_pretty(pg_total_relation_size('kpi_visitors')) AS keys`,
  );
  log(
    `rollups rebuilt from ${s.rawRows.toLocaleString('en')} raw rows in ${seconds.toFixed(1)} s: ` +
      `${Math.round(s.rawRows / seconds).toLocaleString('en')} raw rows/s, ` +
      `${rollupRows.toLocaleString('en')} rollup rows ` +
      `(clicks ${sizes[0]!.raw}, rollups ${sizes[0]!.rollups}, visitor keys ${sizes[0]!.keys}); ` +
      phases.join(', '),
  );

  return s;
}

/**
 * A kept database (BENCH_DB, from BENCH_KEEP_DB=1): its first program, read with a new admin
 * key moved to its brand — to time the reads again without seeding.
 */
async function reuse(ds: DataSource): Promise<Seeded> {
  const [program]: { id: string; brand_id: string }[] = await ds.query(
    'SELECT id, brand_id FROM programs ORDER BY created_at, id LIMIT 1',
  );
  const reader = await createBrand(ds, 'KPI bench reader');
  await ds.query('UPDATE api_keys SET brand_id = $1 WHERE brand_id = $2', [
    program!.brand_id,
    reader.brand.id,
  ]);
  return {
    brandId: program!.brand_id,
    key: reader.apiKey.secret,
    programId: program!.id,
    rawRows: 0,
  };
}

async function main(): Promise<void> {
  const dbName = process.env.BENCH_DB ?? `tandem_bench_kpis_${Date.now()}`;
  const admin = new Client({ connectionString: `${PG_BASE}/postgres` });
  await admin.connect();
  if (!process.env.BENCH_DB) await admin.query(`CREATE DATABASE ${dbName}`);
  const url = `${PG_BASE}/${dbName}`;
  const ds = await new DataSource(dataSourceOptions(url, 4, true)).initialize();
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-kpis-'));
  try {
    const s = process.env.BENCH_DB ? await reuse(ds) : await build(ds);

    const port = await freePort();
    const app = spawn(process.execPath, [...serviceNodeArgs(), join(DIST, 'src', 'main.js')], {
      env: {
        ...process.env,
        DATABASE_URL: url,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        RATE_LIMIT_PER_MINUTE: '1000000',
        TANDEM_SECRET: randomBytes(32).toString('hex'),
        TANDEM_DATA_DIR: join(dir, 'data'),
        REWARD_APPROVAL_INTERVAL_MS: '0',
        KPI_MAINTENANCE_INTERVAL_MS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await waitForLine(app, /listening/, 60_000);
    const rows: string[] = [];
    try {
      const base = `http://127.0.0.1:${port}/v1/programs/${s.programId}/kpis`;
      const d90 = `from=${new Date(Date.now() - 90 * DAY).toISOString()}`;
      const get = (path: string) => async () => {
        const res = await fetch(path, { headers: { authorization: `Bearer ${s.key}` } });
        const text = await res.text();
        if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text}`);
      };
      const targets: [string, () => Promise<unknown>][] = [
        ['summary, 30 days (default)', get(base)],
        ['summary, 90 days', get(`${base}?${d90}`)],
        ['daily series, 90 days, UTC', get(`${base}/timeseries?interval=day&${d90}`)],
        [
          'daily series, 90 days, Europe/Paris',
          get(`${base}/timeseries?interval=day&timezone=Europe/Paris&${d90}`),
        ],
        ['advocate leaderboard, 30 days', get(`${base}/breakdown?by=advocate`)],
        [
          'advocate leaderboard, 90 days, by conversions per share',
          get(`${base}/breakdown?by=advocate&sort=conversionsPerShare&${d90}`),
        ],
        ['channel breakdown, 30 days', get(`${base}/breakdown?by=channel`)],
        ['heatmap, 90 days', get(`${base}/heatmap?metric=clicks&${d90}`)],
        ['all programs (GET /v1/kpis), 30 days', get(`http://127.0.0.1:${port}/v1/kpis`)],
        [
          'baseline: SELECT count(*) FROM clicks (the raw table)',
          () => ds.query('SELECT count(*) FROM clicks'),
        ],
        [
          "baseline: SELECT count(*) of the program's clicks in 30 days (index range)",
          () =>
            ds.query(
              `SELECT count(*) FROM clicks WHERE brand_id = $1 AND program_id = $2
                  AND clicked_at >= now() - interval '30 days'`,
              [s.brandId, s.programId],
            ),
        ],
      ];
      for (const [name, run] of targets) {
        const r = await time(run);
        rows.push(`| ${name} | ${r.p50.toFixed(1)} ms | ${r.p99.toFixed(1)} ms |`);
        log(rows[rows.length - 1]!);
      }
    } finally {
      await stop(app);
    }
    const hook = await eventHookCost(ds, s);
    const flush = await flushCost(ds, s);

    log('');
    log(
      `KPI reads, ${CLICKS.toLocaleString('en')} clicks, ${CONVERSIONS.toLocaleString('en')} ` +
        `purchases, ${ADVOCATES.toLocaleString('en')} advocates, ${ITERATIONS} requests each (HTTP, sequential):`,
    );
    log('| request | p50 | p99 |');
    log('|---|---|---|');
    for (const r of rows) log(r);
    log('');
    log(`Click flush statement, p50 of ${FLUSHES} each (alternating, same tables):`);
    log('| batch | before: insert only | insert + counters, no reach | after: insert + rollups |');
    log('|---|---|---|---|');
    for (const l of flush) log(l);
    log('');
    log(`Events: the fold statement alone (${FLUSHES} runs, rolled back):`);
    log('| events | p50 | p99 |');
    log('|---|---|---|');
    for (const l of hook) log(l);
  } finally {
    await ds.destroy();
    if (!process.env.BENCH_KEEP_DB && !process.env.BENCH_DB) {
      await admin.query(`DROP DATABASE ${dbName}`);
    } else log(`kept database ${dbName}`);
    await admin.end();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
