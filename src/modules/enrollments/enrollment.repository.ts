import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { CursorPosition } from '@/common/pagination/pagination';
import type { CtaStatus } from '@/modules/programs/cta.entity';

export interface EnrollmentRow {
  id: string;
  programId: string;
  advocateId: string;
  code: string;
  vanity: boolean;
  createdAt: Date;
  /** created_at as PostgreSQL text: the exact pagination key. */
  cursorAt: string;
}

export interface LinkRow {
  id: string;
  programId: string;
  enrollmentId: string;
  advocateId: string;
  ctaId: string;
  ctaKey: string;
  ctaStatus: CtaStatus;
  channel: string;
  code: string;
  slug: string;
  createdAt: Date;
}

const ENROLLMENT_COLUMNS = `id, program_id AS "programId", advocate_id AS "advocateId", code, vanity,
  created_at AS "createdAt", created_at::text AS "cursorAt"`;
const LINK_COLUMNS = `l.id, l.program_id AS "programId", l.enrollment_id AS "enrollmentId", l.advocate_id AS "advocateId",
  l.cta_id AS "ctaId", c.key AS "ctaKey", c.status AS "ctaStatus", c.channel, e.code, l.slug, l.created_at AS "createdAt"`;

@Injectable()
export class EnrollmentRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findProgram(
    brandId: string,
    programId: string,
  ): Promise<{ id: string; status: string } | undefined> {
    const rows = await this.dataSource.query(
      'SELECT id, status FROM programs WHERE brand_id = $1 AND id = $2',
      [brandId, programId],
    );
    return rows[0];
  }

  async findAdvocate(
    brandId: string,
    advocateId: string,
  ): Promise<{ id: string; status: string } | undefined> {
    const rows = await this.dataSource.query(
      'SELECT id, status FROM advocates WHERE brand_id = $1 AND id = $2',
      [brandId, advocateId],
    );
    return rows[0];
  }

  async findByProgramAndAdvocate(
    brandId: string,
    programId: string,
    advocateId: string,
    em?: EntityManager,
  ): Promise<EnrollmentRow | undefined> {
    const rows = await (em ?? this.dataSource).query(
      `SELECT ${ENROLLMENT_COLUMNS} FROM enrollments WHERE brand_id = $1 AND program_id = $2 AND advocate_id = $3`,
      [brandId, programId, advocateId],
    );
    return rows[0];
  }

  /** Inserts unless any unique key clashes (program+advocate, or brand+code); undefined then. */
  async tryInsert(
    em: EntityManager,
    row: {
      id: string;
      brandId: string;
      programId: string;
      advocateId: string;
      code: string;
      vanity: boolean;
    },
  ): Promise<EnrollmentRow | undefined> {
    const rows = await em.query(
      `INSERT INTO enrollments (id, brand_id, program_id, advocate_id, code, vanity)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING ${ENROLLMENT_COLUMNS}`,
      [row.id, row.brandId, row.programId, row.advocateId, row.code, row.vanity],
    );
    return rows[0];
  }

  async codeExists(em: EntityManager, brandId: string, code: string): Promise<boolean> {
    const rows = await em.query('SELECT 1 FROM enrollments WHERE brand_id = $1 AND code = $2', [
      brandId,
      code,
    ]);
    return rows.length > 0;
  }

  async ctaIdsOfProgram(em: EntityManager, brandId: string, programId: string): Promise<string[]> {
    const rows: { id: string }[] = await em.query(
      'SELECT id FROM ctas WHERE brand_id = $1 AND program_id = $2 ORDER BY created_at, id',
      [brandId, programId],
    );
    return rows.map((r) => r.id);
  }

  /** (enrollment, CTA) pairs of the program that have no link yet, at most `limit`. */
  async missingLinks(
    em: EntityManager,
    brandId: string,
    programId: string,
    limit: number,
    filter: { enrollmentId?: string; ctaId?: string } = {},
  ): Promise<{ enrollmentId: string; advocateId: string; ctaId: string }[]> {
    return em.query(
      `SELECT e.id AS "enrollmentId", e.advocate_id AS "advocateId", c.id AS "ctaId"
         FROM enrollments e
         JOIN ctas c ON c.program_id = e.program_id AND c.brand_id = e.brand_id
        WHERE e.brand_id = $1 AND e.program_id = $2
          AND ($3::text IS NULL OR e.id = $3) AND ($4::text IS NULL OR c.id = $4)
          AND NOT EXISTS (SELECT 1 FROM links l WHERE l.enrollment_id = e.id AND l.cta_id = c.id)
        ORDER BY e.id, c.id
        LIMIT $5`,
      [brandId, programId, filter.enrollmentId ?? null, filter.ctaId ?? null, limit],
    );
  }

  /** One multi-row insert; rows whose slug (or pair) already exists are skipped and retried by the caller. */
  async insertLinks(
    em: EntityManager,
    brandId: string,
    programId: string,
    rows: { id: string; enrollmentId: string; advocateId: string; ctaId: string; slug: string }[],
  ): Promise<number> {
    if (rows.length === 0) return 0;
    const inserted: unknown[] = await em.query(
      `INSERT INTO links (id, brand_id, program_id, enrollment_id, advocate_id, cta_id, slug)
       SELECT id, $1, $2, enrollment_id, advocate_id, cta_id, slug
         FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
              AS t(id, enrollment_id, advocate_id, cta_id, slug)
       ON CONFLICT DO NOTHING RETURNING id`,
      [
        brandId,
        programId,
        rows.map((r) => r.id),
        rows.map((r) => r.enrollmentId),
        rows.map((r) => r.advocateId),
        rows.map((r) => r.ctaId),
        rows.map((r) => r.slug),
      ],
    );
    return inserted.length;
  }

  linksOfEnrollment(brandId: string, enrollmentId: string, em?: EntityManager): Promise<LinkRow[]> {
    return (em ?? this.dataSource).query(
      `SELECT ${LINK_COLUMNS}
         FROM links l JOIN ctas c ON c.id = l.cta_id JOIN enrollments e ON e.id = l.enrollment_id
        WHERE l.brand_id = $1 AND l.enrollment_id = $2
        ORDER BY c.created_at, c.id`,
      [brandId, enrollmentId],
    );
  }

  /**
   * Grouped by enrollment (oldest first), then by CTA. `afterLinkId` is the last link of the
   * previous page: the page goes on after its place in that order (links are never deleted).
   */
  linksOfAdvocate(
    brandId: string,
    advocateId: string,
    programId: string | undefined,
    limit: number,
    afterLinkId?: string,
  ): Promise<LinkRow[]> {
    return this.dataSource.query(
      `SELECT ${LINK_COLUMNS}
         FROM links l JOIN ctas c ON c.id = l.cta_id JOIN enrollments e ON e.id = l.enrollment_id
        WHERE l.brand_id = $1 AND l.advocate_id = $2 AND ($3::text IS NULL OR l.program_id = $3)
          AND ($4::text IS NULL OR (e.created_at, e.id, c.created_at, c.id) > (
                SELECT e2.created_at, e2.id, c2.created_at, c2.id
                  FROM links l2 JOIN ctas c2 ON c2.id = l2.cta_id
                  JOIN enrollments e2 ON e2.id = l2.enrollment_id
                 WHERE l2.id = $4 AND l2.brand_id = $1))
        ORDER BY e.created_at, e.id, c.created_at, c.id
        LIMIT $5`,
      [brandId, advocateId, programId ?? null, afterLinkId ?? null, limit + 1],
    );
  }

  listByProgram(
    brandId: string,
    programId: string,
    limit: number,
    after?: CursorPosition,
  ): Promise<EnrollmentRow[]> {
    return this.dataSource.query(
      `SELECT ${ENROLLMENT_COLUMNS} FROM enrollments
        WHERE brand_id = $1 AND program_id = $2
          AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::text))
        ORDER BY created_at DESC, id DESC LIMIT $5`,
      [brandId, programId, after?.k ?? null, after?.id ?? null, limit + 1],
    );
  }
}
