import { join } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { SnakeNamingStrategy } from '@/database/snake-naming.strategy';
import { ENTITIES } from '@/database/entities';

/**
 * One set of options for the app, the tests and the migration CLI. `server`: a PostgreSQL
 * server (not the embedded PGlite, which shares one backend and has no JIT), whose sessions
 * run with JIT compilation off: the service's statements are short, and compiling one costs
 * more than it saves — the 90-day advocate leaderboard at 10 M clicks spent ~2 s of its ~2.5 s
 * compiling on a loaded 2-core machine, ~0.4 s with JIT off. And 32 MB to group in (4 MB by
 * default): a leaderboard of 10,000 advocates hashes ~8 MB of sums, and spilled them to disk.
 */
export function dataSourceOptions(
  url: string,
  poolSize: number,
  migrationsRun: boolean,
  server = false,
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    // Compiled migrations live beside the compiled sources; ts-jest/ts-node load the .ts files.
    migrations: [join(__dirname, '..', '..', 'migrations', '*.{ts,js}')],
    migrationsRun,
    migrationsTransactionMode: 'each',
    synchronize: false,
    namingStrategy: new SnakeNamingStrategy(),
    // TypeORM would print failed queries with their parameters (e-mails, codes); errors reach
    // the exception filter instead, which logs them without parameters.
    logging: false,
    extra: {
      max: poolSize,
      application_name: 'tandem',
      ...(server ? { options: '-c jit=off -c work_mem=32MB' } : {}),
    },
  };
}
