import { DataSource } from 'typeorm';
import { newId } from '@/common/ids';
import type { AdvocateStatus } from '@/modules/advocates/advocate.entity';
import type { Channel, CtaStatus } from '@/modules/programs/cta.entity';
import type { ProgramStatus } from '@/modules/programs/program.entity';

/**
 * Rows for tracking tests inserted with SQL, so these tests do not depend on the
 * configuration APIs. Defaults give an active program, an active advocate and one link.
 */
export interface SeedLinkOptions {
  /** Reuse this program (else a new one is created with the program* options). */
  programId?: string;
  programStatus?: ProgramStatus;
  programLandingUrl?: string;
  startsAt?: Date | null;
  endsAt?: Date | null;
  /** Reuse this advocate (else a new one). */
  advocateId?: string;
  advocateStatus?: AdvocateStatus;
  ctaKey?: string;
  channel?: Channel;
  ctaLandingUrl?: string | null;
  ctaStatus?: CtaStatus;
  /** Referral code when a new enrollment is made (stored upper-case). */
  code?: string;
  slug?: string;
}

export interface SeededLink {
  brandId: string;
  programId: string;
  ctaId: string;
  ctaKey: string;
  channel: Channel;
  advocateId: string;
  enrollmentId: string;
  code: string;
  linkId: string;
  slug: string;
}

const SEEDED_PROGRAM_START = new Date('2025-01-01T00:00:00Z');

// Random, so parallel test files never collide on global slugs or per-brand codes.
const unique = () => newId('link').slice(4, 14).toUpperCase();

export async function seedLink(
  dataSource: DataSource,
  brandId: string,
  overrides: SeedLinkOptions = {},
): Promise<SeededLink> {
  const programId = overrides.programId ?? newId('program');
  if (!overrides.programId) {
    await dataSource.query(
      `INSERT INTO programs (id, brand_id, name, status, goal, currency, landing_url, starts_at, ends_at)
       VALUES ($1, $2, $3, $4, 'conversion', 'EUR', $5, $6, $7)`,
      [
        programId,
        brandId,
        `Spring referral ${unique()}`,
        overrides.programStatus ?? 'active',
        overrides.programLandingUrl ?? 'https://shop.example.com/welcome',
        // Running since long before the tests' backdated clicks, shares and events: a program
        // without startsAt starts at its creation.
        'startsAt' in overrides ? overrides.startsAt : SEEDED_PROGRAM_START,
        overrides.endsAt ?? null,
      ],
    );
  }
  const advocateId = overrides.advocateId ?? newId('advocate');
  if (!overrides.advocateId) {
    await dataSource.query(
      `INSERT INTO advocates (id, brand_id, external_id, email, name, status)
       VALUES ($1, $2, $3, $4, 'Anna Berg', $5)`,
      [
        advocateId,
        brandId,
        `cust-${unique()}`,
        `anna.${unique().toLowerCase()}@example.com`,
        overrides.advocateStatus ?? 'active',
      ],
    );
  }
  const ctaId = newId('cta');
  const ctaKey = overrides.ctaKey ?? `ig-story-${unique().toLowerCase()}`;
  const channel = overrides.channel ?? 'instagram';
  await dataSource.query(
    `INSERT INTO ctas (id, brand_id, program_id, key, channel, action, label, value_amount, landing_url,
                       status)
     VALUES ($1, $2, $3, $4, $5, 'purchase', 'Shop with my code', 2500, $6, $7)`,
    [
      ctaId,
      brandId,
      programId,
      ctaKey,
      channel,
      overrides.ctaLandingUrl ?? null,
      overrides.ctaStatus ?? 'active',
    ],
  );
  const existing: { id: string; code: string }[] = await dataSource.query(
    'SELECT id, code FROM enrollments WHERE brand_id = $1 AND program_id = $2 AND advocate_id = $3',
    [brandId, programId, advocateId],
  );
  let enrollmentId = existing[0]?.id;
  let code = existing[0]?.code;
  if (!enrollmentId || !code) {
    enrollmentId = newId('enrollment');
    code = (overrides.code ?? `ANNA${unique()}`).toUpperCase();
    await dataSource.query(
      `INSERT INTO enrollments (id, brand_id, program_id, advocate_id, code) VALUES ($1, $2, $3, $4, $5)`,
      [enrollmentId, brandId, programId, advocateId, code],
    );
  }
  const linkId = newId('link');
  const slug = overrides.slug ?? newId('link').slice(4, 14);
  await dataSource.query(
    `INSERT INTO links (id, brand_id, program_id, cta_id, advocate_id, enrollment_id, slug)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [linkId, brandId, programId, ctaId, advocateId, enrollmentId, slug],
  );
  return {
    brandId,
    programId,
    ctaId,
    ctaKey,
    channel,
    advocateId,
    enrollmentId,
    code,
    linkId,
    slug,
  };
}
