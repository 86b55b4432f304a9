/**
 * npm run bench:webhooks — the cost of fraud screening and webhooks on event intake, and the
 * dispatcher's delivery rate, on PostgreSQL, in one run:
 *   (a) ceiling: the bench process POSTs signed bodies straight to the receiver
 *       (BENCH_WEBHOOK_CONCURRENCY at a time) — what one sender can reach here
 *   (b) intake, fraud rules off, no endpoint      } POST /v1/events/batch of 500 purchases
 *   (c) intake, fraud rules on (default), no endpoint   by new friends (code), 3 brands,
 *   (d) intake, fraud rules on, one endpoint (4 webhook events per purchase)  dispatcher off
 *   (e) dispatch: the service restarted with its dispatcher on drains (d)'s backlog to the
 *       receiver (a node:http server in this process that verifies every signature)
 *   (f) latency: single events one after the other, commit → verified receipt, p50 / p99
 * Velocity is off in every brand: 50 advocates get hundreds of referrals a minute here, which
 * the rule would (rightly) hold, adding a hold statement per event.
 *
 * Options (env): BENCH_EVENTS=10000 (per intake scenario; a multiple of 500)
 *   BENCH_BATCH_CONNECTIONS=2 BENCH_WEBHOOK_CONCURRENCY=10 BENCH_LATENCY_EVENTS=100
 *   BENCH_POOL=10 BENCH_PG_URL=postgres://postgres@127.0.0.1:5432 BENCH_KEEP_DB=1
 *   BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' (extra node flags for the service)
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { cpuMsOf, freePort, serviceNodeArgs, serviceStartLine, waitForLine } from './lib/harness';

const BATCH = 500;
const EVENTS = Math.max(
  BATCH,
  Math.round(Number(process.env.BENCH_EVENTS ?? 10_000) / BATCH) * BATCH,
);
const BATCH_CONNECTIONS = Number(process.env.BENCH_BATCH_CONNECTIONS ?? 2);
const CONCURRENCY = Number(process.env.BENCH_WEBHOOK_CONCURRENCY ?? 10);
const LATENCY_EVENTS = Number(process.env.BENCH_LATENCY_EVENTS ?? 100);
const POOL = Number(process.env.BENCH_POOL ?? 10);
const ADVOCATES = 50;
const PG_BASE = (process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(
  /\/+$/,
  '',
);
const DIST = join(__dirname, '..');
const OPERATOR_TOKEN = randomBytes(24).toString('hex');
const SECRET = randomBytes(32).toString('hex');

const log = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Row {
  name: string;
  count: number;
  seconds: number;
  unit: string;
  cpuUs?: number;
  note?: string;
}

/** The receiver: verifies every signature (constant-time), answers 204, notes receipt times. */
async function startReceiver(secrets: Map<string, string>) {
  const received = new Map<string, { at: number; createdAt: number }>();
  let invalid = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const header = String(req.headers['tandem-signature'] ?? '');
      const t = /t=(\d+)/.exec(header)?.[1];
      const v1 = /v1=([0-9a-f]{64})/.exec(header)?.[1];
      const secret = secrets.get(String(req.url));
      const expected =
        secret && t
          ? createHmac('sha256', secret).update(`${t}.`).update(body).digest()
          : Buffer.alloc(32);
      if (!v1 || !timingSafeEqual(Buffer.from(v1, 'hex'), expected)) invalid += 1;
      else {
        const event = JSON.parse(body.toString('utf8'));
        received.set(event.id, { at: Date.now(), createdAt: Date.parse(event.createdAt) });
      }
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 10_000;
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { server, port, received, invalid: () => invalid };
}

async function api(port: number, key: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** A brand with the README's program, 50 advocates (codes), velocity off, maybe all rules off. */
async function seedBrand(port: number, name: string, rulesOff: boolean) {
  const created = await api(port, OPERATOR_TOKEN, 'POST', '/v1/brands', { name });
  const key: string = created.apiKey.secret;
  const program = await api(port, key, 'POST', '/v1/programs', {
    name,
    goal: 'conversion',
    currency: 'USD',
    landingUrl: 'https://shop.example.com/welcome',
  });
  await api(port, key, 'PATCH', `/v1/programs/${program.id}`, { status: 'active' });
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
  const off = { enabled: false };
  await api(port, key, 'PUT', `/v1/programs/${program.id}/fraud-rules`, {
    rules: rulesOff
      ? {
          selfReferral: off,
          sameVisitor: off,
          disposableEmail: off,
          velocity: off,
          multipleAdvocates: off,
          botClick: off,
          fastConversion: off,
        }
      : { velocity: off },
  });
  const codes: string[] = [];
  for (let i = 0; i < ADVOCATES; i++) {
    const advocate = await api(port, key, 'POST', '/v1/advocates', {
      externalId: `${name}-adv-${i}`,
    });
    const enrollment = await api(port, key, 'POST', `/v1/programs/${program.id}/enrollments`, {
      advocateId: advocate.id,
    });
    codes.push(enrollment.code);
  }
  return { key, codes };
}

let counter = 0;
function purchases(codes: string[], n: number) {
  const occurredAt = new Date().toISOString();
  return Array.from({ length: n }, () => {
    const id = `${Date.now().toString(36)}-${(counter += 1)}`;
    return {
      id: `e-${id}`,
      type: 'purchase',
      occurredAt,
      customer: { id: `c-${id}`, email: `friend-${id}@gmail.com` },
      order: { id: `o-${id}`, amount: 12_900, currency: 'USD' },
      code: codes[counter % codes.length],
    };
  });
}

/** EVENTS purchases in batches of 500, BATCH_CONNECTIONS at a time. */
async function intake(
  port: number,
  pid: number,
  brand: { key: string; codes: string[] },
  name: string,
): Promise<Row> {
  const batches = EVENTS / BATCH;
  let next = 0;
  const cpuBefore = cpuMsOf(pid);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: BATCH_CONNECTIONS }, async () => {
      while (next < batches) {
        next += 1;
        const res = await api(port, brand.key, 'POST', '/v1/events/batch', {
          events: purchases(brand.codes, BATCH),
        });
        if (res.results.some((r: { status: number }) => r.status !== 201))
          throw new Error('an event was refused');
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    name,
    count: EVENTS,
    seconds,
    unit: 'events',
    cpuUs: ((cpuMsOf(pid) - cpuBefore) * 1000) / EVENTS,
  };
}

function startService(
  env: Record<string, string>,
  url: string,
  dir: string,
  port: number,
): ChildProcess {
  return spawn(process.execPath, [...serviceNodeArgs(), join(DIST, 'src', 'main.js')], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      DATABASE_POOL_SIZE: String(POOL),
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '1000000',
      TANDEM_OPERATOR_TOKEN: OPERATOR_TOKEN,
      TANDEM_SECRET: SECRET,
      TANDEM_DATA_DIR: join(dir, 'data'),
      PUBLIC_BASE_URL: 'http://links.bench',
      REWARD_APPROVAL_INTERVAL_MS: '0',
      WEBHOOKS_ALLOW_HTTP_LOCALHOST: 'true',
      WEBHOOKS_CONCURRENCY: String(CONCURRENCY),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.removeAllListeners('exit');
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function main(): Promise<void> {
  const dbName = `tandem_bench_webhooks_${Date.now()}`;
  const admin = new Client({ connectionString: `${PG_BASE}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = `${PG_BASE}/${dbName}`;
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-webhooks-'));
  const secrets = new Map<string, string>();
  const receiver = await startReceiver(secrets);
  const rows: Row[] = [];
  try {
    // (a) the ceiling: signed POSTs straight to the receiver
    {
      const secret = 'whsec_ceiling';
      secrets.set('/ceiling', secret);
      const n = Math.min(EVENTS * 4, 20_000);
      let sent = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (sent < n) {
            sent += 1;
            const body = JSON.stringify({
              id: `wev_ceiling${sent}`,
              type: 'reward.created',
              createdAt: new Date().toISOString(),
              data: { n: sent },
            });
            const t = Math.floor(Date.now() / 1000);
            const sig = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
            const res = await fetch(`http://127.0.0.1:${receiver.port}/ceiling`, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                'tandem-signature': `t=${t},v1=${sig}`,
              },
              body,
              signal: AbortSignal.timeout(10_000),
            });
            await res.arrayBuffer();
          }
        }),
      );
      rows.push({
        name: `(a) ceiling: signed POSTs from one Node process, ${CONCURRENCY} at a time`,
        count: n,
        seconds: (performance.now() - started) / 1000,
        unit: 'deliveries',
      });
      receiver.received.clear();
    }

    // (b)–(d) intake with the dispatcher off
    const port = await freePort();
    let app = startService({ WEBHOOKS_DISPATCH_INTERVAL_MS: '0' }, url, dir, port);
    await waitForLine(app, /listening/, 60_000);
    let hooked: { key: string; codes: string[] };
    try {
      const off = await seedBrand(port, 'rules-off', true);
      const on = await seedBrand(port, 'rules-on', false);
      hooked = await seedBrand(port, 'hooked', false);
      const endpoint = await api(port, hooked.key, 'POST', '/v1/webhook-endpoints', {
        url: `http://127.0.0.1:${receiver.port}/hooked`,
        eventTypes: ['referral.created', 'referral.converted', 'reward.created', 'reward.approved'],
      });
      secrets.set('/hooked', endpoint.secret);
      // warm-up (JIT, pools, prepared statements), not measured
      for (const b of [off, on, hooked])
        await api(port, b.key, 'POST', '/v1/events/batch', { events: purchases(b.codes, BATCH) });
      rows.push(await intake(port, app.pid!, off, '(b) intake, fraud rules off, no endpoint'));
      rows.push(await intake(port, app.pid!, on, '(c) intake, fraud rules on, no endpoint'));
      rows.push(
        await intake(
          port,
          app.pid!,
          hooked,
          '(d) intake, fraud rules on, one endpoint (4 webhooks per event)',
        ),
      );
    } finally {
      await stop(app);
    }

    // (e) drain the backlog with the dispatcher on
    const db = new Client({ connectionString: url });
    await db.connect();
    const backlog = Number(
      (await db.query(`SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'pending'`))
        .rows[0].n,
    );
    app = startService({ WEBHOOKS_DISPATCH_INTERVAL_MS: '100' }, url, dir, port);
    await waitForLine(app, /listening/, 60_000);
    try {
      const cpuBefore = cpuMsOf(app.pid);
      const started = performance.now();
      while (receiver.received.size < backlog) {
        await sleep(50);
        if (performance.now() - started > 30 * 60_000) throw new Error('the backlog did not drain');
      }
      const seconds = (performance.now() - started) / 1000;
      rows.push({
        name: `(e) dispatch: drain ${backlog.toLocaleString('en-US')} deliveries, WEBHOOKS_CONCURRENCY=${CONCURRENCY}`,
        count: backlog,
        seconds,
        unit: 'deliveries',
        cpuUs: ((cpuMsOf(app.pid) - cpuBefore) * 1000) / backlog,
      });

      // (f) latency: one event at a time, from its commit (webhook createdAt) to verified receipt
      receiver.received.clear();
      for (let i = 0; i < LATENCY_EVENTS; i += 1) {
        await api(port, hooked!.key, 'POST', '/v1/events', purchases(hooked!.codes, 1)[0]);
        await sleep(20);
      }
      while (receiver.received.size < LATENCY_EVENTS * 4) await sleep(20);
      const latencies = [...receiver.received.values()]
        .map((r) => r.at - r.createdAt)
        .sort((x, y) => x - y);
      const pct = (p: number) =>
        latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
      rows.push({
        name: `(f) latency, ${LATENCY_EVENTS} single events (4 webhooks each, in order per referral), poll 100 ms`,
        count: latencies.length,
        seconds: 0,
        unit: 'deliveries',
        note: `p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${latencies.at(-1)} ms`,
      });
      const stats = (
        await db.query(
          `SELECT count(*) FILTER (WHERE status = 'delivered')::int AS delivered,
                  count(*) FILTER (WHERE attempts > 1)::int AS retried,
                  (SELECT count(*) FROM webhook_attempts)::int AS attempts
             FROM webhook_deliveries`,
        )
      ).rows[0];
      log(
        `stored: ${stats.delivered} deliveries delivered, ${stats.retried} needed a retry, ${stats.attempts} attempts; ${receiver.invalid()} bad signatures at the receiver`,
      );
    } finally {
      await stop(app);
      await db.end();
    }
  } finally {
    receiver.server.closeAllConnections();
    receiver.server.close();
    if (!process.env.BENCH_KEEP_DB)
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }

  log('');
  log(
    `node ${process.version}, ${cpus().length} CPUs, ${EVENTS.toLocaleString('en-US')} events per intake scenario, batches of ${BATCH} × ${BATCH_CONNECTIONS} connections, pool ${POOL}, PostgreSQL ${PG_BASE.replace(/\/\/.*@/, '//')}`,
  );
  log(serviceStartLine());
  log('| scenario | per second | vs (b) / (a) | server CPU per item |');
  log('|---|---|---|---|');
  const b = rows.find((r) => r.name.startsWith('(b)'));
  const a = rows.find((r) => r.name.startsWith('(a)'));
  for (const r of rows) {
    if (r.note) {
      log(`| ${r.name} | ${r.note} | — | — |`);
      continue;
    }
    const rate = r.count / r.seconds;
    const base = r.unit === 'events' ? b : a;
    const ratio =
      base && base !== r ? `${((rate / (base.count / base.seconds)) * 100).toFixed(0)}%` : '—';
    log(
      `| ${r.name} | ${Math.round(rate).toLocaleString('en-US')} ${r.unit}/s | ${ratio} | ${r.cpuUs === undefined ? '—' : `${Math.round(r.cpuUs)} µs`} |`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
