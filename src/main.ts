import 'reflect-metadata';
import { setFlagsFromString } from 'node:v8';
import { createApp } from '@/bootstrap';
import { ConfigError, loadConfig } from '@/config/env';
import { DataDirLockedError } from '@/database/embedded-postgres';

async function main(): Promise<void> {
  const config = loadConfig();
  // Before the app allocates anything big: see GC_HEAP_GROWING_PERCENT in the README.
  if (config.gcHeapGrowingPercent > 0) {
    setFlagsFromString(`--heap-growing-percent=${config.gcHeapGrowingPercent}`);
  }
  const app = await createApp(config);
  // Nest's shutdown hooks drain in-flight requests, flush buffers and close the database; this
  // only bounds how long that may take.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        process.stderr.write(`shutdown took longer than ${config.shutdownTimeoutMs} ms; exiting\n`);
        process.exit(1);
      }, config.shutdownTimeoutMs).unref();
    });
  }
  await app.listen(config.port, config.host);
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
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
