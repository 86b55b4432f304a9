/**
 * Finance's export to a file, with a progress bar:
 *   npm run payouts:export -- --batch pob_… --out payouts.csv [--format csv|json]
 *                             [--detail advocates|rewards] [--brand brd_…]
 * The same file as GET /v1/payout-batches/:id/export, read from the database page by page.
 * Like brand:create it talks to the database (DATABASE_URL, or the running embedded service),
 * so whoever runs it can read every brand anyway: a batch id is unique across brands and is
 * enough. --brand is an optional guard against pasting another brand's batch id.
 */
import 'reflect-metadata';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { AppError } from '@/common/errors/app-error';
import { looksLikeId } from '@/common/ids';
import { formatMajor } from '@/common/money/currency';
import { loadConfig } from '@/config/env';
import { openCliDataSource } from '@/database/cli-data-source';
import { PayoutBatchRepository } from '@/modules/payouts/payout-batch.repository';
import {
  EXPORT_DETAILS,
  EXPORT_FORMATS,
  ExportDetail,
  ExportFormat,
} from '@/modules/payouts/payout-export-format';
import { PayoutExportRepository } from '@/modules/payouts/payout-export.repository';
import { PayoutExportService } from '@/modules/payouts/payout-export.service';

export const USAGE =
  'usage: npm run payouts:export -- --batch <pob_…> --out <file, or - for stdout>\n' +
  '         [--format csv|json] [--detail advocates|rewards] [--brand <brd_…>]\n' +
  '  csv: RFC 4180 with a header row; json: NDJSON (one object per line).\n' +
  '  Defaults: --format csv --detail advocates.';

/** Exit code 2: the command line is wrong (nothing was read or written). */
export class UsageError extends Error {}

/** --help: the usage, exit code 0. */
class HelpRequested extends UsageError {}

export interface ExportArgs {
  batch: string;
  out: string;
  format: ExportFormat;
  detail: ExportDetail;
  brand?: string;
}

export function parseExportArgs(argv: string[]): ExportArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        batch: { type: 'string' },
        out: { type: 'string' },
        format: { type: 'string', default: 'csv' },
        detail: { type: 'string', default: 'advocates' },
        brand: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) throw new HelpRequested('');
  const batch = values.batch as string | undefined;
  const out = values.out as string | undefined;
  const format = values.format as string;
  const detail = values.detail as string;
  const brand = values.brand as string | undefined;
  if (!batch) throw new UsageError('--batch is required');
  if (!looksLikeId('payoutBatch', batch))
    throw new UsageError(`--batch ${batch} is not a batch id (pob_…)`);
  if (!out) throw new UsageError('--out is required');
  if (!(EXPORT_FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format must be csv or json, not ${format}`);
  if (!(EXPORT_DETAILS as readonly string[]).includes(detail))
    throw new UsageError(`--detail must be advocates or rewards, not ${detail}`);
  if (brand !== undefined && !looksLikeId('brand', brand))
    throw new UsageError(`--brand ${brand} is not a brand id (brd_…)`);
  return { batch, out, format: format as ExportFormat, detail: detail as ExportDetail, brand };
}

async function run(args: ExportArgs): Promise<void> {
  const { dataSource, close } = await openCliDataSource(loadConfig(), false);
  const partial = `${args.out}.partial`;
  const toFile = args.out !== '-';
  const bar = new SingleBar(
    {
      format: ` {bar} {percentage}% | {value}/{total} ${args.detail} | {duration_formatted}`,
      stream: process.stderr,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  try {
    const batches = new PayoutBatchRepository(dataSource);
    const brandId = await batches.findBrandOfBatch(args.batch);
    if (!brandId || (args.brand !== undefined && args.brand !== brandId)) {
      throw AppError.notFound('Payout batch');
    }
    const exports = new PayoutExportService(batches, new PayoutExportRepository(dataSource));
    const file = await exports.open(brandId, args.batch, args.format, args.detail, {
      onProgress: (lines) => bar.update(lines),
    });
    bar.start(file.lines, 0);
    // Written beside the target and renamed at the end: a failed export leaves no file that
    // looks complete.
    const target: Writable = toFile ? createWriteStream(partial) : process.stdout;
    await pipeline(file.stream, target, { end: toFile });
    if (toFile) renameSync(partial, args.out);
    bar.stop();
    const { totals, currency } = file.batch;
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    process.stderr.write(
      `${plural(file.lines, args.detail === 'advocates' ? 'advocate line' : 'reward line')} of ` +
        `${args.batch} (${file.batch.status}; ${plural(totals.advocates, 'advocate')}, net ` +
        `${formatMajor(totals.amount, currency)} ${currency})` +
        `${toFile ? ` written to ${args.out}` : ''}\n`,
    );
  } catch (e) {
    bar.stop();
    if (toFile) rmSync(partial, { force: true });
    throw e;
  } finally {
    await close();
  }
}

if (require.main === module) {
  let args: ExportArgs;
  try {
    args = parseExportArgs(process.argv.slice(2));
  } catch (e) {
    const message = (e as Error).message;
    process.stderr.write(`${message ? `${message}\n` : ''}${USAGE}\n`);
    process.exit(e instanceof HelpRequested ? 0 : e instanceof UsageError ? 2 : 1);
  }
  run(args).catch((e: unknown) => {
    process.stderr.write(
      e instanceof AppError ? `${e.message}\n` : `export failed: ${(e as Error).message}\n`,
    );
    process.exit(1);
  });
}
