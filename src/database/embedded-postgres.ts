import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * The embedded default database: PGlite (PostgreSQL compiled to WASM) served over the
 * PostgreSQL wire protocol by pglite-socket, inside a worker thread so queries never block
 * the HTTP event loop. The app connects with the ordinary `pg` driver, exactly as it does to
 * a real server; only the URL differs.
 */

// Runs inside the worker. Kept as source text so it works the same from ts-jest, ts-node and dist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglitePath);
const { PGLiteSocketServer } = require(workerData.socketPath);
let db, server;
(async () => {
  db = await PGlite.create({ dataDir: workerData.dataDir });
  server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: workerData.maxConnections });
  await server.start();
  const conn = server.getServerConn();
  parentPort.postMessage({ type: 'ready', port: Number(conn.split(':').pop()) });
})().catch((e) => parentPort.postMessage({ type: 'error', message: String(e && e.stack || e) }));
parentPort.on('message', async (msg) => {
  if (msg !== 'stop') return;
  try { if (server) await server.stop(); if (db) await db.close(); }
  finally { parentPort.postMessage({ type: 'stopped' }); }
});
`;

export interface EmbeddedLock {
  pid: number;
  port?: number;
  startedAt: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly lockFile: string,
    readonly holder: EmbeddedLock,
  ) {
    super(
      `The embedded database at ${dirname(lockFile)} is in use by process ${holder.pid} ` +
        `(lockfile ${lockFile}). Stop that process or point TANDEM_DATA_DIR elsewhere.`,
    );
    this.name = 'DataDirLockedError';
  }
}

export function lockFileFor(dataDir: string): string {
  return `${dataDir}.lock`;
}

/** The live holder of the data directory's lock, if any (stale locks are ignored). */
export function readLiveLock(dataDir: string): EmbeddedLock | undefined {
  let lock: EmbeddedLock;
  try {
    lock = JSON.parse(readFileSync(lockFileFor(dataDir), 'utf8')) as EmbeddedLock;
  } catch {
    return undefined;
  }
  return isAlive(lock.pid) ? lock : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class EmbeddedPostgres {
  private worker?: Worker;
  private port?: number;
  private readonly lockFile: string;

  constructor(
    private readonly dataDir: string,
    private readonly maxConnections: number,
  ) {
    this.lockFile = lockFileFor(dataDir);
  }

  get url(): string {
    if (this.port === undefined) throw new Error('embedded database not started');
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async start(): Promise<string> {
    mkdirSync(this.dataDir, { recursive: true });
    this.acquireLock();
    try {
      this.worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          dataDir: this.dataDir,
          maxConnections: this.maxConnections,
          pglitePath: require.resolve('@electric-sql/pglite'),
          socketPath: require.resolve('@electric-sql/pglite-socket'),
        },
      });
      this.port = await this.waitFor('ready');
      this.writeLock({ pid: process.pid, port: this.port, startedAt: new Date().toISOString() });
      return this.url;
    } catch (e) {
      await this.worker?.terminate();
      this.releaseLock();
      throw e;
    }
  }

  /** Stops the socket server and closes PGlite cleanly (flushes its data files). */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    try {
      const stopped = this.waitFor('stopped', worker);
      worker.postMessage('stop');
      await stopped;
    } finally {
      await worker.terminate();
      this.releaseLock();
    }
  }

  private waitFor(type: 'ready' | 'stopped', worker = this.worker!): Promise<number> {
    return new Promise((resolve, reject) => {
      const onMessage = (msg: { type: string; port?: number; message?: string }) => {
        if (msg.type === type) {
          cleanup();
          resolve(msg.port ?? 0);
        } else if (msg.type === 'error') {
          cleanup();
          reject(new Error(`embedded database failed to start: ${msg.message}`));
        }
      };
      const onError = (err: Error) => {
        cleanup();
        reject(err);
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`embedded database worker exited with code ${code}`));
      };
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
  }

  private acquireLock(): void {
    const lock: EmbeddedLock = { pid: process.pid, startedAt: new Date().toISOString() };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(this.lockFile, JSON.stringify(lock), { flag: 'wx' });
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const holder = readLiveLock(this.dataDir);
        if (holder) throw new DataDirLockedError(this.lockFile, holder);
        rmSync(this.lockFile, { force: true }); // stale: its process is gone
      }
    }
    throw new DataDirLockedError(this.lockFile, lock);
  }

  private writeLock(lock: EmbeddedLock): void {
    writeFileSync(this.lockFile, JSON.stringify(lock));
  }

  private releaseLock(): void {
    rmSync(this.lockFile, { force: true });
  }
}
