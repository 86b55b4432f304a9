/**
 * npm run bench:events — conversion events on PostgreSQL, in one run:
 *   (a) baseline: a bare Fastify + pg route running a 3-statement transaction (child process)
 *   (b) the built service: single POST /v1/events, 50 connections
 *   (c) the built service: POST /v1/events/batch of 500 events
 *   (d) for reference, the service's floor: an authenticated GET with one indexed SELECT
 * Every event is a purchase by a new friend carrying a genuine click id (from HEAD /r/:slug of
 * 50 advocates' links) under two-sided rules (advocate 10.00 USD cash, friend a generated
 * coupon): attribution, customer, referral created and converted, two rewards, per event.
 * Afterwards the stored events are compared with the 201s served.
 *
 * Options (env): BENCH_DURATION=15 BENCH_CONNECTIONS=50 BENCH_BATCH_CONNECTIONS=4
 *   BENCH_THREADS=2 BENCH_POOL=10 BENCH_PG_URL=postgres://postgres@127.0.0.1:5432 BENCH_KEEP_DB=1
 *   BENCH_ONLY=a,b,c,d (scenarios to run)
 *   BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' (extra node flags for the service)
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import {
  freePort,
  measureWrk,
  serviceNodeArgs,
  serviceStartLine,
  waitForLine,
  WrkResult,
} from './lib/harness';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const BATCH_CONNECTIONS = Number(process.env.BENCH_BATCH_CONNECTIONS ?? 4);
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const POOL = Number(process.env.BENCH_POOL ?? 10);
const BATCH = 500;
const ADVOCATES = 50;
const PG_BASE = (process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(
  /\/+$/,
  '',
);
const DIST = join(__dirname, '..');
const OPERATOR_TOKEN = randomBytes(24).toString('hex');
const ONLY = (process.env.BENCH_ONLY ?? 'a,b,c,d').split(',');

const log = (line: string) => process.stdout.write(`${line}\n`);

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
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: 'manual',
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** A brand with the README's program: 50 advocates, and one genuine click id per advocate. */
async function seed(port: number): Promise<{ key: string; clickIds: string[] }> {
  const created = await api(port, OPERATOR_TOKEN, 'POST', '/v1/brands', { name: 'Bench' });
  const key: string = created.apiKey.secret;
  const program = await api(port, key, 'POST', '/v1/programs', {
    name: 'Bench',
    goal: 'conversion',
    currency: 'USD',
    landingUrl: 'https://shop.example.com/welcome',
  });
  await api(port, key, 'POST', `/v1/programs/${program.id}/ctas`, {
    key: 'ig-story',
    channel: 'instagram',
    action: 'purchase',
    label: 'Story',
  });
  await api(port, key, 'PATCH', `/v1/programs/${program.id}`, { status: 'active' });
  // Every fraud rule screens the events as in production, but 50 advocates each bringing
  // thousands of friends a minute would trip the velocity rule and hold them all.
  await api(port, key, 'PUT', `/v1/programs/${program.id}/fraud-rules`, {
    rules: { velocity: { enabled: false } },
  });
  await api(port, key, 'POST', `/v1/programs/${program.id}/reward-rules`, {
    trigger: { event: 'purchase' },
    recipient: 'advocate',
    reward: { kind: 'cash', amount: 1000 },
  });
  await api(port, key, 'POST', `/v1/programs/${program.id}/reward-rules`, {
    trigger: { event: 'purchase' },
    recipient: 'friend',
    reward: { kind: 'coupon', percent: 15 },
  });
  const clickIds: string[] = [];
  for (let i = 0; i < ADVOCATES; i++) {
    const advocate = await api(port, key, 'POST', '/v1/advocates', {
      externalId: `bench-adv-${i}`,
    });
    const enrollment = await api(port, key, 'POST', `/v1/programs/${program.id}/enrollments`, {
      advocateId: advocate.id,
    });
    const res = await fetch(`http://127.0.0.1:${port}/r/${enrollment.links[0].slug}`, {
      method: 'HEAD',
      redirect: 'manual',
    });
    clickIds.push(new URL(res.headers.get('location')!).searchParams.get('tclid')!);
  }
  return { key, clickIds };
}

/** wrk script: every request a new purchase event (or a body of BATCH of them). */
function script(
  dir: string,
  name: string,
  opts: { path: string; key?: string; batch: number; clickIds: string[] },
): string {
  const file = join(dir, `${name}.lua`);
  writeFileSync(
    file,
    `local clicks = {${opts.clickIds.map((c) => `"${c}"`).join(',')}}
local threads = 0
local counter = 0
local occurred = "${new Date().toISOString()}"
local headers = { ["Content-Type"] = "application/json"${opts.key ? `, ["Authorization"] = "Bearer ${opts.key}"` : ''} }
local tag
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  -- unique per wrk process and thread: the warm-up and the measured run never reuse an id
  math.randomseed(os.time() * 1000 + tid)
  tag = string.format("%x%x", os.time(), math.random(0, 2147483647))
end
local function event()
  counter = counter + 1
  local id = tag .. "-" .. tid .. "-" .. counter
  return string.format('{"id":"e-%s","type":"purchase","occurredAt":"%s","customer":{"id":"c-%s"},"order":{"id":"o-%s","amount":12900,"currency":"USD"},"clickId":"%s"}',
    id, occurred, id, id, clicks[counter % #clicks + 1])
end
request = function()
  if ${opts.batch} == 1 then
    return wrk.format("POST", "${opts.path}", headers, event())
  end
  local items = {}
  for i = 1, ${opts.batch} do items[i] = event() end
  return wrk.format("POST", "${opts.path}", headers, '{"events":[' .. table.concat(items, ",") .. ']}')
end
`,
  );
  return file;
}

async function baseline(
  url: string,
  dir: string,
  results: { name: string; eventsPerRequest: number; wrk: WrkResult }[],
): Promise<void> {
  const barePort = await freePort();
  const bare = spawn(
    process.execPath,
    [join(DIST, 'bench', 'bare-transaction-server.js'), String(barePort), url, String(POOL)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await waitForLine(bare, /ready/, 20_000);
  try {
    const file = script(dir, 'bare', { path: '/bare', batch: 1, clickIds: ['none'] });
    results.push({
      name: '(a) bare 3-statement transaction (Fastify + pg)',
      eventsPerRequest: 1,
      wrk: measure(barePort, file, CONNECTIONS, bare.pid),
    });
  } finally {
    await stop(bare);
  }
}

async function main(): Promise<void> {
  const dbName = `tandem_bench_events_${Date.now()}`;
  const admin = new Client({ connectionString: `${PG_BASE}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = `${PG_BASE}/${dbName}`;
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-events-'));
  const results: { name: string; eventsPerRequest: number; wrk: WrkResult }[] = [];
  try {
    // (a) baseline
    if (ONLY.includes('a')) await baseline(url, dir, results);

    // (b), (c), (d) the service
    const port = await freePort();
    const app = spawn(process.execPath, [...serviceNodeArgs(), join(DIST, 'src', 'main.js')], {
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
        TANDEM_DATA_DIR: join(dir, 'data'),
        PUBLIC_BASE_URL: 'http://links.bench',
        REWARD_APPROVAL_INTERVAL_MS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await waitForLine(app, /listening/, 60_000);
    let served = 0;
    try {
      const { key, clickIds } = await seed(port);
      if (ONLY.includes('b')) {
        const single = script(dir, 'single', { path: '/v1/events', key, batch: 1, clickIds });
        results.push({
          name: `(b) POST /v1/events, ${CONNECTIONS} connections`,
          eventsPerRequest: 1,
          wrk: measure(port, single, CONNECTIONS, app.pid),
        });
      }
      if (ONLY.includes('c')) {
        const batch = script(dir, 'batch', {
          path: '/v1/events/batch',
          key,
          batch: BATCH,
          clickIds,
        });
        results.push({
          name: `(c) POST /v1/events/batch of ${BATCH}, ${BATCH_CONNECTIONS} connections`,
          eventsPerRequest: BATCH,
          wrk: measure(port, batch, BATCH_CONNECTIONS, app.pid),
        });
      }
      if (ONLY.includes('d')) {
        // The service's floor for an authenticated request (guards, throttler, request logging,
        // one indexed SELECT, no transaction): what any route pays before its own work.
        const floor = join(dir, 'floor.lua');
        writeFileSync(
          floor,
          `request = function() return wrk.format("GET", "/v1/api-keys?limit=1", { ["Authorization"] = "Bearer ${key}" }) end\n`,
        );
        results.push({
          name: `(d) floor: GET /v1/api-keys?limit=1, ${CONNECTIONS} connections`,
          eventsPerRequest: 1,
          wrk: measure(port, floor, CONNECTIONS, app.pid),
        });
      }
      served = 1;
    } finally {
      await stop(app);
    }
    if (served) {
      const db = new Client({ connectionString: url });
      await db.connect();
      const rows = await db.query(
        `SELECT (SELECT count(*) FROM events)::int AS events, (SELECT count(*) FROM rewards)::int AS rewards,
                (SELECT count(*) FROM referrals WHERE status = 'converted')::int AS referrals,
                (SELECT count(*) FROM events WHERE status = 'attributed')::int AS attributed`,
      );
      await db.end();
      const r = rows.rows[0];
      log(
        `stored: ${r.events} events (${r.attributed} attributed), ${r.referrals} converted referrals, ${r.rewards} rewards`,
      );
    }
  } finally {
    if (!process.env.BENCH_KEEP_DB)
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }

  const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
  const a = results.find((r) => r.name.startsWith('(a)'));
  const b = results.find((r) => r.name.startsWith('(b)'));
  const c = results.find((r) => r.name.startsWith('(c)'));
  log('');
  log(
    `node ${process.version}, ${cpus().length} CPUs, wrk -t${THREADS} -d${DURATION_S}s --latency, pool ${POOL}, PostgreSQL ${PG_BASE.replace(/\/\/.*@/, '//')}`,
  );
  log(serviceStartLine());
  log('| scenario | requests/s | events/s | p50 | p99 | events/s vs (a) | server CPU per event |');
  log('|---|---|---|---|---|---|---|');
  for (const r of results) {
    const eps = r.wrk.rps * r.eventsPerRequest;
    const ratio = a ? `${((eps / a.wrk.rps) * 100).toFixed(0)}%` : '—';
    const cpu =
      r.wrk.cpuUsPerRequest === undefined
        ? '—'
        : `${Math.round(r.wrk.cpuUsPerRequest / r.eventsPerRequest)} µs`;
    log(
      `| ${r.name} | ${Math.round(r.wrk.rps).toLocaleString('en-US')} | ${Math.round(eps).toLocaleString('en-US')} | ${fmt(r.wrk.p50Ms)} ms | ${fmt(r.wrk.p99Ms)} ms | ${ratio} | ${cpu} |`,
    );
    if (r.wrk.non2xx3xx > 0 || r.wrk.socketErrors !== 'none') {
      log(`  ${r.name}: ${r.wrk.non2xx3xx} non-2xx answers, socket errors: ${r.wrk.socketErrors}`);
    }
  }
  if (a && b)
    log(
      `target single ≥ 50% of (a): ${((b.wrk.rps / a.wrk.rps) * 100).toFixed(0)}% ${b.wrk.rps >= a.wrk.rps / 2 ? 'met' : 'MISSED'}`,
    );
  if (c)
    log(
      `target batch ≥ 10,000 events/s: ${Math.round(c.wrk.rps * BATCH).toLocaleString('en-US')} ${c.wrk.rps * BATCH >= 10_000 ? 'met' : 'MISSED'}`,
    );
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});

function measure(port: number, file: string, connections: number, pid?: number): WrkResult {
  return measureWrk(port, file, DURATION_S, {
    connections,
    threads: THREADS,
    warmupSeconds: 3,
    pid,
  });
}
