import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { preparedPoolQuery } from '@/database/prepared-query';
import type { AdvocateStatus } from '@/modules/advocates/advocate.entity';
import type { Channel, CtaStatus } from '@/modules/programs/cta.entity';
import type { ProgramStatus } from '@/modules/programs/program.entity';

/** Everything the redirect needs about one link, from one indexed join. */
export interface LinkTarget {
  linkId: string;
  slug: string;
  brandId: string;
  programId: string;
  ctaId: string;
  advocateId: string;
  code: string;
  ctaKey: string;
  channel: Channel;
  /** The CTA's landing URL, else the program's. */
  landingUrl: string;
  ctaStatus: CtaStatus;
  programStatus: ProgramStatus;
  startsAt: Date | null;
  endsAt: Date | null;
  advocateStatus: AdvocateStatus;
}

interface LinkTargetRow {
  link_id: string;
  slug: string;
  brand_id: string;
  program_id: string;
  cta_id: string;
  advocate_id: string;
  code: string;
  cta_key: string;
  channel: Channel;
  landing_url: string;
  cta_status: CtaStatus;
  program_status: ProgramStatus;
  starts_at: Date | null;
  ends_at: Date | null;
  advocate_status: AdvocateStatus;
}

/**
 * The redirect's lookup on a cache miss. Slugs are global (the redirect has no brand), so the
 * join checks that every row belongs to the link's brand.
 */
@Injectable()
export class LinkLookupRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findTargetBySlug(slug: string): Promise<LinkTarget | undefined> {
    // Prepared once per connection: planning the five-table join cost more than running it.
    const pool = (this.dataSource.driver as PostgresDriver).master as Pool;
    const rows = await preparedPoolQuery<LinkTargetRow>(
      pool,
      'tandem_link_target',
      `SELECT l.id AS link_id, l.slug, l.brand_id, l.program_id, l.cta_id, l.advocate_id,
              e.code, c.key AS cta_key, c.channel,
              COALESCE(c.landing_url, p.landing_url) AS landing_url, c.status AS cta_status,
              p.status AS program_status, p.starts_at, p.ends_at, a.status AS advocate_status
         FROM links l
         JOIN enrollments e ON e.id = l.enrollment_id AND e.brand_id = l.brand_id
         JOIN ctas c ON c.id = l.cta_id AND c.brand_id = l.brand_id
         JOIN programs p ON p.id = l.program_id AND p.brand_id = l.brand_id
         JOIN advocates a ON a.id = l.advocate_id AND a.brand_id = l.brand_id
        WHERE l.slug = $1`,
      [slug],
    );
    const r = rows[0];
    if (!r) return undefined;
    return {
      linkId: r.link_id,
      slug: r.slug,
      brandId: r.brand_id,
      programId: r.program_id,
      ctaId: r.cta_id,
      advocateId: r.advocate_id,
      code: r.code,
      ctaKey: r.cta_key,
      channel: r.channel,
      landingUrl: r.landing_url,
      ctaStatus: r.cta_status,
      programStatus: r.program_status,
      startsAt: r.starts_at,
      endsAt: r.ends_at,
      advocateStatus: r.advocate_status,
    };
  }
}
