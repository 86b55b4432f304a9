import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { CursorPosition } from '@/common/pagination/pagination';
import type { AdvocateStatus } from '@/modules/advocates/advocate.entity';
import type { Channel, CtaStatus } from '@/modules/programs/cta.entity';
import type { ProgramStatus } from '@/modules/programs/program.entity';

export interface ShareRow {
  id: string;
  brandId: string;
  programId: string;
  advocateId: string;
  ctaId: string;
  ctaKey: string;
  channel: Channel;
  postUrl: string | null;
  reach: number | null;
  impressions: number | null;
  sharedAt: Date;
  createdAt: Date;
  /** created_at as PostgreSQL text, exact to the microsecond, for keyset cursors. */
  cursorAt: string;
}

export interface NewShare {
  id: string;
  programId: string;
  advocateId: string;
  ctaId: string;
  channel: Channel;
  postUrl: string | null;
  reach: number | null;
  impressions: number | null;
  sharedAt: Date;
}

export interface ShareEnrollment {
  programId: string;
  advocateId: string;
  advocateStatus: AdvocateStatus;
  programStatus: ProgramStatus;
  startsAt: Date | null;
  endsAt: Date | null;
  programCreatedAt: Date;
}

interface EnrollmentDbRow {
  program_id: string;
  advocate_id: string;
  advocate_status: AdvocateStatus;
  program_status: ProgramStatus;
  starts_at: Date | null;
  ends_at: Date | null;
  program_created_at: Date;
}

export interface CtaRef {
  id: string;
  key: string;
  channel: Channel;
  status: CtaStatus;
}

interface ShareDbRow {
  id: string;
  brand_id: string;
  program_id: string;
  advocate_id: string;
  cta_id: string;
  cta_key: string;
  channel: Channel;
  post_url: string | null;
  reach: string | null;
  impressions: string | null;
  shared_at: Date;
  created_at: Date;
  cursor_at: string;
}

const count = (v: string | null) => (v === null ? null : Number(v));

function toRow(r: ShareDbRow): ShareRow {
  return {
    id: r.id,
    brandId: r.brand_id,
    programId: r.program_id,
    advocateId: r.advocate_id,
    ctaId: r.cta_id,
    ctaKey: r.cta_key,
    channel: r.channel,
    postUrl: r.post_url,
    reach: count(r.reach),
    impressions: count(r.impressions),
    sharedAt: r.shared_at,
    createdAt: r.created_at,
    cursorAt: r.cursor_at,
  };
}

/** Shares, and the reads that validate one (advocate, program, enrollment, CTA) in the brand. */
@Injectable()
export class ShareRepository {
  constructor(private readonly dataSource: DataSource) {}

  async advocateExists(brandId: string, advocateId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      'SELECT 1 FROM advocates WHERE brand_id = $1 AND id = $2',
      [brandId, advocateId],
    );
    return rows.length > 0;
  }

  async programExists(brandId: string, programId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      'SELECT 1 FROM programs WHERE brand_id = $1 AND id = $2',
      [brandId, programId],
    );
    return rows.length > 0;
  }

  /**
   * The enrollment a share is reported for, by referral code (stored upper-case) or by program
   * and advocate, with what decides whether it may be recorded: advocate and program status and
   * the program's schedule.
   */
  async findEnrollment(
    brandId: string,
    by: { code: string } | { programId: string; advocateId: string },
  ): Promise<ShareEnrollment | undefined> {
    const [where, params] =
      'code' in by
        ? ['e.code = $2', [brandId, by.code]]
        : ['e.program_id = $2 AND e.advocate_id = $3', [brandId, by.programId, by.advocateId]];
    const rows: EnrollmentDbRow[] = await this.dataSource.query(
      `SELECT e.program_id, e.advocate_id, a.status AS advocate_status,
              p.status AS program_status, p.starts_at, p.ends_at,
              p.created_at AS program_created_at
         FROM enrollments e
         JOIN advocates a ON a.brand_id = e.brand_id AND a.id = e.advocate_id
         JOIN programs p ON p.brand_id = e.brand_id AND p.id = e.program_id
        WHERE e.brand_id = $1 AND ${where}`,
      params,
    );
    const r = rows[0];
    return r
      ? {
          programId: r.program_id,
          advocateId: r.advocate_id,
          advocateStatus: r.advocate_status,
          programStatus: r.program_status,
          startsAt: r.starts_at,
          endsAt: r.ends_at,
          programCreatedAt: r.program_created_at,
        }
      : undefined;
  }

  async findCtaByKey(brandId: string, programId: string, key: string): Promise<CtaRef | undefined> {
    const rows: CtaRef[] = await this.dataSource.query(
      'SELECT id, key, channel, status FROM ctas WHERE brand_id = $1 AND program_id = $2 AND key = $3',
      [brandId, programId, key],
    );
    return rows[0];
  }

  findCtasByChannel(brandId: string, programId: string, channel: Channel): Promise<CtaRef[]> {
    return this.dataSource.query(
      `SELECT id, key, channel, status FROM ctas
        WHERE brand_id = $1 AND program_id = $2 AND channel = $3 AND status = 'active'
        ORDER BY key LIMIT 10`,
      [brandId, programId, channel],
    );
  }

  /** Inside the caller's transaction (`em`) when given. */
  async insert(brandId: string, share: NewShare, em?: EntityManager): Promise<ShareRow> {
    const rows: ShareDbRow[] = await (em ?? this.dataSource).query(
      `WITH s AS (
         INSERT INTO shares (id, brand_id, program_id, cta_id, advocate_id, channel, post_url,
                             reach, impressions, shared_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         RETURNING *)
       SELECT s.*, s.created_at::text AS cursor_at, c.key AS cta_key
         FROM s JOIN ctas c ON c.id = s.cta_id`,
      [
        share.id,
        brandId,
        share.programId,
        share.ctaId,
        share.advocateId,
        share.channel,
        share.postUrl,
        share.reach,
        share.impressions,
        share.sharedAt,
      ],
    );
    return toRow(rows[0]!);
  }

  /** Newest first, keyset on (created_at, id) with the exact created_at text as cursor. */
  async listByBrand(
    brandId: string,
    filters: { programId?: string; advocateId?: string },
    limit: number,
    after?: CursorPosition,
  ): Promise<ShareRow[]> {
    const params: unknown[] = [brandId];
    const where = ['s.brand_id = $1'];
    if (filters.programId !== undefined) {
      params.push(filters.programId);
      where.push(`s.program_id = $${params.length}`);
    }
    if (filters.advocateId !== undefined) {
      params.push(filters.advocateId);
      where.push(`s.advocate_id = $${params.length}`);
    }
    if (after) {
      params.push(after.k, after.id);
      where.push(`(s.created_at, s.id) < ($${params.length - 1}::timestamptz, $${params.length})`);
    }
    params.push(limit + 1);
    const rows: ShareDbRow[] = await this.dataSource.query(
      `SELECT s.*, s.created_at::text AS cursor_at, c.key AS cta_key
         FROM shares s JOIN ctas c ON c.id = s.cta_id
        WHERE ${where.join(' AND ')}
        ORDER BY s.created_at DESC, s.id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toRow);
  }
}
