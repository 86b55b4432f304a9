/**
 * npm run bench:payouts — payout batch creation and streamed exports on PostgreSQL, in one run:
 *   seed   BENCH_REWARDS approved cash rewards (default 1,000,000) over BENCH_ADVOCATES
 *          advocates (default rewards / 20), each with its purchase event, plus 1 in 200
 *          paid rewards with an outstanding clawback, written with set-based SQL
 *          (generate_series) into a fresh database that is dropped afterwards;
 *   (a)    POST /v1/payout-batches on the built service (a child process): the whole batch in
 *          one transaction;
 *   (b)    GET …/export?format=csv&detail=advocates and (c) detail=rewards, streamed over
 *          HTTP and counted, while the service's resident memory is sampled every 20 ms;
 *   (a')(b')(c') for reference, psql `COPY (SELECT …) TO STDOUT` of the same rows with the
 *          same joins, in the same run: the floor of reading them out of PostgreSQL;
 *   then, for information, mark-paid of the whole batch and the first page of balances.
 * Targets (issue 6): batch ≤ 15 s, each export ≤ 15 s, peak RSS during exports ≤ 200 MB.
 *
 * Options (env): BENCH_REWARDS=1000000 BENCH_ADVOCATES=<rewards/20> BENCH_POOL=10
 *   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432 BENCH_KEEP_DB=1
 *   BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' (extra node flags for the service)
 *   BENCH_SERVICE_LOG=/tmp/service.log (the service's output, e.g. with --trace-gc)
 *   BENCH_EXPORT_REPEAT=0 (send the rewards export this many times more, back to back, to see
 *   that the peak RSS does not grow with the volume streamed)
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { cpuMsOf, freePort, serviceNodeArgs, serviceStartLine, waitForLine } from './lib/harness';

const REWARDS = Number(process.env.BENCH_REWARDS ?? 1_000_000);
const ADVOCATES = Number(process.env.BENCH_ADVOCATES ?? Math.max(1, Math.round(REWARDS / 20)));
const CLAWBACK_EVERY = 200;
const EXPORT_REPEAT = Number(process.env.BENCH_EXPORT_REPEAT ?? 0);
const POOL = Number(process.env.BENCH_POOL ?? 10);
const PG_BASE = (process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(
  /\/+$/,
  '',
);
const DIST = join(__dirname, '..');
const OPERATOR_TOKEN = randomBytes(24).toString('hex');
const TARGET_S = 15;
const TARGET_RSS_MB = 200;

const log = (line: string) => process.stdout.write(`${line}\n`);
const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.removeAllListeners('exit');
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function api(port: number, key: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      'idempotency-key': `bench-${method}-${path}`,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** kB of a /proc/<pid>/status field (VmRSS now, VmHWM the peak so far); NaN off Linux. */
function memoryKb(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

/** Samples the child's VmRSS every 20 ms until stopped; returns the highest value seen. */
function sampleRss(pid: number | undefined): () => number {
  let peak = memoryKb(pid, 'VmRSS');
  const timer = setInterval(() => {
    const now = memoryKb(pid, 'VmRSS');
    if (now > peak) peak = now;
  }, 20);
  return () => {
    clearInterval(timer);
    return Math.max(peak, memoryKb(pid, 'VmRSS'));
  };
}

interface Transfer {
  ms: number;
  bytes: number;
  lines: number;
  serverCpuMs?: number;
}

/** Reads a streamed body to the end, counting bytes and line feeds (no copy kept). */
async function download(port: number, key: string, path: string, pid?: number): Promise<Transfer> {
  const cpuBefore = cpuMsOf(pid);
  const started = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  let bytes = 0;
  let lines = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
  }
  return {
    ms: performance.now() - started,
    bytes,
    lines,
    serverCpuMs: cpuMsOf(pid) - cpuBefore,
  };
}

/** psql COPY (query) TO STDOUT as CSV with a header, counted like an HTTP download. */
function copyOut(url: string, query: string): Promise<Transfer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const psql = spawn(
      'psql',
      [
        url,
        '-X',
        '-q',
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        `COPY (${query}) TO STDOUT WITH (FORMAT csv, HEADER)`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let bytes = 0;
    let lines = 0;
    let stderr = '';
    psql.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
    });
    psql.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    psql.once('error', (e) => reject(new Error(`psql is needed for the baseline: ${e.message}`)));
    psql.once('exit', (code) =>
      code === 0
        ? resolve({ ms: performance.now() - started, bytes, lines })
        : reject(new Error(`psql exited with ${code}: ${stderr}`)),
    );
  });
}

const iso = (c: string) => `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The exports' rows and joins in plain SQL (amounts as numeric with the currency's 2 digits). */
function copyQueries(batchId: string): { advocates: string; rewards: string } {
  return {
    advocates: `SELECT l.batch_id AS "batchId", l.advocate_id AS "advocateId",
        a.external_id AS "advocateExternalId", a.email, a.name, 'USD' AS currency,
        (l.amount / 100.0)::numeric(20, 2) AS amount, l.amount AS "amountMinor",
        l.reward_count AS "rewardCount", (l.clawback_amount / 100.0)::numeric(20, 2) AS "clawbackAmount",
        ${iso('l.period_start')} AS "periodStart", ${iso('l.period_end')} AS "periodEnd"
      FROM payout_batch_advocates l
      LEFT JOIN advocates a ON a.id = l.advocate_id AND a.brand_id = l.brand_id
      WHERE l.batch_id = '${batchId}' ORDER BY l.advocate_id`,
    rewards: `SELECT i.reward_id AS "rewardId", i.batch_id AS "batchId", i.advocate_id AS "advocateId",
        w.event_id AS "eventId", e.order_id AS "orderId", w.program_id AS "programId",
        c.key AS "ctaKey", coalesce(oe.channel, e.channel) AS channel, w.kind, w.recipient,
        (i.amount / 100.0)::numeric(20, 2) AS amount, i.amount AS "amountMinor", w.currency,
        ${iso('w.occurred_at')} AS "earnedAt", ${iso('w.approved_at')} AS "approvedAt",
        w.clawback_of AS "clawbackOf"
      FROM payout_batch_items i
      JOIN rewards w ON w.id = i.reward_id
      LEFT JOIN events e ON e.id = w.event_id
      LEFT JOIN rewards o ON o.id = w.clawback_of
      LEFT JOIN events oe ON oe.id = o.event_id
      LEFT JOIN ctas c ON c.id = coalesce(oe.cta_id, e.cta_id)
      WHERE i.batch_id = '${batchId}' ORDER BY i.advocate_id, i.reward_id`,
  };
}

/** A brand, its finance key and a program with one CTA and one rule, over the API. */
async function setupBrand(port: number) {
  const created = await api(port, OPERATOR_TOKEN, 'POST', '/v1/brands', { name: 'Bench' });
  const admin: string = created.apiKey.secret;
  const finance = (
    await api(port, admin, 'POST', '/v1/api-keys', { name: 'finance', scopes: ['finance'] })
  ).secret as string;
  const program = await api(port, admin, 'POST', '/v1/programs', {
    name: 'Bench',
    goal: 'conversion',
    currency: 'USD',
    landingUrl: 'https://shop.example.com/welcome',
    holdDays: 0,
  });
  const cta = await api(port, admin, 'POST', `/v1/programs/${program.id}/ctas`, {
    key: 'ig-story',
    channel: 'instagram',
    action: 'purchase',
    label: 'Story',
  });
  await api(port, admin, 'PATCH', `/v1/programs/${program.id}`, { status: 'active' });
  const rule = await api(port, admin, 'POST', `/v1/programs/${program.id}/reward-rules`, {
    trigger: { event: 'purchase' },
    recipient: 'advocate',
    reward: { kind: 'cash', amount: 1000 },
  });
  return {
    brandId: created.brand.id as string,
    finance,
    programId: program.id as string,
    ctaId: cta.id as string,
    ruleId: rule.id as string,
  };
}

/** Set-based seed: advocates, purchase events, approved rewards, paid rewards with clawbacks. */
async function seed(db: Client, ids: Awaited<ReturnType<typeof setupBrand>>): Promise<number> {
  const id = (prefix: string, expr: string) => `'${prefix}_' || lpad((${expr})::text, 20, '0')`;
  await db.query(
    `INSERT INTO advocates (id, brand_id, external_id, email, email_normalized, name)
     SELECT ${id('adv', 'g')}, $1, 'bench-' || g, 'advocate' || g || '@example.com',
            'advocate' || g || '@example.com', 'Advocate ' || g
       FROM generate_series(1, $2::int) g`,
    [ids.brandId, ADVOCATES],
  );
  // purchases of the last 60 days, each attributed to a click on the CTA
  await db.query(
    `INSERT INTO events (id, brand_id, event_id, type, occurred_at, customer_external_id, order_id,
                         order_amount, order_currency, request_hash, status, method, program_id,
                         advocate_id, cta_id, channel)
     SELECT ${id('evt', 'g')}, $1, 'e-' || g, 'purchase',
            now() - interval '61 days' + (g % 5000) * interval '1 second' + (g % 60) * interval '1 day',
            'c-' || g, 'o-' || g, 12900, 'USD', repeat('0', 64), 'attributed', 'click', $2,
            ${id('adv', '1 + g % $4::int')}, $3, 'instagram'
       FROM generate_series(1, $5::int) g`,
    [ids.brandId, ids.programId, ids.ctaId, ADVOCATES, REWARDS],
  );
  await db.query(
    `INSERT INTO rewards (id, brand_id, program_id, rule_id, event_id, advocate_id, recipient, kind,
                          amount, currency, status, occurred_at, available_at, approved_at)
     SELECT ${id('rwd', 'g')}, $1, $2, $3, e.id, e.advocate_id, 'advocate', 'cash',
            100 + (g::bigint * 7919) % 9900, 'USD', 'approved', e.occurred_at, e.occurred_at,
            e.occurred_at + interval '1 hour'
       FROM generate_series(1, $4::int) g JOIN events e ON e.id = ${id('evt', 'g')}`,
    [ids.brandId, ids.programId, ids.ruleId, REWARDS],
  );
  // one reward in CLAWBACK_EVERY was paid earlier and half refunded: its clawback is netted
  const clawbacks = Math.floor(REWARDS / CLAWBACK_EVERY);
  const common = [ids.brandId, ids.programId, ids.ruleId, ADVOCATES, REWARDS, clawbacks];
  await db.query(
    `INSERT INTO rewards (id, brand_id, program_id, rule_id, event_id, advocate_id, recipient, kind,
                          amount, reversed_amount, currency, status, occurred_at, available_at,
                          approved_at, paid_at)
     SELECT ${id('rwd', '$5::int + g')}, $1, $2, $3, ${id('evt', '$5::int + g')},
            ${id('adv', '1 + g % $4::int')}, 'advocate', 'cash', 2000, 1000, 'USD', 'paid',
            now() - interval '90 days', now() - interval '90 days', now() - interval '90 days',
            now() - interval '80 days'
       FROM generate_series(1, $6::int) g`,
    common,
  );
  await db.query(
    `INSERT INTO rewards (id, brand_id, program_id, rule_id, event_id, advocate_id, recipient, kind,
                          amount, currency, status, reason, occurred_at, available_at, approved_at,
                          clawback_of)
     SELECT ${id('rwd', '$5::int + $6::int + g')}, $1, $2, $3, ${id('evt', '$5::int + $6::int + g')},
            ${id('adv', '1 + g % $4::int')}, 'advocate', 'cash', -1000, 'USD', 'approved',
            'clawback', now() - interval '10 days', now() - interval '10 days',
            now() - interval '10 days', ${id('rwd', '$5::int + g')}
       FROM generate_series(1, $6::int) g`,
    common,
  );
  await db.query('VACUUM ANALYZE advocates, events, rewards');
  return clawbacks;
}

async function main(): Promise<void> {
  const dbName = `tandem_bench_payouts_${Date.now()}`;
  const admin = new Client({ connectionString: `${PG_BASE}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = `${PG_BASE}/${dbName}`;
  const results: { name: string; t: Transfer; target?: boolean }[] = [];
  let peakRssKb = NaN;
  let idleRssKb = NaN;
  let hwmKb = NaN;
  let batchTotals: Record<string, number> = {};
  try {
    const port = await freePort();
    const nodeArgs = serviceNodeArgs();
    const app = spawn(process.execPath, [...nodeArgs, join(DIST, 'src', 'main.js')], {
      env: {
        ...process.env,
        DATABASE_URL: url,
        DATABASE_POOL_SIZE: String(POOL),
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        RATE_LIMIT_PER_MINUTE: '1000000',
        TANDEM_OPERATOR_TOKEN: OPERATOR_TOKEN,
        TANDEM_SECRET: randomBytes(32).toString('hex'),
        TANDEM_DATA_DIR: join(tmpdir(), `tandem-bench-payouts-${process.pid}`, 'data'),
        REWARD_APPROVAL_INTERVAL_MS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (process.env.BENCH_SERVICE_LOG) {
      const out = createWriteStream(process.env.BENCH_SERVICE_LOG);
      app.stdout?.pipe(out);
      app.stderr?.pipe(out);
    }
    await waitForLine(app, /listening/, 60_000);
    const db = new Client({ connectionString: url });
    await db.connect();
    try {
      const ids = await setupBrand(port);
      let started = performance.now();
      const clawbacks = await seed(db, ids);
      log(
        `seeded ${fmtInt(REWARDS)} approved rewards over ${fmtInt(ADVOCATES)} advocates ` +
          `(+ ${fmtInt(clawbacks)} outstanding clawbacks) in ${seconds(performance.now() - started)}`,
      );

      // (a) the batch
      const cpuBefore = cpuMsOf(app.pid);
      started = performance.now();
      const batch = await api(port, ids.finance, 'POST', '/v1/payout-batches', {
        currency: 'USD',
        cutoff: new Date().toISOString(),
      });
      const batchMs = performance.now() - started;
      batchTotals = batch.totals;
      results.push({
        name: '(a) POST /v1/payout-batches',
        t: {
          ms: batchMs,
          bytes: 0,
          lines: batch.totals.rewards,
          serverCpuMs: cpuMsOf(app.pid) - cpuBefore,
        },
        target: batchMs <= TARGET_S * 1000,
      });

      // (b), (c) the exports, with the service's memory sampled
      idleRssKb = memoryKb(app.pid, 'VmRSS');
      const stopSampling = sampleRss(app.pid);
      for (const detail of ['advocates', 'rewards'] as const) {
        const t = await download(
          port,
          ids.finance,
          `/v1/payout-batches/${batch.id}/export?format=csv&detail=${detail}`,
          app.pid,
        );
        const expected =
          (detail === 'advocates' ? batch.totals.advocates : batch.totals.rewards) + 1;
        if (t.lines !== expected)
          throw new Error(`${detail}: ${t.lines} lines, expected ${expected}`);
        results.push({
          name: `(${detail === 'advocates' ? 'b' : 'c'}) export CSV, detail=${detail}`,
          t,
          target: t.ms <= TARGET_S * 1000,
        });
      }
      for (let i = 0; i < EXPORT_REPEAT; i++) {
        await download(
          port,
          ids.finance,
          `/v1/payout-batches/${batch.id}/export?format=csv&detail=rewards`,
        );
        log(
          `rewards export again (${i + 1}/${EXPORT_REPEAT}): VmRSS ${mb(memoryKb(app.pid, 'VmRSS'))}`,
        );
      }
      peakRssKb = stopSampling();
      hwmKb = memoryKb(app.pid, 'VmHWM');

      // baselines: the same rows straight out of PostgreSQL
      const q = copyQueries(batch.id);
      results.push({
        name: "(b') psql COPY … TO STDOUT, advocates",
        t: await copyOut(url, q.advocates),
      });
      results.push({
        name: "(c') psql COPY … TO STDOUT, rewards",
        t: await copyOut(url, q.rewards),
      });

      // for information
      started = performance.now();
      await api(port, ids.finance, 'POST', `/v1/payout-batches/${batch.id}/mark-paid`, {});
      results.push({
        name: '(d) POST …/mark-paid (every reward → paid)',
        t: { ms: performance.now() - started, bytes: 0, lines: batch.totals.rewards },
      });
      started = performance.now();
      await api(port, ids.finance, 'GET', '/v1/payouts/balances?currency=USD&limit=50');
      results.push({
        name: '(e) GET /v1/payouts/balances, first page + totals',
        t: { ms: performance.now() - started, bytes: 0, lines: 50 },
      });
    } finally {
      await db.end();
      await stop(app);
    }
  } finally {
    if (!process.env.BENCH_KEEP_DB)
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }

  const version = (await (async () => {
    const c = new Client({ connectionString: `${PG_BASE}/postgres` });
    await c.connect();
    const v = (await c.query('SHOW server_version')).rows[0].server_version as string;
    await c.end();
    return v;
  })()) as string;
  log('');
  log(
    `node ${process.version}, ${cpus().length} CPUs, PostgreSQL ${version}, pool ${POOL}; ` +
      `batch: ${fmtInt(batchTotals.advocates ?? 0)} advocates, ${fmtInt(batchTotals.rewards ?? 0)} lines; ` +
      serviceStartLine(),
  );
  log('| step | time | lines | MB | lines/s | service CPU | target ≤ 15 s |');
  log('|---|---|---|---|---|---|---|');
  for (const r of results) {
    const rate = r.t.lines > 0 ? fmtInt(r.t.lines / (r.t.ms / 1000)) : '—';
    log(
      `| ${r.name} | ${seconds(r.t.ms)} | ${fmtInt(r.t.lines)} | ${r.t.bytes ? (r.t.bytes / 1e6).toFixed(1) : '—'} | ${rate} | ${
        r.t.serverCpuMs !== undefined && Number.isFinite(r.t.serverCpuMs)
          ? seconds(r.t.serverCpuMs)
          : '—'
      } | ${r.target === undefined ? '' : r.target ? 'met' : 'MISSED'} |`,
    );
  }
  const find = (p: string) => results.find((r) => r.name.startsWith(p));
  for (const [a, b] of [
    ['(b)', "(b')"],
    ['(c)', "(c')"],
  ] as const) {
    const http = find(a);
    const copy = find(b);
    if (http && copy) log(`${a} vs ${b}: ${(http.t.ms / copy.t.ms).toFixed(1)}× the time of COPY`);
  }
  log(
    `service RSS: ${mb(idleRssKb)} before the exports, peak ${mb(peakRssKb)} during them ` +
      `(sampled every 20 ms; VmHWM ${mb(hwmKb)}); target ≤ ${TARGET_RSS_MB} MB: ` +
      `${peakRssKb / 1024 <= TARGET_RSS_MB ? 'met' : 'MISSED'}`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
