import { join } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { SnakeNamingStrategy } from '@/database/snake-naming.strategy';
import { ENTITIES } from '@/database/entities';

/** One set of options for the app, the tests and the migration CLI. */
export function dataSourceOptions(
  url: string,
  poolSize: number,
  migrationsRun: boolean,
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
    extra: { max: poolSize, application_name: 'tandem' },
  };
}
