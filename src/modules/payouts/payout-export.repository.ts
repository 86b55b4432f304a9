import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import {
  type AdvocateLineRow,
  type ExportContext,
  type RewardLineRow,
  csvField,
  escapeFormula,
} from '@/modules/payouts/payout-export-format';
import { minorDigits } from '@/common/money/currency';

// ISO-8601 UTC with milliseconds, formatted by PostgreSQL: no Date object per row in Node.
const iso = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The reward lines' joins and batch filter ($1 brand, $2 batch), shared by pages and cursor. */
const REWARD_LINES_FROM = `FROM payout_batch_items i
         JOIN rewards w ON w.id = i.reward_id
         LEFT JOIN events e ON e.id = w.event_id
         LEFT JOIN rewards o ON o.id = w.clawback_of
         LEFT JOIN events oe ON oe.id = o.event_id
         LEFT JOIN ctas c ON c.id = coalesce(oe.cta_id, e.cta_id)
        WHERE i.batch_id = $2 AND i.brand_id = $1`;

/** The columns of a RewardLineRow. */
const REWARD_ROW_COLUMNS = `i.reward_id, i.advocate_id, i.amount::text AS amount, w.event_id, e.order_id,
              w.program_id, c.key AS cta_key, coalesce(oe.channel, e.channel) AS channel,
              w.kind, w.recipient, ${iso('w.occurred_at')} AS earned_at,
              ${iso('w.approved_at')} AS approved_at, w.clawback_of`;

/**
 * A text cell as csvField(escapeFormula(v)) writes it, in SQL: a value starting with = + - @,
 * tab or CR gets a leading quote; one holding a comma, quote, CR or LF is quoted with its
 * quotes doubled; NULL is empty. (Doubling quotes never changes the first character, which is
 * never a quote when the formula escape applies, so both orders agree.)
 */
function csvTextSql(v: string): string {
  const formula = (x: string) =>
    `CASE WHEN left(${v}, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') THEN '''' || ${x} ELSE ${x} END`;
  return `coalesce(CASE WHEN ${v} ~ E'[",\\r\\n]' THEN '"' || ${formula(`replace(${v}, '"', '""')`)} || '"' ELSE ${formula(v)} END, '')`;
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
  return `${sign} || (abs(${minor}) / ${unit})::text || '.' || lpad((abs(${minor}) % ${unit})::text, ${digits}, '0')`;
}

/** A literal SQL string (the batch id and currency are the same on every line). */
const sqlString = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * One CSV record of the rewards export (REWARD_COLUMNS, in order, CRLF-terminated) built by
 * PostgreSQL. test/payouts-export-sql.e2e-spec.ts checks it against formatPage, byte for byte.
 * Amounts are Tandem's integers (never escaped); timestamps come from to_char (a digit first,
 * no comma or quote); every other column is text and is escaped.
 */
export function rewardCsvLineSql(ctx: ExportContext): string {
  const digits = minorDigits(ctx.currency);
  const cells = [
    csvTextSql('i.reward_id'),
    sqlString(csvField(escapeFormula(ctx.batchId))),
    csvTextSql('i.advocate_id'),
    csvTextSql('w.event_id'),
    csvTextSql('e.order_id'),
    csvTextSql('w.program_id'),
    csvTextSql('c.key'),
    csvTextSql('coalesce(oe.channel, e.channel)'),
    csvTextSql('w.kind'),
    csvTextSql('w.recipient'),
    majorSql('i.amount', digits),
    'i.amount::text',
    sqlString(csvField(escapeFormula(ctx.currency))),
    `coalesce(${iso('w.occurred_at')}, '')`,
    `coalesce(${iso('w.approved_at')}, '')`,
    csvTextSql('w.clawback_of'),
  ];
  return `${cells.join(` || ',' || `)} || E'\\r\\n'`;
}

/** Lines read in batches from an open cursor; close() must be called in every case. */
export interface ExportCursor<T> {
  /** The next `limit` lines; fewer (or none) at the end. */
  read(limit: number): Promise<T[]>;
  close(): Promise<void>;
}

export interface RewardLinePosition {
  advocateId: string;
  rewardId: string;
}

/**
 * Pages of a batch's lines in export order, keyset on the items' primary key, so a batch of any
 * size is read a page at a time and never held in memory. Items never change once written, so
 * the pages add up to the batch exactly.
 */
@Injectable()
export class PayoutExportRepository {
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
      `SELECT ${REWARD_ROW_COLUMNS}
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
   * True on a PostgreSQL server; false on the embedded PGlite, where a transaction held open
   * for a whole download would hold every other connection (one backend, see
   * embedded-postgres.ts): there, exports stay on short keyset page queries.
   */
  async cursorsAllowed(): Promise<boolean> {
    this.serverDatabase ??= this.dataSource
      .query(`SELECT version() NOT LIKE '%PGlite%' AS server`)
      .then((rows: { server: boolean }[]) => rows[0]!.server);
    return this.serverDatabase;
  }

  private serverDatabase?: Promise<boolean>;

  /**
   * The batch's reward lines as ONE query read through a cursor: PostgreSQL plans it for the
   * whole batch (hash joins and one sort, like COPY) instead of a few thousand index-nested-loop
   * page queries, ~3× faster at a million lines. In CSV the lines come formatted by
   * PostgreSQL (rewardCsvLineSql), so Node only passes text along; in JSON they are rows.
   * The caller must close() the cursor (it ends the read-only transaction and frees the
   * connection), also when the client goes away.
   */
  async openRewardCursor(
    brandId: string,
    batchId: string,
    format: 'csv' | 'rows',
    ctx: ExportContext,
  ): Promise<ExportCursor<string> | ExportCursor<RewardLineRow>> {
    const runner = this.dataSource.createQueryRunner('slave') as PostgresQueryRunner;
    const client: PoolClient = await runner.connect();
    let open = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      open = true;
      // Plan for every row, not the first 10% (the default for cursors): hash joins and a sort.
      await client.query('SET LOCAL cursor_tuple_fraction = 1');
      const select =
        format === 'csv'
          ? `SELECT ${rewardCsvLineSql(ctx)} AS line`
          : `SELECT ${REWARD_ROW_COLUMNS}`;
      await client.query(
        `DECLARE payout_export NO SCROLL CURSOR FOR ${select} ${REWARD_LINES_FROM}
          ORDER BY i.advocate_id, i.reward_id`,
        [brandId, batchId],
      );
    } catch (error) {
      if (open) await client.query('ROLLBACK').catch(() => undefined);
      await runner.release();
      throw error;
    }
    let closed = false;
    return {
      read: async (limit: number) => {
        if (closed) throw new Error('the export cursor is closed');
        if (format === 'rows') {
          return (await client.query(`FETCH ${Math.trunc(limit)} FROM payout_export`)).rows;
        }
        const result = await client.query<[string]>({
          text: `FETCH ${Math.trunc(limit)} FROM payout_export`,
          rowMode: 'array',
        });
        return result.rows.map((r) => r[0]);
      },
      close: async () => {
        if (closed) return;
        closed = true;
        try {
          await client.query('ROLLBACK'); // read only: nothing to commit
        } finally {
          await runner.release();
        }
      },
    } as ExportCursor<string> | ExportCursor<RewardLineRow>;
  }
}
