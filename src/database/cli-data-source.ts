import { DataSource } from 'typeorm';
import { AppConfig } from '@/config/env';
import { DatabaseConnection } from '@/database/database-connection';
import { dataSourceOptions } from '@/database/data-source-options';
import { readLiveLock } from '@/database/embedded-postgres';

/**
 * A data source for command-line tools. With no DATABASE_URL and the service already running on
 * the embedded database, it connects through the service's socket server (the port is in the
 * lockfile) instead of failing on the lock.
 */
export async function openCliDataSource(
  config: AppConfig,
  migrationsRun: boolean,
): Promise<{ dataSource: DataSource; close: () => Promise<void> }> {
  const running = config.database.url ? undefined : readLiveLock(config.database.dataDir);
  const connection = new DatabaseConnection(config.database);
  const url =
    running?.port !== undefined && running.pid !== process.pid
      ? `postgres://postgres@127.0.0.1:${running.port}/postgres`
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
