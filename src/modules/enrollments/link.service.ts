import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { APP_CONFIG } from '@/config/config.module';
import { AppConfig } from '@/config/env';
import { newId } from '@/common/ids';
import { EnrollmentRepository } from '@/modules/enrollments/enrollment.repository';
import { generateSlug } from '@/modules/enrollments/referral-code';

const BATCH = 1000;
const MAX_ROUNDS = 10_000;

/** Creates the tracked links of enrollments: one per (enrollment, CTA), slugs globally unique. */
@Injectable()
export class LinkService {
  constructor(
    private readonly enrollments: EnrollmentRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  urlOf(slug: string): string {
    return `${this.config.publicBaseUrl}/r/${slug}`;
  }

  /**
   * Fills every missing link of the program (optionally of one enrollment or one CTA), in
   * batches inside the caller's transaction. A slug collision just leaves the pair missing,
   * and the next round gives it a new slug.
   */
  async ensureLinks(
    em: EntityManager,
    brandId: string,
    programId: string,
    filter: { enrollmentId?: string; ctaId?: string } = {},
  ): Promise<number> {
    let created = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const missing = await this.enrollments.missingLinks(em, brandId, programId, BATCH, filter);
      if (missing.length === 0) return created;
      created += await this.enrollments.insertLinks(
        em,
        brandId,
        programId,
        missing.map((m) => ({ ...m, id: newId('link'), slug: generateSlug() })),
      );
    }
    throw new Error('could not allocate link slugs');
  }

  /** Called when a CTA is added: advocates already enrolled get a link for it at once. */
  ensureLinksForCta(
    em: EntityManager,
    brandId: string,
    programId: string,
    ctaId: string,
  ): Promise<number> {
    return this.ensureLinks(em, brandId, programId, { ctaId });
  }
}
