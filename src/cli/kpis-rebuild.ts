/**
 * Operator repair of the KPI rollups: `npm run kpis:rebuild -- --program prg_… [--check]`.
 * `--check` only compares a program's rollups with a recomputation from its raw clicks,
 * shares and events (exit code 1 when they differ); without it the rollups are rebuilt from
 * those raw rows (KPI writes wait meanwhile), then checked.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { loadConfig } from '@/config/env';
import { openCliDataSource } from '@/database/cli-data-source';
import { KpiFoldRepository } from '@/modules/analytics/kpi-fold.repository';
import { KpiMaintenanceRepository } from '@/modules/analytics/kpi-maintenance.repository';

/** Returns the exit code: 0 exact, 1 differences found. */
export async function rebuildKpis(
  dataSource: DataSource,
  options: { programId: string; check: boolean; keepDays: number },
  write: (line: string) => void,
): Promise<number> {
  const rows: { brand_id: string }[] = await dataSource.query(
    'SELECT brand_id FROM programs WHERE id = $1',
    [options.programId],
  );
  if (!rows[0]) throw new Error(`no program ${options.programId}`);
  const brandId = rows[0].brand_id;
  const maintenance = new KpiMaintenanceRepository(dataSource);
  if (!options.check) {
    const started = Date.now();
    const written = await maintenance.rebuildProgram(brandId, options.programId, options.keepDays);
    write(`rebuilt ${written} rollup rows of ${options.programId} in ${Date.now() - started} ms`);
  }
  // Events still queued for the rollups are counted by the recomputation: fold them first.
  await new KpiFoldRepository(dataSource).foldAll();
  const differences = await maintenance.diffAgainstRaw(brandId, options.programId);
  if (differences.length === 0) {
    write('the rollups equal a recomputation from the raw rows');
    return 0;
  }
  write(`${differences.length} rollup rows differ from the raw rows:`);
  for (const d of differences.slice(0, 20)) write(JSON.stringify(d));
  return 1;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { program: { type: 'string' }, check: { type: 'boolean', default: false } },
  });
  if (!values.program) throw new Error('usage: npm run kpis:rebuild -- --program prg_… [--check]');
  const config = loadConfig();
  const { dataSource, close } = await openCliDataSource(config, false);
  try {
    return await rebuildKpis(
      dataSource,
      { programId: values.program, check: values.check, keepDays: config.kpiVisitorKeyDays },
      (line) => process.stdout.write(`${line}\n`),
    );
  } finally {
    await close();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${(e as Error).message}\n`);
      process.exit(2);
    },
  );
}
