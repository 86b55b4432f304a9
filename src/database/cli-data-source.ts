import { DataSource } from 'typeorm';
import { AppConfig } from '@/config/env';
import { DatabaseConnection } from '@/database/database-connection';
import { dataSourceOptions } from '@/database/data-source-options';
import { EmbeddedLock, embeddedUrl, readLiveLock } from '@/database/embedded-postgres';

/** How long a command waits for a service that holds the data directory but is still starting. */
const STARTING_SERVICE_WAIT_MS = 30_000;

/**
 * The live lock of the data directory once its holder is serving (it writes its port when its
 * database server listens), or undefined when no service holds it (none, or another command,
 * whose hold this command's own start then waits out). A service still starting
 * (a lock without a port) is waited for, so a command run right after `npm run serve` works.
 */
export async function awaitServingLock(
  dataDir: string,
  timeoutMs = STARTING_SERVICE_WAIT_MS,
): Promise<EmbeddedLock | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lock = readLiveLock(dataDir);
    // Another command's database stops when that command ends: not one to connect to.
    if (lock?.cli) return undefined;
    if (!lock || lock.port !== undefined || lock.pid === process.pid || Date.now() >= deadline) {
      return lock;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * A data source for command-line tools. With no DATABASE_URL and the service already running on
 * the embedded database, it connects through the service's socket server (the port is in the
 * lockfile) instead of failing on the lock.
 */
export async function openCliDataSource(
  config: AppConfig,
  migrationsRun: boolean,
): Promise<{ dataSource: DataSource; close: () => Promise<void> }> {
  const running = config.database.url ? undefined : await awaitServingLock(config.database.dataDir);
  const connection = new DatabaseConnection(config.database, { cli: true });
  const url =
    running?.port !== undefined && running.pid !== process.pid
      ? embeddedUrl(running.port, running.password)
      : await connection.url();
  const dataSource = await new DataSource(dataSourceOptions(url, 2, migrationsRun)).initialize();
  return {
    dataSource,
    close: async () => {
      await dataSource.destroy();
      await connection.close();
    },
  };
}
