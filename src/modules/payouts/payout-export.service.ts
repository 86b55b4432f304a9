import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { AppError } from '@/common/errors/app-error';
import { PayoutBatchDto, toPayoutBatchDto } from '@/modules/payouts/dto/payout-batch.dto';
import { PayoutBatchRepository } from '@/modules/payouts/payout-batch.repository';
import {
  AdvocateLineRow,
  CONTENT_TYPES,
  csvHeader,
  ExportContext,
  ExportDetail,
  exportFileName,
  ExportFormat,
  formatPage,
  RewardLineRow,
} from '@/modules/payouts/payout-export-format';
import { PayoutExportRepository } from '@/modules/payouts/payout-export.repository';

/**
 * Lines per chunk written to the stream: ~50–100 kB of text, under V8's large-object size
 * (128 kB), so each chunk dies young; one string per page would be allocated in the old
 * generation and the heap would grow by a few times the file size before a full GC.
 */
const CHUNK_LINES = 200;

/** Lines read from the database per query; memory holds two pages at most. */
export const EXPORT_PAGE_SIZE = 500;

export interface PayoutExport {
  batch: PayoutBatchDto;
  fileName: string;
  contentType: string;
  /** Lines the file will hold (header excluded). */
  lines: number;
  stream: Readable;
}

export interface ExportOptions {
  pageSize?: number;
  /** Called after each page is handed to the stream, with the lines so far. */
  onProgress?: (lines: number) => void;
}

type Line = AdvocateLineRow | RewardLineRow;

/**
 * Streams a batch's export from the database: pages of lines read by keyset and written as
 * they come. Everything that can fail before the first byte (unknown batch, canceled batch,
 * the first query) fails before the stream exists, so it is an ordinary JSON error.
 */
@Injectable()
export class PayoutExportService {
  constructor(
    private readonly batches: PayoutBatchRepository,
    private readonly exports: PayoutExportRepository,
  ) {}

  async open(
    brandId: string,
    batchId: string,
    format: ExportFormat,
    detail: ExportDetail,
    options: ExportOptions = {},
  ): Promise<PayoutExport> {
    const found = await this.batches.findByIdForBrand(brandId, batchId);
    if (!found) throw AppError.notFound('Payout batch');
    if (found.status === 'canceled') throw canceledError();
    const ctx: ExportContext = { batchId, currency: found.currency };
    const body = await this.openBody(brandId, format, detail, ctx, options);
    let row;
    try {
      await this.batches.markExported(brandId, batchId);
      // Read again after the status change: a cancel that won the race is refused here.
      row = (await this.batches.findByIdForBrand(brandId, batchId))!;
      if (row.status === 'canceled') throw canceledError();
    } catch (error) {
      body.close();
      throw error;
    }
    const header = format === 'csv' ? csvHeader(detail) : '';
    const file = async function* (): AsyncGenerator<string | Buffer> {
      if (header) yield header;
      yield* body.chunks;
    };
    const stream = Readable.from(file(), { objectMode: false });
    // Also when the stream is destroyed before its first read (the generators never ran).
    stream.once('close', body.close);
    return {
      batch: toPayoutBatchDto(row),
      fileName: exportFileName(batchId, detail, format),
      contentType: CONTENT_TYPES[format],
      lines: detail === 'advocates' ? row.advocate_count : row.reward_count,
      stream,
    };
  }

  /**
   * The file's lines (no header). The rewards CSV on a PostgreSQL server is one COPY that
   * PostgreSQL formats (at a million lines ~3× faster than pages, with a fraction of the CPU);
   * everything else is read by keyset pages and formatted here. The first bytes or page are
   * read before this returns, so a failing query fails the request with a JSON error.
   */
  private async openBody(
    brandId: string,
    format: ExportFormat,
    detail: ExportDetail,
    ctx: ExportContext,
    options: ExportOptions,
  ): Promise<{ chunks: AsyncIterable<string | Buffer>; close: () => void }> {
    if (detail === 'rewards' && format === 'csv' && (await this.exports.copyAllowed())) {
      const records = await this.exports.copyRewardCsv(brandId, ctx, options.onProgress);
      // Destroying the records before their end closes the COPY's connection.
      return { chunks: records, close: () => records.destroy() };
    }
    const pageSize = options.pageSize ?? EXPORT_PAGE_SIZE;
    const first = await this.page(brandId, ctx.batchId, detail, null, pageSize);
    const pages = async function* (this: PayoutExportService): AsyncGenerator<string> {
      let rows: Line[] = first;
      let written = 0;
      while (rows.length > 0) {
        // The next page is read while this one is formatted and sent: PostgreSQL and Node work
        // at the same time, and at most two pages are in memory.
        const next =
          rows.length === pageSize
            ? this.page(brandId, ctx.batchId, detail, rows[rows.length - 1]!, pageSize)
            : undefined;
        // Handled when awaited below; this only keeps a failure that happens while the client
        // is still reading from counting as an unhandled rejection.
        next?.catch(() => undefined);
        for (let i = 0; i < rows.length; i += CHUNK_LINES) {
          const chunk = rows.slice(i, i + CHUNK_LINES);
          yield formatPage(detail, format, chunk as AdvocateLineRow[], ctx);
          written += chunk.length;
        }
        options.onProgress?.(written);
        rows = next ? await next : [];
      }
    };
    return { chunks: pages.call(this), close: () => undefined };
  }

  private page(
    brandId: string,
    batchId: string,
    detail: ExportDetail,
    last: Line | null,
    limit: number,
  ): Promise<Line[]> {
    if (detail === 'advocates') {
      return this.exports.advocateLinesPage(brandId, batchId, last?.advocate_id ?? null, limit);
    }
    const position = last
      ? { advocateId: last.advocate_id, rewardId: (last as RewardLineRow).reward_id }
      : null;
    return this.exports.rewardLinesPage(brandId, batchId, position, limit);
  }
}

function canceledError(): AppError {
  return new AppError(
    'invalid_status_transition',
    'A canceled payout batch cannot be exported: its rewards were released',
    [{ field: 'status', issue: 'is canceled' }],
  );
}
