/**
 * Migration commands: `run`, `revert`, `show`, and `generate <Name>` (diffs the entities against
 * the migrated database and writes migrations/<timestamp>-<Name>.ts for review).
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@/config/env';
import { openCliDataSource } from '@/database/cli-data-source';

async function main(): Promise<void> {
  const [command, name] = process.argv.slice(2);
  const { dataSource, close } = await openCliDataSource(loadConfig(), false);
  try {
    switch (command) {
      case 'run': {
        const applied = await dataSource.runMigrations({ transaction: 'each' });
        console.log(
          applied.length
            ? applied.map((m) => `applied ${m.name}`).join('\n')
            : 'no pending migrations',
        );
        break;
      }
      case 'revert':
        await dataSource.undoLastMigration({ transaction: 'each' });
        console.log('reverted the last migration');
        break;
      case 'show':
        console.log(
          (await dataSource.showMigrations()) ? 'pending migrations exist' : 'up to date',
        );
        break;
      case 'generate': {
        if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name))
          throw new Error('usage: generate <PascalCaseName>');
        await dataSource.runMigrations({ transaction: 'each' });
        const sql = await dataSource.driver.createSchemaBuilder().log();
        if (sql.upQueries.length === 0) {
          console.log('entities match the database: nothing to generate');
          break;
        }
        const timestamp = Date.now();
        const q = (s: string) => '`' + s.replace(/\\/g, '\\\\').replace(/`/g, '\\`') + '`';
        const up = sql.upQueries.map((x) => `    await queryRunner.query(${q(x.query)});`);
        const down = sql.downQueries
          .reverse()
          .map((x) => `    await queryRunner.query(${q(x.query)});`);
        const file = join(process.cwd(), 'migrations', `${timestamp}-${name}.ts`);
        writeFileSync(
          file,
          `import { MigrationInterface, QueryRunner } from 'typeorm';\n\n` +
            `export class ${name}${timestamp} implements MigrationInterface {\n` +
            `  name = '${name}${timestamp}';\n\n` +
            `  public async up(queryRunner: QueryRunner): Promise<void> {\n${up.join('\n')}\n  }\n\n` +
            `  public async down(queryRunner: QueryRunner): Promise<void> {\n${down.join('\n')}\n  }\n}\n`,
        );
        console.log(`wrote ${file}: read it before committing`);
        break;
      }
      default:
        throw new Error('usage: cli.js run | revert | show | generate <Name>');
    }
  } finally {
    await close();
  }
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exit(1);
});
