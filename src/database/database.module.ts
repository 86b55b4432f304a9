import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '@/config/config.module';
import { AppConfig } from '@/config/env';
import { DatabaseConnection } from '@/database/database-connection';
import { dataSourceOptions } from '@/database/data-source-options';

/**
 * Provides the TypeORM DataSource (inject `DataSource` directly). We do not use @nestjs/typeorm:
 * its v12 is ESM-only with import.meta, which jest's CommonJS runtime cannot load, and a
 * provider plus a shutdown hook is all it would give us here.
 */
@Injectable()
export class DatabaseLifecycle implements OnApplicationShutdown {
  readonly connection: DatabaseConnection;
  dataSource?: DataSource;
  private readonly drains: (() => Promise<void>)[] = [];
  private drainProgressAt = 0;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.connection = new DatabaseConnection(config.database);
  }

  async open(): Promise<DataSource> {
    const { poolSize, migrationsRun } = this.config.database;
    try {
      const url = await this.connection.url();
      this.dataSource = await new DataSource(
        dataSourceOptions(url, poolSize, migrationsRun, !this.connection.isEmbedded),
      ).initialize();
      if (!migrationsRun && (await this.dataSource.showMigrations())) {
        new Logger('Database').warn(
          'MIGRATIONS_RUN=false and the database has migrations to apply: run `npm run migration:run` ' +
            'before this instance takes traffic',
        );
      }
      return this.dataSource;
    } catch (error) {
      await this.connection.close(); // a failed start must not leave the embedded worker running
      throw error;
    }
  }

  /**
   * Registers work that must reach the database before it closes (buffered clicks, queued
   * jobs). Nest does not order shutdown hooks across modules, so they run from here.
   */
  addDrain(drain: () => Promise<void>): void {
    this.drains.push(drain);
  }

  /** A drain wrote something: a stop that is still making progress is not cut short. */
  noteDrainProgress(): void {
    this.drainProgressAt = Date.now();
  }

  drainProgressedWithin(ms: number): boolean {
    return Date.now() - this.drainProgressAt < ms;
  }

  /** Drains buffers, closes the pool, then the embedded server (if any) flushes and stops. */
  async onApplicationShutdown(): Promise<void> {
    for (const drain of this.drains) await drain();
    if (this.dataSource?.isInitialized) await this.dataSource.destroy();
    await this.connection.close();
  }
}

@Global()
@Module({
  providers: [
    DatabaseLifecycle,
    {
      provide: DataSource,
      inject: [DatabaseLifecycle],
      useFactory: (lifecycle: DatabaseLifecycle) => lifecycle.open(),
    },
  ],
  exports: [DataSource, DatabaseLifecycle],
})
export class DatabaseModule {}
