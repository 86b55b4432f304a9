import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { APP_CONFIG } from '@/config/config.module';
import { AppConfig } from '@/config/env';
import { CLICK_RETURNING, clickInsertWithRollups } from '@/modules/analytics/click-rollup.sql';
import type { Channel } from '@/modules/programs/cta.entity';

export interface ClickRow {
  id: string;
  brandId: string;
  programId: string;
  ctaId: string;
  advocateId: string;
  linkId: string;
  channel: Channel;
  clickedAt: number;
  referrerHost: string | null;
  uaFamily: string;
  isBot: boolean;
  isFirstVisit: boolean;
  visitorHash: string;
}

const INSERT_CLICKS = `
  INSERT INTO clicks (id, brand_id, program_id, cta_id, advocate_id, link_id, channel, clicked_at,
                      referrer_host, ua_family, is_bot, is_first_visit, visitor_hash)
  SELECT id, brand_id, program_id, cta_id, advocate_id, link_id, channel,
         timestamptz 'epoch' + clicked_ms * interval '1 millisecond',
         referrer_host, ua_family, is_bot, is_first_visit, visitor_hash
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                $8::bigint[], $9::text[], $10::text[], $11::bool[], $12::bool[], $13::text[])
      AS t(id, brand_id, program_id, cta_id, advocate_id, link_id, channel, clicked_ms,
           referrer_host, ua_family, is_bot, is_first_visit, visitor_hash)
  ON CONFLICT (id) DO NOTHING
  RETURNING ${CLICK_RETURNING}`;

// KPI rollups (analytics) are maintained by the same statement, from the rows it inserted.
const INSERT_CLICKS_WITH_ROLLUPS = clickInsertWithRollups(INSERT_CLICKS, 14);

@Injectable()
export class ClickRepository {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * One statement for the whole batch: one array parameter per column, unnested server-side
   * (13 parameters whatever the row count). A retried batch cannot duplicate: the click id is
   * the primary key. The array literals are built here (ids and hashes are URL-safe, so only the
   * referrer host needs escaping) and sent through the driver's pool: cheaper than generic
   * parameter encoding, and a failure is not logged with every row as TypeORM's query logger
   * would. The same statement adds the inserted rows to the KPI rollups (see
   * clickInsertWithRollups).
   */
  async insertMany(rows: ClickRow[]): Promise<void> {
    if (rows.length === 0) return;
    const pool = (this.dataSource.driver as PostgresDriver).master as Pool;
    await pool.query(INSERT_CLICKS_WITH_ROLLUPS, [
      textArray(rows, (r) => r.id),
      textArray(rows, (r) => r.brandId),
      textArray(rows, (r) => r.programId),
      textArray(rows, (r) => r.ctaId),
      textArray(rows, (r) => r.advocateId),
      textArray(rows, (r) => r.linkId),
      textArray(rows, (r) => r.channel),
      `{${rows.map((r) => r.clickedAt).join(',')}}`,
      textArray(rows, (r) => r.referrerHost),
      textArray(rows, (r) => r.uaFamily),
      `{${rows.map((r) => (r.isBot ? 't' : 'f')).join(',')}}`,
      `{${rows.map((r) => (r.isFirstVisit ? 't' : 'f')).join(',')}}`,
      textArray(rows, (r) => r.visitorHash),
      this.config.kpiVisitorKeyDays,
    ]);
  }
}

/** A PostgreSQL text[] literal: every element quoted, `"` and `\` escaped, null as NULL. */
export function textArray<R>(rows: R[], value: (row: R) => string | null): string {
  let out = '{';
  for (let i = 0; i < rows.length; i++) {
    const v = value(rows[i]!);
    if (i > 0) out += ',';
    out += v === null ? 'NULL' : `"${ESCAPE.test(v) ? v.replace(ESCAPE_ALL, '\\$&') : v}"`;
  }
  return `${out}}`;
}

const ESCAPE = /["\\]/;
const ESCAPE_ALL = /["\\]/g;
