import { AppConfig } from '@/config/env';
import { EmbeddedPostgres } from '@/database/embedded-postgres';

/**
 * Resolves where the data lives: DATABASE_URL when set, otherwise the embedded PGlite in the
 * data directory. Callers get a plain postgres:// URL either way (one code path).
 */
export class DatabaseConnection {
  private embedded?: EmbeddedPostgres;

  constructor(private readonly config: AppConfig['database']) {}

  get isEmbedded(): boolean {
    return !this.config.url;
  }

  async url(): Promise<string> {
    if (this.config.url) return this.config.url;
    if (!this.embedded) {
      // PGlite runs one backend; the socket server multiplexes connections onto it. Give it
      // room for the whole pool plus a spare so a CLI can connect while the service runs.
      this.embedded = new EmbeddedPostgres(this.config.dataDir, this.config.poolSize + 2);
      await this.embedded.start();
    }
    return this.embedded.url;
  }

  async close(): Promise<void> {
    await this.embedded?.stop();
    this.embedded = undefined;
  }
}
