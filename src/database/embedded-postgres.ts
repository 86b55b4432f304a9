import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/**
 * The embedded default database: PGlite (PostgreSQL compiled to WASM) served over the
 * PostgreSQL wire protocol from a worker thread, so queries never block the HTTP event loop. The app connects with the ordinary `pg` driver, exactly as it does to
 * a real server; only the URL differs.
 */

// Runs inside the worker. Kept as source text so it works the same from ts-jest, ts-node and dist.
//
// PGlite has one backend. pglite-socket's own multiplexer schedules single protocol messages, so
// two connections' extended-protocol messages can interleave (one's Parse lands between the
// other's Parse and Bind and the unnamed statement is overwritten: wrong results under
// concurrency). This multiplexer schedules whole units instead: every message up to and
// including Sync or a simple Query. While a unit leaves a transaction open, only that
// connection's units run until it ends; a connection that goes away mid-transaction is rolled back.
const WORKER_SOURCE = `
const net = require('node:net');
const crypto = require('node:crypto');
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglitePath);
const SSL_REQUEST = 80877103, CANCEL_REQUEST = 80877102;
let db, server, nextId = 1, owner = null, busy = false;
const queue = [], conns = new Set();

function pump() {
  if (busy) return;
  busy = true;
  (async () => {
    while (queue.length > 0) {
      let index = 0;
      if (owner !== null) {
        index = queue.findIndex((u) => u.conn.id === owner);
        if (index < 0) break; // the transaction's connection has nothing queued yet: wait for it
      }
      const unit = queue.splice(index, 1)[0];
      if (unit.rollback) {
        if (owner === unit.conn.id && db.isInTransaction()) await db.exec('ROLLBACK');
        if (owner === unit.conn.id) owner = null;
        continue;
      }
      if (unit.conn.closed) continue;
      try {
        for (const message of unit.messages) {
          await db.execProtocolRawStream(message, {
            onRawData: (data) => { if (!unit.conn.closed && data.length) unit.conn.socket.write(Buffer.from(data)); },
          });
        }
      } catch (error) {
        unit.conn.socket.destroy(error);
      }
      owner = db.isInTransaction() ? unit.conn.id : null;
    }
    busy = false;
  })().catch((e) => parentPort.postMessage({ type: 'log', message: String(e && e.stack || e) }));
}

// A FATAL ErrorResponse, as PostgreSQL sends it before closing a connection.
function fatal(code, message) {
  const fields = Buffer.from('SFATAL\\0VFATAL\\0C' + code + '\\0M' + message + '\\0\\0', 'latin1');
  const head = Buffer.alloc(5);
  head.write('E', 0, 'latin1');
  head.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([head, fields]);
}

// What PostgreSQL answers a client past max_connections (FATAL 53300), instead of the bare reset
// net.Server's maxConnections gives, which pg reports as 'read ECONNRESET'.
const tooManyClients = () => fatal('53300', 'sorry, too many clients already');

// Any local account can reach a loopback port: a connection must give the password the
// process made for this run (it is in the data directory's lock file, readable by its owner).
const PASSWORD = Buffer.from(workerData.password, 'utf8');
const passwordFailed = () => fatal('28P01', 'password authentication failed');

function onConnection(socket) {
  if (conns.size >= workerData.maxConnections) {
    // Answered once the client has sent its startup (and maybe its SSL request).
    socket.on('data', (chunk) => {
      if (chunk.length === 8 && chunk.readInt32BE(4) === SSL_REQUEST) socket.write('N');
      else socket.end(tooManyClients());
    });
    socket.on('error', () => {});
    return;
  }
  const conn = { id: nextId++, socket, buffer: Buffer.alloc(0), pending: [], started: false, startup: null, closed: false };
  conns.add(conn);
  socket.setNoDelay(true);
  const close = () => {
    if (conn.closed) return;
    conn.closed = true;
    conns.delete(conn);
    for (let i = queue.length - 1; i >= 0; i--) if (queue[i].conn === conn) queue.splice(i, 1);
    queue.push({ conn, rollback: true });
    pump();
  };
  socket.on('close', close);
  socket.on('error', close);
  socket.on('data', (chunk) => {
    conn.buffer = conn.buffer.length ? Buffer.concat([conn.buffer, chunk]) : chunk;
    for (;;) {
      const b = conn.buffer;
      if (!conn.started) {
        if (b.length < 8) return;
        const length = b.readInt32BE(0), code = b.readInt32BE(4);
        if (b.length < length) return;
        conn.buffer = b.subarray(length);
        if (code === SSL_REQUEST) { socket.write('N'); continue; }
        if (code === CANCEL_REQUEST) { socket.end(); return; }
        conn.started = true;
        // The startup goes to PGlite once the client has given the password (below).
        conn.startup = new Uint8Array(b.subarray(0, length));
        socket.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3])); // AuthenticationCleartextPassword
        continue;
      }
      if (conn.startup) {
        if (b.length < 5) return;
        const length = 1 + b.readInt32BE(1);
        if (b.length < length) return;
        conn.buffer = b.subarray(length);
        const given = b[0] === 0x70 ? b.subarray(5, length - 1) : Buffer.alloc(0); // PasswordMessage
        if (given.length !== PASSWORD.length || !crypto.timingSafeEqual(given, PASSWORD)) {
          socket.end(passwordFailed());
          close();
          return;
        }
        queue.push({ conn, messages: [conn.startup] });
        conn.startup = null;
        pump();
        continue;
      }
      if (b.length < 5) return;
      const length = 1 + b.readInt32BE(1);
      if (b.length < length) return;
      const type = String.fromCharCode(b[0]);
      const message = new Uint8Array(b.subarray(0, length));
      conn.buffer = b.subarray(length);
      if (type === 'X') { socket.end(); close(); return; } // Terminate: never forwarded to the shared backend
      conn.pending.push(message);
      if (type === 'S' || type === 'Q') {
        queue.push({ conn, messages: conn.pending });
        conn.pending = [];
        pump();
      }
    }
  });
}

(async () => {
  db = await PGlite.create({ dataDir: workerData.dataDir });
  server = net.createServer(onConnection);
  await new Promise((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', resolve); });
  parentPort.postMessage({ type: 'ready', port: server.address().port });
})().catch((e) => parentPort.postMessage({ type: 'error', message: String(e && e.stack || e) }));

parentPort.on('message', async (msg) => {
  if (msg !== 'stop') return;
  try {
    for (const conn of conns) conn.socket.destroy();
    await new Promise((resolve) => server ? server.close(() => resolve()) : resolve());
    while (busy || queue.length) await new Promise((r) => setTimeout(r, 5));
    if (db) await db.close();
  } finally { parentPort.postMessage({ type: 'stopped' }); }
});
`;

export interface EmbeddedLock {
  pid: number;
  port?: number;
  /** The wire server's password for this run (the lock file is readable by its owner only). */
  password?: string;
  startedAt: string;
  /** Held by a command-line tool, which lets go in seconds: others wait for it. */
  cli?: boolean;
}

/** How long a process waits for a command-line tool to let go of the data directory. */
const CLI_HOLDER_WAIT_MS = 30_000;

export class DataDirLockedError extends Error {
  constructor(
    readonly lockFile: string,
    readonly holder: EmbeddedLock,
  ) {
    super(
      `The embedded database at ${lockFile.replace(/\.lock$/, '')} is in use by process ${holder.pid} ` +
        `(lockfile ${lockFile}). Stop that process or point TANDEM_DATA_DIR elsewhere.`,
    );
    this.name = 'DataDirLockedError';
  }
}

/** The URL of a running embedded database (the password is the run's, from its lock). */
export function embeddedUrl(port: number, password: string | undefined): string {
  const auth = password ? `postgres:${encodeURIComponent(password)}` : 'postgres';
  return `postgres://${auth}@127.0.0.1:${port}/postgres`;
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
  private readonly password = randomBytes(24).toString('base64url');
  private readonly lockFile: string;

  constructor(
    private readonly dataDir: string,
    private readonly maxConnections: number,
    private readonly options: { cli?: boolean; cliHolderWaitMs?: number } = {},
  ) {
    this.lockFile = lockFileFor(dataDir);
  }

  get url(): string {
    if (this.port === undefined) throw new Error('embedded database not started');
    return embeddedUrl(this.port, this.password);
  }

  async start(): Promise<string> {
    mkdirSync(this.dataDir, { recursive: true });
    await this.waitForCliHolder();
    this.acquireLock();
    try {
      this.worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          dataDir: this.dataDir,
          maxConnections: this.maxConnections,
          pglitePath: require.resolve('@electric-sql/pglite'),
          password: this.password,
        },
      });
      this.port = await this.waitFor('ready');
      this.writeLock({ ...this.lock(), port: this.port, password: this.password });
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

  private lock(): EmbeddedLock {
    const lock: EmbeddedLock = { pid: process.pid, startedAt: new Date().toISOString() };
    return this.options.cli ? { ...lock, cli: true } : lock;
  }

  /**
   * A command (`npm run brand:create`…) holding the data directory lets go within seconds: wait
   * for it rather than fail, so the service started a moment after one (or two commands run
   * together) still start. A service holding it is not waited for (commands connect to it).
   */
  private async waitForCliHolder(): Promise<void> {
    const deadline = Date.now() + (this.options.cliHolderWaitMs ?? CLI_HOLDER_WAIT_MS);
    while (readLiveLock(this.dataDir)?.cli && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private acquireLock(): void {
    const lock = this.lock();
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(this.lockFile, JSON.stringify(lock), { flag: 'wx', mode: 0o600 });
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
    writeFileSync(this.lockFile, JSON.stringify(lock), { mode: 0o600 });
  }

  private releaseLock(): void {
    rmSync(this.lockFile, { force: true });
  }
}
