import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppError } from '@/common/errors/app-error';
import { newId } from '@/common/ids';
import { decodeCursor, DEFAULT_LIMIT, Page, toPage } from '@/common/pagination/pagination';
import {
  EnrollmentRepository,
  EnrollmentRow,
  LinkRow,
} from '@/modules/enrollments/enrollment.repository';
import { LinkService } from '@/modules/enrollments/link.service';
import { generateCode } from '@/modules/enrollments/referral-code';
import { EnrollmentDto, LinkDto } from '@/modules/enrollments/dto/enrollment.dto';

const CODE_ATTEMPTS = 8;

@Injectable()
export class EnrollmentService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly enrollments: EnrollmentRepository,
    private readonly links: LinkService,
  ) {}

  /**
   * Enrolls an advocate in a program: a referral code and one tracked link per CTA, in one
   * transaction. Enrolling again returns the same enrollment (and fills links of CTAs added
   * since); concurrent requests for the same pair agree through the unique constraint.
   */
  async enroll(
    brandId: string,
    programId: string,
    advocateId: string,
    vanityCode?: string,
  ): Promise<{ enrollment: EnrollmentDto; created: boolean }> {
    const program = await this.enrollments.findProgram(brandId, programId);
    if (!program) throw AppError.notFound('Program');
    if (program.status === 'ended') {
      throw new AppError('conflict', 'The program has ended; nobody can join it', [
        { field: 'programId', issue: 'program has ended' },
      ]);
    }
    const advocate = await this.enrollments.findAdvocate(brandId, advocateId);
    if (!advocate) {
      throw new AppError('not_found', 'Advocate not found', [
        { field: 'advocateId', issue: 'not found' },
      ]);
    }
    if (advocate.status === 'banned') {
      throw new AppError('unprocessable', 'A banned advocate cannot be enrolled', [
        { field: 'advocateId', issue: 'advocate is banned' },
      ]);
    }

    return this.dataSource.transaction(async (em) => {
      const existing = await this.enrollments.findByProgramAndAdvocate(
        brandId,
        programId,
        advocateId,
        em,
      );
      if (existing)
        return { enrollment: await this.reuse(em, brandId, existing, vanityCode), created: false };

      for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
        const code = vanityCode ?? generateCode();
        const inserted = await this.enrollments.tryInsert(em, {
          id: newId('enrollment'),
          brandId,
          programId,
          advocateId,
          code,
          vanity: vanityCode !== undefined,
        });
        if (inserted) {
          await this.links.ensureLinks(em, brandId, programId, { enrollmentId: inserted.id });
          return { enrollment: await this.toDto(em, brandId, inserted), created: true };
        }
        // Nothing inserted: either a concurrent request enrolled the same pair, or the code is taken.
        const raced = await this.enrollments.findByProgramAndAdvocate(
          brandId,
          programId,
          advocateId,
          em,
        );
        if (raced)
          return { enrollment: await this.reuse(em, brandId, raced, vanityCode), created: false };
        if (vanityCode !== undefined) {
          throw new AppError('code_taken', `The code ${vanityCode} is already used in this brand`, [
            { field: 'code', issue: 'is already taken' },
          ]);
        }
      }
      throw new Error('could not allocate a unique referral code');
    });
  }

  async list(
    brandId: string,
    programId: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<EnrollmentDto>> {
    if (!(await this.enrollments.findProgram(brandId, programId)))
      throw AppError.notFound('Program');
    const list = { list: 'enrollments', brandId, programId };
    const rows = await this.enrollments.listByProgram(
      brandId,
      programId,
      limit,
      decodeCursor(cursor, 'timestamp', list),
    );
    const page = toPage(
      rows,
      limit,
      (r) => ({ k: r.cursorAt, id: r.id }),
      (r) => r,
      list,
    );
    const data = await Promise.all(
      page.data.map((r) => this.toDto(this.dataSource.manager, brandId, r)),
    );
    return { data, nextCursor: page.nextCursor };
  }

  /** A page of the advocate's links (see EnrollmentRepository.linksOfAdvocate for the order). */
  async linksOfAdvocate(
    brandId: string,
    advocateId: string,
    query: { programId?: string; limit?: number; cursor?: string },
  ): Promise<Page<LinkRow>> {
    const list = { list: 'advocate-links', brandId, advocateId, programId: query.programId };
    const after = decodeCursor(query.cursor, 'text', list);
    if (!(await this.enrollments.findAdvocate(brandId, advocateId)))
      throw AppError.notFound('Advocate');
    const limit = query.limit ?? DEFAULT_LIMIT;
    const rows = await this.enrollments.linksOfAdvocate(
      brandId,
      advocateId,
      query.programId,
      limit,
      after?.id,
    );
    return toPage(
      rows,
      limit,
      (r) => ({ k: r.id, id: r.id }),
      (r) => r,
      list,
    );
  }

  toLinkDto(link: LinkRow): LinkDto {
    return {
      id: link.id,
      programId: link.programId,
      ctaId: link.ctaId,
      ctaKey: link.ctaKey,
      ctaStatus: link.ctaStatus,
      channel: link.channel,
      code: link.code,
      slug: link.slug,
      url: this.links.urlOf(link.slug),
      createdAt: new Date(link.createdAt).toISOString(),
    };
  }

  private async reuse(
    em: EntityManager,
    brandId: string,
    existing: EnrollmentRow,
    vanityCode: string | undefined,
  ): Promise<EnrollmentDto> {
    if (vanityCode !== undefined && vanityCode !== existing.code) {
      throw new AppError(
        'conflict',
        `The advocate is already enrolled with the code ${existing.code}`,
        [{ field: 'code', issue: 'advocate is already enrolled with another code' }],
      );
    }
    await this.links.ensureLinks(em, brandId, existing.programId, { enrollmentId: existing.id });
    return this.toDto(em, brandId, existing);
  }

  private async toDto(
    em: EntityManager,
    brandId: string,
    e: EnrollmentRow,
  ): Promise<EnrollmentDto> {
    const links = await this.enrollments.linksOfEnrollment(brandId, e.id, em);
    return {
      id: e.id,
      programId: e.programId,
      advocateId: e.advocateId,
      code: e.code,
      vanity: e.vanity,
      // An archived CTA's link still exists (it comes back with the CTA) but is not handed out.
      links: links.filter((l) => l.ctaStatus === 'active').map((l) => this.toLinkDto(l)),
      createdAt: new Date(e.createdAt).toISOString(),
    };
  }
}
