import { AppConfig } from '@/config/env';
import { EmbeddedPostgres } from '@/database/embedded-postgres';

/** Connections beyond the service's pool: CLI commands (2 each) run while the service does. */
const EMBEDDED_SPARE_CONNECTIONS = 8;

/**
 * Resolves where the data lives: DATABASE_URL when set, otherwise the embedded PGlite in the
 * data directory. Callers get a plain postgres:// URL either way (one code path).
 */
export class DatabaseConnection {
  private embedded?: EmbeddedPostgres;

  constructor(
    private readonly config: AppConfig['database'],
    /** A command-line tool's connection: its embedded lock says so, and others wait for it. */
    private readonly options: { cli?: boolean } = {},
  ) {}

  get isEmbedded(): boolean {
    return !this.config.url;
  }

  async url(): Promise<string> {
    if (this.config.url) return this.config.url;
    if (!this.embedded) {
      // PGlite runs one backend; the socket server multiplexes connections onto it. Give it
      // room for the whole pool plus spares, so CLI commands can connect while the service runs.
      this.embedded = new EmbeddedPostgres(
        this.config.dataDir,
        this.config.poolSize + EMBEDDED_SPARE_CONNECTIONS,
        { cli: this.options.cli },
      );
      await this.embedded.start();
    }
    return this.embedded.url;
  }

  async close(): Promise<void> {
    await this.embedded?.stop();
    this.embedded = undefined;
  }
}
