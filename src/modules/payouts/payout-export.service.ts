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
import { ExportCursor, PayoutExportRepository } from '@/modules/payouts/payout-export.repository';

/**
 * Lines per chunk written to the stream: ~50–100 kB of text, under V8's large-object size
 * (128 kB), so each chunk dies young; one string per page would be allocated in the old
 * generation and the heap would grow by a few times the file size before a full GC.
 */
const CHUNK_LINES = 200;

/** Lines read from the database per query; memory holds two pages at most. */
export const EXPORT_PAGE_SIZE = 500;

/**
 * Lines per FETCH from a cursor (the rewards export on a PostgreSQL server): a fetch costs a
 * round trip, not a query plan, so pages are bigger; two of them are ~2.5 MB.
 */
export const CURSOR_FETCH_SIZE = 5000;

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

/** What a page holds: rows that Node formats, or CSV records PostgreSQL already formatted. */
type PageItem = Line | string;

/** The source of the pages: keyset queries, or a cursor over one query. */
interface PageSource {
  first: PageItem[];
  pageSize: number;
  next(last: PageItem): Promise<PageItem[]>;
  close(): Promise<void>;
}

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
    const source = await this.openSource(brandId, batchId, format, detail, ctx, options);
    let row;
    try {
      await this.batches.markExported(brandId, batchId);
      // Read again after the status change: a cancel that won the race is refused here.
      row = (await this.batches.findByIdForBrand(brandId, batchId))!;
      if (row.status === 'canceled') throw canceledError();
    } catch (error) {
      await source.close();
      throw error;
    }

    const header = format === 'csv' ? csvHeader(detail) : '';
    const pages = async function* (): AsyncGenerator<string> {
      try {
        if (header) yield header;
        let items = source.first;
        let written = 0;
        while (items.length > 0) {
          // The next page is read while this one is formatted and sent: PostgreSQL and Node
          // work at the same time, and at most two pages are in memory.
          const next =
            items.length === source.pageSize ? source.next(items[items.length - 1]!) : undefined;
          // Handled when awaited below; this only keeps a failure that happens while the
          // client is still reading from counting as an unhandled rejection.
          next?.catch(() => undefined);
          for (let i = 0; i < items.length; i += CHUNK_LINES) {
            const chunk = items.slice(i, i + CHUNK_LINES);
            yield typeof chunk[0] === 'string'
              ? (chunk as string[]).join('')
              : formatPage(detail, format, chunk as AdvocateLineRow[], ctx);
            written += chunk.length;
          }
          options.onProgress?.(written);
          items = next ? await next : [];
        }
      } finally {
        // Also when the client went away (the stream is destroyed and the generator returns).
        await source.close();
      }
    };

    const stream = Readable.from(pages(), { objectMode: false });
    // A stream destroyed before its first read never runs the generator's finally.
    stream.once('close', () => void source.close().catch(() => undefined));
    return {
      batch: toPayoutBatchDto(row),
      fileName: exportFileName(batchId, detail, format),
      contentType: CONTENT_TYPES[format],
      lines: detail === 'advocates' ? row.advocate_count : row.reward_count,
      stream,
    };
  }

  /**
   * The rewards of a batch on a PostgreSQL server come through a cursor (one query, CSV
   * formatted by PostgreSQL); everything else, and everything on the embedded database, is
   * read by keyset pages. The first page is read here, so a failing query fails the request.
   */
  private async openSource(
    brandId: string,
    batchId: string,
    format: ExportFormat,
    detail: ExportDetail,
    ctx: ExportContext,
    options: ExportOptions,
  ): Promise<PageSource> {
    if (detail === 'rewards' && (await this.exports.cursorsAllowed())) {
      const pageSize = options.pageSize ?? CURSOR_FETCH_SIZE;
      const cursor = (await this.exports.openRewardCursor(
        brandId,
        batchId,
        format === 'csv' ? 'csv' : 'rows',
        ctx,
      )) as ExportCursor<PageItem>;
      try {
        return {
          first: await cursor.read(pageSize),
          pageSize,
          next: () => cursor.read(pageSize),
          close: () => cursor.close(),
        };
      } catch (error) {
        await cursor.close().catch(() => undefined);
        throw error;
      }
    }
    const pageSize = options.pageSize ?? EXPORT_PAGE_SIZE;
    return {
      first: await this.page(brandId, batchId, detail, null, pageSize),
      pageSize,
      next: (last) => this.page(brandId, batchId, detail, last as Line, pageSize),
      close: async () => undefined,
    };
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
