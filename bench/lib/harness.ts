/**
 * What every benchmark script needs: free ports, child processes that announce readiness on
 * stdout, wrk runs parsed into numbers, and a process's CPU time (the figure that stays
 * comparable on a shared machine).
 */
import { ChildProcess, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface WrkResult {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers wrk counts as errors: neither 2xx nor 3xx. */
  non2xx3xx: number;
  socketErrors: string;
  /** Server process CPU (user + system) per request during the measured run, µs. */
  cpuUsPerRequest?: number;
  /** The local PostgreSQL server's CPU per request, where measured. */
  databaseCpuUsPerRequest?: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the child prints a line matching `pattern`; rejects on exit or timeout. */
export function waitForLine(
  child: ChildProcess,
  pattern: RegExp,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern}; output:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (pattern.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}; output:\n${output}`));
    });
  });
}

function toMs(value: string, unit: string): number {
  const n = Number(value);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : n;
}

/** One wrk run with a Lua script against 127.0.0.1:port, parsed. */
export function runWrk(
  port: number,
  script: string,
  seconds: number,
  options: { connections: number; threads: number },
): WrkResult {
  const threads = Math.min(options.threads, options.connections);
  const out = spawnSync(
    'wrk',
    [
      `-t${threads}`,
      `-c${options.connections}`,
      `-d${seconds}s`,
      '--latency',
      '--timeout',
      '10s',
      '-s',
      script,
      `http://127.0.0.1:${port}`,
    ],
    { encoding: 'utf8' },
  );
  if (out.error) throw new Error(`wrk is needed (apt-get install -y wrk): ${out.error.message}`);
  if (out.status !== 0) throw new Error(`wrk failed: ${out.stderr || out.stdout}`);
  const text = out.stdout;
  const latency = (p: string) => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(text);
    return m ? toMs(m[1]!, m[2]!) : NaN;
  };
  return {
    requests: Number(/(\d+) requests in/.exec(text)?.[1] ?? NaN),
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN),
    p50Ms: latency('50'),
    p99Ms: latency('99'),
    non2xx3xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0),
    socketErrors: /Socket errors: (.*)/.exec(text)?.[1] ?? 'none',
  };
}

/**
 * A short unmeasured run first (JIT, pools), then the measured one with the server's CPU and,
 * when `databaseCpuMs` is given, the database's (see localPostgresCpuMs).
 */
export function measureWrk(
  port: number,
  script: string,
  seconds: number,
  options: {
    connections: number;
    threads: number;
    warmupSeconds?: number;
    pid?: number;
    databaseCpuMs?: () => number;
  },
): WrkResult {
  runWrk(port, script, options.warmupSeconds ?? 2, options);
  const cpuBefore = cpuMsOf(options.pid);
  const dbBefore = options.databaseCpuMs?.() ?? NaN;
  const result = runWrk(port, script, seconds, options);
  const cpuMs = cpuMsOf(options.pid) - cpuBefore;
  const dbMs = (options.databaseCpuMs?.() ?? NaN) - dbBefore;
  return {
    ...result,
    cpuUsPerRequest: cpuMs > 0 ? (cpuMs * 1000) / result.requests : undefined,
    databaseCpuUsPerRequest: dbMs > 0 ? (dbMs * 1000) / result.requests : undefined,
  };
}

/**
 * CPU time (ms) used so far by every PostgreSQL process of this machine (backends, WAL writer,
 * checkpointer, autovacuum): what a run costs the database when it runs on the same cores. It
 * counts other databases' work too, so it is only meaningful on an otherwise idle server.
 */
export function localPostgresCpuMs(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue; // gone meanwhile
    }
    const ms = cpuMsOf(Number(entry));
    if (ms > 0) total += ms;
  }
  return total;
}

/** CPU time (user + system, ms) a process has used so far; Linux only, NaN elsewhere. */
export function cpuMsOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ 100
  } catch {
    return NaN;
  }
}

/**
 * The node flags `npm start` runs the service with (package.json's start script), then any
 * extra ones from BENCH_NODE_ARGS: benchmarks measure the service as it is deployed.
 */
export function serviceNodeArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
  const match = /^node((?: --\S+)*) dist\/src\/main\.js$/.exec(pkg.scripts.start);
  if (!match) throw new Error(`unexpected start script: ${pkg.scripts.start}`);
  return [
    ...match[1]!.split(' ').filter(Boolean),
    ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
  ];
}

/** How the service was started, for a benchmark's header line. */
export function serviceStartLine(): string {
  return `service: node ${serviceNodeArgs().join(' ')} dist/src/main.js (the flags of npm start)`;
}
