import 'reflect-metadata';
import { createApp } from '@/bootstrap';
import { ConfigError, loadConfig, localServiceUrl } from '@/config/env';
import { DatabaseLifecycle } from '@/database/database.module';
import { DataDirLockedError } from '@/database/embedded-postgres';
import { armShutdownDeadline } from '@/database/shutdown-deadline';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  // Nest's shutdown hooks drain in-flight requests, flush buffers and close the database; the
  // deadline only bounds how long that may take while no drain is making progress.
  const lifecycle = app.get(DatabaseLifecycle);
  const limit = config.shutdownTimeoutMs;
  const expire = (): never => {
    process.stderr.write(`shutdown made no progress for ${limit} ms; exiting\n`);
    process.exit(1);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      process.stdout.write(
        `Tandem stopping (${signal}): finishing requests in flight, writing buffered clicks\n`,
      );
      armShutdownDeadline(lifecycle, limit, expire);
    });
  }
  try {
    await app.listen(config.port, config.host);
  } catch (error) {
    // Close what start opened (the database, the data directory's lock) before saying why.
    await app.close().catch(() => undefined);
    throw listenError(error, config.port, config.host);
  }
  const url = localServiceUrl(config);
  const db = config.database.url
    ? 'PostgreSQL (DATABASE_URL)'
    : `embedded PGlite in ${config.database.dataDir}`;
  process.stdout.write(`Tandem listening on ${url} (database: ${db}); API docs at ${url}/docs\n`);
}

/** EADDRINUSE and friends, said with the variable to change. */
function listenError(error: unknown, port: number, host: string): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'EADDRINUSE') {
    return new ConfigError([
      `PORT ${port} is already in use on ${host}: stop what holds it or set PORT`,
    ]);
  }
  if (code === 'EACCES') {
    return new ConfigError([`PORT ${port} needs privileges to listen on: set PORT above 1023`]);
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new ConfigError([`HOST ${host} is not an address of this machine: set HOST`]);
  }
  return error;
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirLockedError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Tandem failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
  }
  process.exit(1);
});
