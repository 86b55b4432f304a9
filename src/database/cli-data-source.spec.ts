import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awaitServingLock } from '@/database/cli-data-source';
import { lockFileFor } from '@/database/embedded-postgres';

describe('awaitServingLock', () => {
  let dir: string;
  let dataDir: string;
  let holder: ReturnType<typeof spawn>;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tandem-lock-'));
    dataDir = join(dir, 'data');
    // A live process that is not this one stands for a service holding the data directory.
    holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
  });
  afterEach(() => {
    holder.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  const writeLock = (lock: object) => writeFileSync(lockFileFor(dataDir), JSON.stringify(lock));

  it('answers at once when no process holds the data directory', async () => {
    expect(await awaitServingLock(dataDir, 5_000)).toBeUndefined();
  });

  it('waits for a starting service to write its port', async () => {
    writeLock({ pid: holder.pid, startedAt: new Date().toISOString() });
    setTimeout(() => writeLock({ pid: holder.pid, port: 5999, startedAt: 'x' }), 300);
    expect(await awaitServingLock(dataDir, 5_000)).toMatchObject({ pid: holder.pid, port: 5999 });
  });

  it("does not connect to another command's database (it stops when that command ends)", async () => {
    writeLock({ pid: holder.pid, port: 5999, cli: true, startedAt: new Date().toISOString() });
    expect(await awaitServingLock(dataDir, 5_000)).toBeUndefined();
  });

  it('gives up after the timeout with the lock as it is', async () => {
    writeLock({ pid: holder.pid, startedAt: new Date().toISOString() });
    const lock = await awaitServingLock(dataDir, 400);
    expect(lock).toMatchObject({ pid: holder.pid });
    expect(lock!.port).toBeUndefined();
  });
});
