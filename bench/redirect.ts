/**
 * npm run bench:redirect — the tracked-link redirect under load, in one run:
 *   (a) ceiling: a bare Fastify route answering 302, no database (child process)
 *   (b) the built service (dist/src/main.js) on PostgreSQL (a fresh database on 127.0.0.1:5432)
 *   (c) the same on the embedded database (PGlite)
 * 10,000 links are seeded with multi-row inserts; wrk drives random slugs at 50 connections for
 * 10 s from many client addresses (X-Forwarded-For: 50,000 slug × address pairs per wrk thread). After each service run the server
 * is stopped with SIGTERM and the stored clicks are compared with the 302s it served. With a
 * local PostgreSQL server, (b) also gives the server's CPU per request (all its processes: the
 * click flush, WAL, autovacuum), which shares the machine's cores with the service and wrk.
 *
 * Options (env): BENCH_DURATION=10 BENCH_CONNECTIONS=50 BENCH_THREADS=2
 *   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432 BENCH_ONLY=a,b,c BENCH_KEEP_DB=1
 *   BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' (extra node flags for the service)
 */
import 'reflect-metadata';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import {
  freePort,
  localPostgresCpuMs,
  measureWrk,
  serviceNodeArgs,
  serviceStartLine,
  waitForLine,
  WrkResult,
} from './lib/harness';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@/database/data-source-options';
import { EmbeddedPostgres } from '@/database/embedded-postgres';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const PG_BASE = (process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(
  /\/+$/,
  '',
);
const ONLY = (process.env.BENCH_ONLY ?? 'a,b,c').split(',');
// The database server's CPU is read from /proc when it runs on this machine.
const LOCAL_PG = /@(127\.0\.0\.1|localhost)(:\d+)?$/.test(PG_BASE);
const LINKS = 10_000;
const CTAS = 5;
const USER_AGENT =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36';
const DIST = join(__dirname, '..');
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

interface ScenarioResult {
  name: string;
  wrk: WrkResult;
  clicks?: { stored: number; bots: number; served302: number; servedOther: number; exit: string };
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function randomId(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[bytes[i]! % 62];
  return out;
}

// ---------------------------------------------------------------- seeding

async function migrateAndSeed(url: string, slugs: string[]): Promise<void> {
  const dataSource = await new DataSource(dataSourceOptions(url, 2, true)).initialize();
  try {
    const brandId = `brd_${randomId(20)}`;
    const programId = `prg_${randomId(20)}`;
    await dataSource.query('INSERT INTO brands (id, name) VALUES ($1, $2)', [
      brandId,
      'Bench brand',
    ]);
    await dataSource.query(
      `INSERT INTO programs (id, brand_id, name, status, goal, currency, landing_url)
       VALUES ($1, $2, 'Bench program', 'active', 'conversion', 'EUR', 'https://shop.example.com/welcome?lang=en')`,
      [programId, brandId],
    );
    const channels = ['instagram', 'tiktok', 'whatsapp', 'email', 'copy_link'];
    const ctaIds = channels.map(() => `cta_${randomId(20)}`);
    await dataSource.query(
      `INSERT INTO ctas (id, brand_id, program_id, key, channel, action, label, value_amount)
       SELECT id, $2, $3, key, channel, 'purchase', 'Shop with my code', 2500
         FROM unnest($1::text[], $4::text[], $5::text[]) AS t(id, key, channel)`,
      [ctaIds, brandId, programId, channels.map((c) => `${c}-post`), channels],
    );
    const advocates = LINKS / CTAS;
    const advocateIds = Array.from({ length: advocates }, () => `adv_${randomId(20)}`);
    const enrollmentIds = Array.from({ length: advocates }, () => `enr_${randomId(20)}`);
    await dataSource.query(
      `INSERT INTO advocates (id, brand_id, external_id, status)
       SELECT id, $2, 'cust-' || ord, 'active' FROM unnest($1::text[]) WITH ORDINALITY AS t(id, ord)`,
      [advocateIds, brandId],
    );
    await dataSource.query(
      `INSERT INTO enrollments (id, brand_id, program_id, advocate_id, code)
       SELECT e, $3, $4, a, 'BENCH' || ord FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(e, a, ord)`,
      [enrollmentIds, advocateIds, brandId, programId],
    );
    const link = {
      id: [] as string[],
      cta: [] as string[],
      adv: [] as string[],
      enr: [] as string[],
    };
    for (let i = 0; i < LINKS; i++) {
      const a = Math.floor(i / CTAS);
      link.id.push(`lnk_${randomId(20)}`);
      link.cta.push(ctaIds[i % CTAS]!);
      link.adv.push(advocateIds[a]!);
      link.enr.push(enrollmentIds[a]!);
    }
    await dataSource.query(
      `INSERT INTO links (id, brand_id, program_id, cta_id, advocate_id, enrollment_id, slug)
       SELECT id, $6, $7, cta, adv, enr, slug
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(id, cta, adv, enr, slug)`,
      [link.id, link.cta, link.adv, link.enr, slugs, brandId, programId],
    );
    // as autovacuum would on a live database: the lookup plans use the indexes
    await dataSource.query('ANALYZE');
  } finally {
    await dataSource.destroy();
  }
}

// ---------------------------------------------------------------- processes

function exitOf(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      return resolve(child.signalCode ?? `code ${child.exitCode}`);
    child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`));
  });
}

async function startService(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      ...serviceNodeArgs(),
      '-r',
      join(DIST, 'bench', 'count-responses.js'),
      join(DIST, 'src', 'main.js'),
    ],
    {
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        MIGRATIONS_RUN: 'false',
        TANDEM_SECRET: randomId(48),
        PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  child.stderr?.on('data', (chunk: Buffer) =>
    process.stderr.write(`  [service] ${chunk.toString()}`),
  );
  await waitForLine(child, /Tandem listening/, 60_000);
  return { child, port };
}

function servedCounts(child: ChildProcess): Promise<{ redirects: number; other: number }> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as { redirects: number; other: number }));
    child.send('count');
  });
}

/** Visits every slug once (50 at a time) so the measured run starts with a warm cache. */
async function warmCache(port: number, slugs: string[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < slugs.length) {
      const slug = slugs[next++]!;
      const res = await fetch(`http://127.0.0.1:${port}/r/${slug}`, {
        redirect: 'manual',
        headers: { 'user-agent': USER_AGENT, 'x-forwarded-for': '192.0.2.1' },
      });
      await res.arrayBuffer();
      if (res.status !== 302) throw new Error(`warm-up: /r/${slug} answered ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
}

// ---------------------------------------------------------------- load

function wrkScript(dir: string, slugs: string[]): string {
  const slugFile = join(dir, 'slugs.txt');
  writeFileSync(slugFile, slugs.join('\n') + '\n');
  const script = join(dir, 'redirect.lua');
  writeFileSync(
    script,
    `local slugs = {}
for line in io.lines(${JSON.stringify(slugFile)}) do slugs[#slugs + 1] = line end
local n = #slugs
local ua = ${JSON.stringify(USER_AGENT)}
local threads = 0
local pool = 50000
local requests = {}
function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end
function init(args)
  math.randomseed(os.time() * 1000 + (seed or 0))
  -- prepared up front so the load generator spends its CPU on sending, not on building requests
  for i = 1, pool do
    local ip = "10." .. math.random(0, 255) .. "." .. math.random(0, 255) .. "." .. math.random(1, 254)
    requests[i] = wrk.format("GET", "/r/" .. slugs[math.random(n)], { ["User-Agent"] = ua, ["X-Forwarded-For"] = ip })
  end
end
-- a random link from a random client address each time
request = function()
  return requests[math.random(pool)]
end
`,
  );
  return script;
}

// ---------------------------------------------------------------- scenarios

async function ceiling(script: string): Promise<ScenarioResult> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(DIST, 'bench', 'ceiling-server.js'), String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await waitForLine(child, /ready/, 20_000);
  try {
    return { name: '(a) bare Fastify 302, no database', wrk: measure(port, script, child.pid) };
  } finally {
    child.kill('SIGTERM');
    await exitOf(child);
  }
}

async function serviceRun(
  name: string,
  env: Record<string, string>,
  script: string,
  slugs: string[],
  countClicks: () => Promise<{ stored: number; bots: number }>,
  databaseCpuMs?: () => number,
): Promise<ScenarioResult> {
  const { child, port } = await startService(env);
  let wrk: WrkResult;
  let served: { redirects: number; other: number };
  try {
    await warmCache(port, slugs);
    wrk = measure(port, script, child.pid, databaseCpuMs);
    await new Promise((r) => setTimeout(r, 500)); // the last requests wrk abandoned finish
    served = await servedCounts(child);
  } finally {
    child.kill('SIGTERM');
  }
  const exit = await exitOf(child);
  const clicks = await countClicks();
  return {
    name,
    wrk,
    clicks: { ...clicks, served302: served.redirects, servedOther: served.other, exit },
  };
}

async function countClicksAt(url: string): Promise<{ stored: number; bots: number }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ stored: number; bots: number }>(
      'SELECT count(*)::int AS stored, count(*) FILTER (WHERE is_bot)::int AS bots FROM clicks',
    );
    return rows[0]!;
  } finally {
    await client.end();
  }
}

async function postgresRun(script: string, slugs: string[]): Promise<ScenarioResult> {
  const dbName = `tandem_bench_${Date.now()}`;
  const admin = new Client({ connectionString: `${PG_BASE}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = `${PG_BASE}/${dbName}`;
  try {
    const version = await admin.query<{ server_version: string }>('SHOW server_version');
    log(
      `(b) PostgreSQL ${version.rows[0]!.server_version}: database ${dbName}; seeding ${LINKS} links…`,
    );
    await migrateAndSeed(url, slugs);
    return await serviceRun(
      '(b) service on PostgreSQL',
      { DATABASE_URL: url },
      script,
      slugs,
      () => countClicksAt(url),
      LOCAL_PG ? localPostgresCpuMs : undefined,
    );
  } finally {
    if (!process.env.BENCH_KEEP_DB)
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

async function embeddedRun(dir: string, script: string, slugs: string[]): Promise<ScenarioResult> {
  const dataDir = join(dir, 'embedded', 'data');
  log(`(c) embedded PGlite in ${dataDir}; seeding ${LINKS} links…`);
  const seeding = new EmbeddedPostgres(dataDir, 4);
  await migrateAndSeed(await seeding.start(), slugs);
  await seeding.stop();
  return serviceRun(
    '(c) service on embedded PGlite',
    { TANDEM_DATA_DIR: dataDir },
    script,
    slugs,
    async () => {
      const reopened = new EmbeddedPostgres(dataDir, 4);
      try {
        return await countClicksAt(await reopened.start());
      } finally {
        await reopened.stop();
      }
    },
  );
}

// ---------------------------------------------------------------- report

function fmtMs(ms: number): string {
  return ms < 1 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`;
}

function report(results: ScenarioResult[]): boolean {
  const a = results.find((r) => r.name.startsWith('(a)'));
  const rows = results.map((r) => {
    const ratio = a && r !== a ? `${((r.wrk.rps / a.wrk.rps) * 100).toFixed(0)}%` : '—';
    const us = (v: number | undefined) => (v === undefined ? '—' : `${v.toFixed(0)} µs`);
    const cpu = `${us(r.wrk.cpuUsPerRequest)} | ${us(r.wrk.databaseCpuUsPerRequest)}`;
    return `| ${r.name} | ${Math.round(r.wrk.rps).toLocaleString('en-US')} | ${fmtMs(r.wrk.p50Ms)} | ${fmtMs(r.wrk.p99Ms)} | ${ratio} | ${cpu} |`;
  });
  log('');
  log(
    `wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION_S}s, random slugs of ${LINKS.toLocaleString('en-US')} links from ${THREADS * 50}k slug × client-address pairs`,
  );
  log(serviceStartLine());
  log('');
  log(
    '| scenario | req/s | p50 | p99 | vs (a) | server CPU / request | PostgreSQL CPU / request |',
  );
  log('|---|---|---|---|---|---|---|');
  rows.forEach((row) => log(row));
  log('');
  let ok = true;
  for (const r of results) {
    if (r.wrk.non2xx3xx > 0 || r.wrk.socketErrors !== 'none') {
      log(`${r.name}: ${r.wrk.non2xx3xx} non-3xx answers, socket errors: ${r.wrk.socketErrors}`);
    }
    if (!r.clicks) continue;
    const c = r.clicks;
    const lost = c.served302 - (c.stored - c.bots);
    log(
      `${r.name}: stopped (${c.exit}); clicks stored ${c.stored.toLocaleString('en-US')} (bots ${c.bots}) ` +
        `= 302s served ${c.served302.toLocaleString('en-US')}? ${lost === 0 ? 'yes, none lost' : `NO: ${lost} missing`}` +
        (c.servedOther ? `; ${c.servedOther} other answers` : ''),
    );
    if (lost !== 0) ok = false;
  }
  const b = results.find((r) => r.name.startsWith('(b)'));
  const c = results.find((r) => r.name.startsWith('(c)'));
  log('');
  if (a && b) {
    const ratio = b.wrk.rps / a.wrk.rps;
    log(`target (b) ≥ 50% of (a): ${(ratio * 100).toFixed(0)}% ${ratio >= 0.5 ? 'met' : 'MISSED'}`);
    log(`target (b) p99 ≤ 10 ms: ${fmtMs(b.wrk.p99Ms)} ${b.wrk.p99Ms <= 10 ? 'met' : 'MISSED'}`);
  }
  if (c)
    log(
      `target (c) ≥ 10,000 req/s: ${Math.round(c.wrk.rps)} ${c.wrk.rps >= 10_000 ? 'met' : 'MISSED'}`,
    );
  return ok;
}

async function main(): Promise<void> {
  if (spawnSync('wrk', ['--version']).error) {
    log('wrk is not installed: apt-get install -y wrk');
    process.exit(1);
  }
  const cpu = cpus();
  log(
    `machine: ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; ${new Date().toISOString()}`,
  );
  // Other work on the machine skews every figure: the load average says how quiet it was.
  log(
    `load average before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-'));
  const slugs = Array.from({ length: LINKS }, () => randomId(10));
  const script = wrkScript(dir, slugs);
  const results: ScenarioResult[] = [];
  try {
    if (ONLY.includes('a')) {
      log('(a) ceiling…');
      results.push(await ceiling(script));
    }
    if (ONLY.includes('b')) results.push(await postgresRun(script, slugs));
    if (ONLY.includes('c')) results.push(await embeddedRun(dir, script, slugs));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (!report(results)) process.exitCode = 1;
  log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});

function measure(
  port: number,
  script: string,
  pid: number | undefined,
  databaseCpuMs?: () => number,
): WrkResult {
  return measureWrk(port, script, DURATION_S, {
    connections: CONNECTIONS,
    threads: THREADS,
    pid,
    databaseCpuMs,
  });
}
