import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirLockedError, EmbeddedPostgres, lockFileFor } from '@/database/embedded-postgres';
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
      await expect(new EmbeddedPostgres(dataDir, 4).start()).rejects.toBeInstanceOf(
        DataDirLockedError,
      );
    } finally {
      await holder.stop();
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
