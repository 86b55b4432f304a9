import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { LinkService } from '@/modules/enrollments/link.service';
import { LinkCache } from '@/modules/tracking/link-cache';

/**
 * What other modules must do when CTAs and programs change, kept out of the programs services:
 * - a new CTA gets its tracked links for advocates already enrolled, inside the CTA's own
 *   transaction (a CTA never exists without them);
 * - a changed program or CTA (landing URL, status) drops the redirect cache entries of the
 *   program after commit; other instances catch up within the cache's TTL.
 */
@Injectable()
export class CtaLifecycle {
  private readonly logger = new Logger(CtaLifecycle.name);

  constructor(
    private readonly links: LinkService,
    private readonly linkCache: LinkCache,
  ) {}

  /** Called right after a CTA insert, inside the same transaction (`em`). */
  async afterCtaCreated(
    em: EntityManager,
    brandId: string,
    programId: string,
    ctaId: string,
  ): Promise<void> {
    await this.links.ensureLinksForCta(em, brandId, programId, ctaId);
  }

  /** Called after a program PATCH or a CTA PATCH has committed. Must not throw. */
  afterProgramOrCtaChanged(_brandId: string, programId: string): void {
    try {
      this.linkCache.invalidateProgram(programId);
    } catch (err) {
      this.logger.warn({ err, programId }, 'could not invalidate the redirect cache');
    }
  }
}
