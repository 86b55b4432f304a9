import type { EmbeddedPostgres } from '../src/database/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const embedded = (globalThis as { __tandemEmbedded?: EmbeddedPostgres }).__tandemEmbedded;
  await embedded?.stop();
}
