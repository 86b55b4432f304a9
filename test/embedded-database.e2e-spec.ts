import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirLockedError, EmbeddedPostgres, lockFileFor } from '@/database/embedded-postgres';
import { Client, Pool } from 'pg';
import { startApp } from './helpers/app';

describe('embedded database (no DATABASE_URL)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-embedded-'));
  const dataDir = join(dir, 'data');
  const env = { DATABASE_URL: undefined, TANDEM_DATA_DIR: dataDir, MIGRATIONS_RUN: 'true' };

  it('migrates on start, keeps data across a restart, and releases its lock', async () => {
    const first = await startApp(env);
    const brand = await first.createBrand('Restart Co');
    expect((await first.request('GET', '/health')).status).toBe(200);
    await first.close();

    const second = await startApp(env);
    try {
      const res = await second.request('GET', '/v1/api-keys', { key: brand.key });
      expect(res.status).toBe(200);
      expect(res.body.data[0].name).toBe('Initial admin key');
    } finally {
      await second.close();
    }
  });

  it('refuses to open a data directory another live process holds', async () => {
    const holder = new EmbeddedPostgres(dataDir, 4);
    await holder.start();
    try {
      const refused = new EmbeddedPostgres(dataDir, 4).start();
      await expect(refused).rejects.toBeInstanceOf(DataDirLockedError);
      // the data directory itself, not its parent (the message said "at <parent>")
      await expect(refused).rejects.toThrow(
        `The embedded database at ${dataDir} is in use by process ${process.pid} `,
      );
    } finally {
      await holder.stop();
    }
  });

  it("waits for a command-line tool's hold to end instead of failing, up to a limit", async () => {
    // brand:create run just before the service started: the service waits for it
    const command = new EmbeddedPostgres(dataDir, 4, { cli: true });
    await command.start();
    const ended = new Promise((resolve) => setTimeout(resolve, 300)).then(() => command.stop());
    const service = new EmbeddedPostgres(dataDir, 4);
    await service.start();
    await ended;
    await service.stop();

    // a command that does not let go in time: the usual refusal
    const stuck = new EmbeddedPostgres(dataDir, 4, { cli: true });
    await stuck.start();
    try {
      const started = Date.now();
      await expect(
        new EmbeddedPostgres(dataDir, 4, { cliHolderWaitMs: 300 }).start(),
      ).rejects.toBeInstanceOf(DataDirLockedError);
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    } finally {
      await stuck.stop();
    }
  });

  it('takes over a stale lock left by a process that died', async () => {
    const deadPid = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    writeFileSync(
      lockFileFor(dataDir),
      JSON.stringify({ pid: Number(deadPid), startedAt: new Date().toISOString() }),
    );
    const db = new EmbeddedPostgres(dataDir, 4);
    await db.start();
    await db.stop();
  });
});

describe('embedded database under concurrency', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-embedded-mux-'));
  let db: EmbeddedPostgres;
  let pool: Pool;
  beforeAll(async () => {
    db = new EmbeddedPostgres(join(dir, 'data'), 12);
    pool = new Pool({ connectionString: await db.start(), max: 10 });
  });
  afterAll(async () => {
    await pool.end();
    await db.stop();
  });

  it('never mixes up parameterised queries of different connections', async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        pool.query('SELECT $1::int AS n, $2::text AS s', [i, `v${i}`]),
      ),
    );
    results.forEach((r, i) => expect(r.rows[0]).toEqual({ n: i, s: `v${i}` }));
  });

  it('runs concurrent transactions one at a time: 20 locked increments make 20', async () => {
    await pool.query('CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)');
    await pool.query('INSERT INTO counter VALUES (1, 0)');
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const { rows } = await client.query('SELECT n FROM counter WHERE id = 1 FOR UPDATE');
          await client.query('UPDATE counter SET n = $1 WHERE id = 1', [rows[0].n + 1]);
          await client.query('COMMIT');
        } finally {
          client.release();
        }
      }),
    );
    expect((await pool.query('SELECT n FROM counter')).rows[0].n).toBe(20);
  });

  it('rolls back the transaction of a connection that goes away', async () => {
    await pool.query('CREATE TABLE t (n int)');
    const client = await pool.connect();
    await client.query('BEGIN');
    await client.query('INSERT INTO t VALUES (1)');
    client.release(new Error('drop this connection')); // destroys the socket mid-transaction
    expect((await pool.query('SELECT count(*)::int AS c FROM t')).rows[0].c).toBe(0);
  });
});

describe('embedded database past its connection limit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-embedded-max-'));
  let db: EmbeddedPostgres;
  beforeAll(async () => {
    db = new EmbeddedPostgres(join(dir, 'data'), 2);
    await db.start();
  });
  afterAll(() => db.stop());

  it('takes connections only with the password of this run, kept in a lock file only its owner reads', async () => {
    const url = new URL(db.url);
    expect(url.password.length).toBeGreaterThan(20);
    const mode = statSync(lockFileFor(join(dir, 'data'))).mode & 0o777;
    expect(mode).toBe(0o600);
    for (const password of ['', 'wrong-password']) {
      url.password = password;
      const stranger = new Client({ connectionString: url.toString(), password });
      await expect(stranger.connect()).rejects.toMatchObject({
        code: '28P01',
        message: 'password authentication failed',
      });
    }
    const owner = new Client(db.url);
    await owner.connect();
    expect((await owner.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await owner.end();
  });

  it('answers as PostgreSQL does (53300 too many clients), not with a reset, and takes the next once one leaves', async () => {
    const open = [new Client(db.url), new Client(db.url)];
    for (const c of open) await c.connect();
    const third = new Client(db.url);
    await expect(third.connect()).rejects.toMatchObject({
      code: '53300',
      message: 'sorry, too many clients already',
    });
    await open[0]!.end();
    // the server sees the first one go a moment after its end()
    await new Promise((resolve) => setTimeout(resolve, 100));
    const next = new Client(db.url);
    await next.connect();
    expect((await next.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await next.end();
    await open[1]!.end();
  });
});
