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
    process.once(signal, () => armShutdownDeadline(lifecycle, limit, expire));
  }
  await app.listen(config.port, config.host);
  const url = localServiceUrl(config);
  const db = config.database.url
    ? 'PostgreSQL (DATABASE_URL)'
    : `embedded PGlite in ${config.database.dataDir}`;
  process.stdout.write(`Tandem listening on ${url} (database: ${db}); API docs at ${url}/docs\n`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirLockedError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Tandem failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
  }
  process.exit(1);
});
