import { Injectable } from '@nestjs/common';
import { LinkCache } from '@/modules/tracking/link-cache';
import { Readable, Transform, TransformCallback } from 'node:stream';
import { CsvError, Info, parse } from 'csv-parse';
import { AppError, ErrorDetail } from '@/common/errors/app-error';
import {
  AdvocateUpsert,
  AdvocateImportRepository,
} from '@/modules/advocates/advocate-import.repository';
import {
  CsvPlan,
  decodeCells,
  mergeUpserts,
  parseRow,
  planColumns,
} from '@/modules/advocates/advocate-csv';
import {
  AdvocateImportResultDto,
  ImportRowErrorDto,
} from '@/modules/advocates/dto/advocate-import-result.dto';

/** Streamed bodies bypass Fastify's bodyLimit (10 MB for JSON); this route has its own. */
export const MAX_IMPORT_BYTES = 100 * 1024 * 1024;
export const IMPORT_BATCH_ROWS = 500;
export const MAX_REPORTED_ERRORS = 1000;
// A quote left open would otherwise gather the rest of the file into one cell.
const MAX_RECORD_CHARS = 100_000;

interface ParsedRecord {
  /** Bytes: each cell is decoded (strictly) by decodeCells. */
  record: Buffer[];
  info: Info;
}

interface PendingRow {
  upsert: AdvocateUpsert;
  /** Rows of the file merged into this one (same externalId in the batch). */
  rows: number;
}

/** The running tally of one import; holds at most one batch and 1000 errors. */
class ImportTally {
  created = 0;
  updated = 0;
  failed = 0;
  errors: ImportRowErrorDto[] = [];
  errorsTruncated = false;

  fail(row: number, details: ErrorDetail[]): void {
    this.failed += 1;
    for (const { field, issue } of details) {
      if (this.errors.length < MAX_REPORTED_ERRORS) this.errors.push({ row, field, issue });
      else this.errorsTruncated = true;
    }
  }

  result(): AdvocateImportResultDto {
    const { created, updated, failed, errors, errorsTruncated } = this;
    return { created, updated, failed, errors, errorsTruncated };
  }
}

@Injectable()
export class AdvocateImportService {
  constructor(
    private readonly imports: AdvocateImportRepository,
    private readonly linkCache?: LinkCache,
  ) {}

  /**
   * Reads the CSV as it arrives and upserts it in batches: memory holds one batch, never the
   * file. Header problems answer 400 before anything is written; a bad row is reported and
   * skipped. Not all-or-nothing: batches already written stay if the upload breaks off
   * (re-sending the file is safe, rows are upserted by externalId).
   */
  async importCsv(
    brandId: string,
    body: Readable,
    declaredBytes?: number,
    maxBytes = MAX_IMPORT_BYTES,
  ): Promise<AdvocateImportResultDto> {
    const result = await this.readAndUpsert(brandId, body, declaredBytes, maxBytes);
    // Statuses may have changed (paused, banned): their links must stop tracking at once.
    if (result.updated > 0) this.linkCache?.invalidateAll();
    return result;
  }

  private async readAndUpsert(
    brandId: string,
    body: Readable,
    declaredBytes: number | undefined,
    maxBytes: number,
  ): Promise<AdvocateImportResultDto> {
    if (declaredBytes !== undefined && declaredBytes > maxBytes) throw tooLarge(maxBytes);
    const limiter = new ByteLimit(maxBytes);
    const parser = parse({
      // The UTF-8 byte order mark is dropped before (Utf8BomStrip): csv-parse's own BOM
      // handling switches it to decoding text, which would undo encoding: null below.
      bom: false,
      relax_column_count: true,
      // A quote inside a cell that does not start with one (`Jo "JJ" Smith`, or `"Tw"o`) is kept
      // as text, as spreadsheets write and read it, instead of ending the import there.
      relax_quotes: true,
      skip_empty_lines: false,
      max_record_size: MAX_RECORD_CHARS,
      info: true,
      // Cells as bytes, so that bytes which are not UTF-8 fail their row (decodeCells) instead
      // of becoming U+FFFD. (csv-parse documents null; its type leaves it out.)
      encoding: null as unknown as undefined,
      // A syntax error would destroy the stream and drop the records parsed before it; as a
      // 'skip' they arrive, and the error tells how many came first. The rest is not read.
      skip_records_with_error: true,
    });
    let broken: CsvError | undefined;
    parser.on('skip', (err: CsvError) => {
      broken ??= err;
    });
    // Errors of the body or the limit end the parser's iteration below.
    body.on('error', (err) => parser.destroy(err));
    limiter.on('error', (err) => parser.destroy(err));
    body.pipe(limiter).pipe(new Utf8BomStrip()).pipe(parser);

    const tally = new ImportTally();
    let plan: CsvPlan | undefined;
    let header: string[] = [];
    let batch = new Map<string, PendingRow>();
    let row = 0; // the header is row 0
    const flush = async () => {
      if (batch.size === 0) return;
      const pending = batch;
      batch = new Map();
      const upserts = [...pending.values()].map((p) => p.upsert);
      const outcomes = await this.imports.upsertBatchForBrand(brandId, upserts, plan!.channels);
      for (const { externalId, inserted } of outcomes) {
        const rows = pending.get(externalId)?.rows ?? 1;
        // A repeated externalId: its first row created (or updated) it, the later ones updated it.
        tally.created += inserted ? 1 : 0;
        tally.updated += inserted ? rows - 1 : rows;
      }
    };

    try {
      for await (const { record, info } of parser as AsyncIterable<ParsedRecord>) {
        if (broken && info.records > (broken.records as number)) break;
        const decoded = decodeCells(record, header);
        if (!plan) {
          if (!decoded.ok) {
            throw AppError.validation(decoded.errors, 'The CSV header is invalid');
          }
          header = decoded.cells;
          plan = planColumns(header);
          continue;
        }
        row += 1;
        if (!decoded.ok) {
          tally.fail(row, decoded.errors);
          continue;
        }
        const cells = decoded.cells;
        if (cells.every((c) => c.trim() === '')) continue; // blank line: keeps its row number
        const parsed = parseRow(plan, cells);
        if (!parsed.ok) {
          tally.fail(row, parsed.errors);
          continue;
        }
        const { upsert } = parsed;
        const earlier = batch.get(upsert.externalId);
        batch.set(
          upsert.externalId,
          earlier
            ? { upsert: mergeUpserts(earlier.upsert, upsert), rows: earlier.rows + 1 }
            : { upsert, rows: 1 },
        );
        if (batch.size >= IMPORT_BATCH_ROWS) await flush();
      }
    } catch (err) {
      throw asImportError(err, body, limiter);
    }
    if (broken) {
      stopReading(body, limiter);
      if (!plan) throw invalidCsv(broken);
      await flush();
      // Records count the header: the broken record is data row `records`.
      tally.fail(broken.records as number, [
        {
          field: 'csv',
          issue: `is not valid CSV (${describeCsvError(broken)}); this row and the rest of the file were not imported`,
        },
      ]);
      return tally.result();
    }
    if (!plan) {
      throw AppError.validation(
        [{ field: 'body', issue: 'is empty: send a header row, then one row per advocate' }],
        'The CSV body is empty',
      );
    }
    await flush();
    return tally.result();
  }
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Drops a UTF-8 byte order mark at the start of the stream (it may arrive split). */
class Utf8BomStrip extends Transform {
  private head: Buffer | null = Buffer.alloc(0);

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.head === null) return done(null, chunk);
    this.head = Buffer.concat([this.head, chunk]);
    if (this.head.length < UTF8_BOM.length) return done();
    const rest = this.head.subarray(0, 3).equals(UTF8_BOM) ? this.head.subarray(3) : this.head;
    this.head = null;
    done(null, rest);
  }

  override _flush(done: TransformCallback): void {
    // A body shorter than a BOM: a BOM alone is nothing, anything else goes on as it is.
    if (
      this.head &&
      this.head.length > 0 &&
      !UTF8_BOM.subarray(0, this.head.length).equals(this.head)
    )
      this.push(this.head);
    done();
  }
}

/** Counts the bytes that pass and fails the stream once there are too many. */
class ByteLimit extends Transform {
  private seen = 0;

  constructor(private readonly max: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.max) done(tooLarge(this.max));
    else done(null, chunk);
  }
}

function tooLarge(maxBytes: number): AppError {
  return new AppError(
    'payload_too_large',
    `The CSV is larger than ${Math.round(maxBytes / 1024 / 1024)} MB; split it into several imports`,
    [{ field: 'body', issue: `must be at most ${maxBytes} bytes` }],
  );
}

/** The rest of the upload is read and dropped, so the answer can still be sent. */
function stopReading(body: Readable, limiter: Transform): void {
  body.unpipe(limiter);
  body.resume();
}

/**
 * What went wrong, in words: csv-parse's own message quotes the cell as a serialised Buffer
 * (cells are read as bytes) and counts fields from 0.
 */
export function describeCsvError(err: CsvError): string {
  // No line for an unclosed quote: csv-parse counts it at the end of the file, not where the
  // quote opened; the error's row says which row it was.
  if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
    return 'a quoted cell is never closed: a cell that starts with " must end with "';
  }
  const line = typeof err.lines === 'number' ? ` (line ${err.lines})` : '';
  if (err.code === 'CSV_MAX_RECORD_SIZE') {
    return `a row is longer than ${MAX_RECORD_CHARS} characters${line}`;
  }
  return `${err.code}${line}`;
}

function invalidCsv(err: CsvError): AppError {
  return AppError.validation(
    [{ field: 'body', issue: `is not valid CSV (${describeCsvError(err)})` }],
    'The CSV header cannot be read',
  );
}

function asImportError(err: unknown, body: Readable, limiter: Transform): unknown {
  stopReading(body, limiter);
  if (err instanceof AppError) return err;
  const code = (err as { code?: string })?.code;
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
    return AppError.validation(
      [{ field: 'body', issue: 'was cut off' }],
      'The upload was interrupted',
    );
  }
  return err;
}
