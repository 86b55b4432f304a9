import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { escapeFormula } from '@/common/csv/formula-escape';
import { minorDigits } from '@/common/money/currency';
import { CrlfRecords } from '@/modules/payouts/crlf-records';
import {
  type AdvocateLineRow,
  type ExportContext,
  type RewardLineRow,
} from '@/modules/payouts/payout-export-format';

// ISO-8601 UTC with milliseconds, formatted by PostgreSQL: no Date object per row in Node.
const iso = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The reward lines' joins and batch filter ($1 brand, $2 batch), shared by pages and COPY. */
const REWARD_LINES_FROM = `FROM payout_batch_items i
         JOIN rewards w ON w.id = i.reward_id
         LEFT JOIN events e ON e.id = w.event_id
         LEFT JOIN rewards o ON o.id = w.clawback_of
         LEFT JOIN events oe ON oe.id = o.event_id
         LEFT JOIN ctas c ON c.id = coalesce(oe.cta_id, e.cta_id)
        WHERE i.batch_id = $2 AND i.brand_id = $1`;

/**
 * A text cell of the rewards COPY: escapeFormula in SQL (a value starting with = + - @, tab or
 * CR gets a leading quote); PostgreSQL's CSV writer then quotes it when it holds a comma,
 * quote, CR or LF and doubles its quotes, as csvField does. An empty string becomes NULL:
 * COPY writes '' as "" (to tell it from NULL), the Node writer as nothing.
 */
function formulaSafeSql(v: string): string {
  return (
    `CASE WHEN left(${v}, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') ` +
    `THEN '''' || ${v} ELSE nullif(${v}, '') END`
  );
}

/**
 * A bigint of minor units as formatMajor writes it, in SQL: a minus sign for a negative
 * amount, then the absolute value's integer quotient and zero-padded remainder by 10^digits
 * (bigint arithmetic, exact; -2^63 alone would fail with "bigint out of range", never round).
 */
function majorSql(minor: string, digits: number): string {
  if (!Number.isInteger(digits) || digits < 0 || digits > 4) throw new Error(`digits ${digits}`);
  const sign = `CASE WHEN ${minor} < 0 THEN '-' ELSE '' END`;
  if (digits === 0) return `${sign} || abs(${minor})::text`;
  const unit = 10 ** digits;
  return (
    `${sign} || (abs(${minor}) / ${unit})::text || '.' || ` +
    `lpad((abs(${minor}) % ${unit})::text, ${digits}, '0')`
  );
}

/** A SQL string literal (standard_conforming_strings: only quotes are special). */
const sqlString = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** Batch and brand ids are inlined in the COPY (the simple protocol has no parameters). */
function idLiteral(id: string): string {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(id)) throw new Error(`not an id: ${id}`);
  return sqlString(id);
}

/**
 * The rewards export as one COPY: REWARD_COLUMNS in order, written as CSV by PostgreSQL.
 * The rows are sorted first and formatted after (a fenced subquery), so the sort carries the
 * raw columns, not the wider text. Amounts are Tandem's integers (never formula-escaped:
 * "-12.50" stays a number); timestamps come from to_char (a digit first, nothing to quote).
 * Ids and the kind and recipient are Tandem's own values (a lowercase prefix, an enum word):
 * the formula escape can never apply to them, so only the text that comes from outside (order
 * id, CTA key, channel) pays for it. test/payouts-export-copy.e2e-spec.ts compares the bytes
 * with formatPage's.
 */
export function rewardCsvCopySql(brandId: string, ctx: ExportContext): string {
  const digits = minorDigits(ctx.currency);
  const columns = [
    's.reward_id',
    sqlString(escapeFormula(ctx.batchId)),
    's.advocate_id',
    's.event_id',
    formulaSafeSql('s.order_id'),
    's.program_id',
    formulaSafeSql('s.cta_key'),
    formulaSafeSql('s.channel'),
    's.kind',
    's.recipient',
    majorSql('s.amount', digits),
    's.amount',
    sqlString(escapeFormula(ctx.currency)),
    iso('s.occurred_at'),
    iso('s.approved_at'),
    's.clawback_of',
  ];
  const from = REWARD_LINES_FROM.replace('$2', idLiteral(ctx.batchId)).replace(
    '$1',
    idLiteral(brandId),
  );
  return `COPY (SELECT ${columns.join(', ')}
      FROM (SELECT i.reward_id, i.advocate_id, w.event_id, e.order_id, w.program_id,
                   c.key AS cta_key, coalesce(oe.channel, e.channel) AS channel, w.kind,
                   w.recipient, i.amount, w.occurred_at, w.approved_at, w.clawback_of
              ${from}
             ORDER BY i.advocate_id, i.reward_id
            OFFSET 0) s) TO STDOUT WITH (FORMAT csv)`;
}

export interface RewardLinePosition {
  advocateId: string;
  rewardId: string;
}

/**
 * Pages of a batch's lines in export order, keyset on the items' primary key, so a batch of any
 * size is read a page at a time and never held in memory. Items never change once written, so
 * the pages add up to the batch exactly. On a PostgreSQL server the rewards CSV is one COPY.
 */
@Injectable()
export class PayoutExportRepository {
  private serverDatabase?: Promise<boolean>;

  constructor(private readonly dataSource: DataSource) {}

  advocateLinesPage(
    brandId: string,
    batchId: string,
    afterAdvocateId: string | null,
    limit: number,
  ): Promise<AdvocateLineRow[]> {
    return this.dataSource.query(
      `SELECT l.advocate_id, a.external_id, a.email, a.name, l.amount::text AS amount,
              l.reward_count, l.clawback_amount::text AS clawback_amount,
              ${iso('l.period_start')} AS period_start, ${iso('l.period_end')} AS period_end
         FROM payout_batch_advocates l
         LEFT JOIN advocates a ON a.id = l.advocate_id AND a.brand_id = l.brand_id
        WHERE l.batch_id = $2 AND l.brand_id = $1
          ${afterAdvocateId === null ? '' : 'AND l.advocate_id > $4'}
        ORDER BY l.advocate_id
        LIMIT $3`,
      afterAdvocateId === null
        ? [brandId, batchId, limit]
        : [brandId, batchId, limit, afterAdvocateId],
    );
  }

  /**
   * A clawback's line carries the refund as eventId/orderId, and the CTA and channel of the
   * conversion it claws back.
   */
  rewardLinesPage(
    brandId: string,
    batchId: string,
    after: RewardLinePosition | null,
    limit: number,
  ): Promise<RewardLineRow[]> {
    return this.dataSource.query(
      `SELECT i.reward_id, i.advocate_id, i.amount::text AS amount, w.event_id, e.order_id,
              w.program_id, c.key AS cta_key, coalesce(oe.channel, e.channel) AS channel,
              w.kind, w.recipient, ${iso('w.occurred_at')} AS earned_at,
              ${iso('w.approved_at')} AS approved_at, w.clawback_of
         ${REWARD_LINES_FROM}
          ${after === null ? '' : 'AND (i.advocate_id, i.reward_id) > ($4, $5)'}
        ORDER BY i.advocate_id, i.reward_id
        LIMIT $3`,
      after === null
        ? [brandId, batchId, limit]
        : [brandId, batchId, limit, after.advocateId, after.rewardId],
    );
  }

  /**
   * True on a PostgreSQL server; false on the embedded PGlite. There a COPY would run as one
   * unit of its single backend, holding every other connection for the whole download, with
   * its output written to the socket without backpressure (see embedded-postgres.ts), so
   * exports stay on short keyset page queries.
   */
  copyAllowed(): Promise<boolean> {
    this.serverDatabase ??= this.dataSource
      .query(`SELECT version() NOT LIKE '%PGlite%' AS server`)
      .then((rows: { server: boolean }[]) => rows[0]!.server);
    return this.serverDatabase;
  }

  /**
   * The batch's reward lines as CSV records (CRLF, no header) straight out of PostgreSQL: one
   * COPY (SELECT …) TO STDOUT, planned for the whole batch (hash joins and one sort, like the
   * bench's psql baseline) instead of thousands of index-nested-loop page queries, and written
   * by PostgreSQL's CSV writer, so Node only passes bytes along, with backpressure (the
   * connection's socket is paused while the client is slow). Resolves once the first bytes (or
   * the end) are there, so a failing query rejects before anything is sent. Destroying the
   * stream before its end closes the connection: a COPY cannot be abandoned on a pooled one.
   * onLines is called with the records so far, chunk by chunk.
   */
  async copyRewardCsv(
    brandId: string,
    ctx: ExportContext,
    onLines?: (lines: number) => void,
  ): Promise<Readable> {
    const sql = rewardCsvCopySql(brandId, ctx);
    const driver = this.dataSource.driver as PostgresDriver;
    const [client, release] = (await driver.obtainMasterConnection()) as [
      PoolClient,
      (error?: Error | boolean) => void,
    ];
    let released = false;
    const done = (error?: Error) => {
      if (released) return;
      released = true;
      release(error ?? false);
    };
    const copy = client.query(copyTo(sql));
    const records = new CrlfRecords(onLines);
    copy.once('end', () => done());
    copy.on('error', (error: Error) => {
      done(error);
      records.destroy(error);
    });
    records.once('close', () => {
      if (!copy.readableEnded) {
        copy.unpipe(records);
        done(new Error('payout export abandoned before its end'));
      }
    });
    copy.pipe(records);
    await new Promise<void>((resolve, reject) => {
      const ready = () => {
        records.off('error', fail);
        resolve();
      };
      const fail = (error: Error) => {
        records.off('readable', ready);
        reject(error);
      };
      records.once('readable', ready);
      records.once('error', fail);
    });
    return records;
  }
}
