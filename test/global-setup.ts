import './register-paths';
import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options';
import { EmbeddedPostgres } from '../src/database/embedded-postgres';

/**
 * One database for the whole run: the server in DATABASE_URL when set, otherwise the embedded
 * PGlite started here (the same class the service uses). Migrations run once; every test file
 * creates its own brands, so tenancy keeps the files apart.
 */
export default async function globalSetup(): Promise<void> {
  if (!process.env.DATABASE_URL) {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-test-'));
    const embedded = new EmbeddedPostgres(join(dir, 'data'), 64);
    process.env.DATABASE_URL = await embedded.start();
    process.env.TANDEM_TEST_EMBEDDED = '1';
    process.env.TANDEM_TEST_TMP = dir;
    (globalThis as { __tandemEmbedded?: EmbeddedPostgres }).__tandemEmbedded = embedded;
  }
  const dataSource = await new DataSource(
    dataSourceOptions(process.env.DATABASE_URL, 2, true),
  ).initialize();
  await dataSource.destroy();
  // TypeORM keeps its decorator metadata in a storage on the global object, and
  // jest-environment-node hands every test file's sandbox a getter for each global of this outer
  // process. Left here, that one storage would collect every test file's entity classes, and
  // through them keep each file's whole module graph alive: with --runInBand the heap grew by
  // 10-30 MB per file and every full collection took longer (the 100,000-row import, which
  // collects every 500 ms, ran several times slower late in the run). Without it, each file's
  // sandbox creates its own storage on its own global.
  delete (globalThis as { typeormMetadataArgsStorage?: unknown }).typeormMetadataArgsStorage;
  process.stdout.write(
    `\ntests run on ${process.env.TANDEM_TEST_EMBEDDED ? 'the embedded PGlite database' : 'the PostgreSQL server in DATABASE_URL'}\n`,
  );
}
