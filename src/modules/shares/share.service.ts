import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError, ErrorDetail } from '@/common/errors/app-error';
import { looksLikeId, newId } from '@/common/ids';
import { KpiRollupRepository } from '@/modules/analytics/kpi-rollup.repository';
import { programStart } from '@/modules/attribution/attribution';
import { decodeCursor, Page, toPage } from '@/common/pagination/pagination';
import { CreateShareDto } from '@/modules/shares/dto/create-share.dto';
import { ListSharesQueryDto } from '@/modules/shares/dto/list-shares.dto';
import { ShareDto, toShareDto } from '@/modules/shares/dto/share.dto';
import {
  CtaRef,
  ShareEnrollment,
  ShareRepository,
  ShareRow,
} from '@/modules/shares/share.repository';

// Widgets' clocks drift; a share a little ahead of ours is fine, one from the future is not.
const MAX_FUTURE_MS = 5 * 60_000;
// No referral program shared anything before this: an earlier time is a widget's bug (epoch 0).
const EARLIEST_SHARE = new Date('2000-01-01T00:00:00Z');

@Injectable()
export class ShareService {
  constructor(
    private readonly shares: ShareRepository,
    private readonly dataSource: DataSource,
    private readonly kpis: KpiRollupRepository,
  ) {}

  async create(brandId: string, dto: CreateShareDto): Promise<ShareDto> {
    const now = new Date();
    const sharedAt = this.checkShape(dto, now);
    const enrollment = await this.resolveEnrollment(brandId, dto);
    checkRecordable(enrollment, dto, sharedAt);
    const { programId, advocateId } = enrollment;
    const cta = await this.resolveCta(brandId, programId, dto);
    const share = await this.dataSource.transaction(async (em) => {
      const row = await this.shares.insert(
        brandId,
        {
          id: newId('share'),
          programId,
          advocateId,
          ctaId: cta.id,
          channel: cta.channel,
          postUrl: dto.postUrl ?? null,
          reach: dto.reach ?? null,
          impressions: dto.impressions ?? null,
          sharedAt,
        },
        em,
      );
      // KPI rollups (analytics), committed with the share.
      await this.kpis.addShare(em, brandId, row.id);
      return row;
    });
    return toShareDto(share);
  }

  async list(brandId: string, query: ListSharesQueryDto, limit: number): Promise<Page<ShareDto>> {
    const filters = { programId: query.programId, advocateId: query.advocateId };
    const list = { list: 'shares', brandId, ...filters };
    const after = decodeCursor(query.cursor, 'timestamp', list);
    if (query.programId !== undefined && !(await this.programExists(brandId, query.programId)))
      throw AppError.notFound('Program', 'programId');
    if (query.advocateId !== undefined && !(await this.advocateExists(brandId, query.advocateId)))
      throw AppError.notFound('Advocate', 'advocateId');
    const rows = await this.shares.listByBrand(brandId, filters, limit, after);
    return toPage(rows, limit, (s: ShareRow) => ({ k: s.cursorAt, id: s.id }), toShareDto, list);
  }

  /** Field rules class-validator cannot express; all problems reported at once. */
  private checkShape(dto: CreateShareDto, now: Date): Date {
    const details: ErrorDetail[] = [];
    if (dto.advocateId === undefined && dto.code === undefined)
      details.push({ field: 'advocateId', issue: 'advocateId or code is required' });
    if (dto.advocateId !== undefined && dto.code !== undefined)
      details.push({ field: 'code', issue: 'send either advocateId or code, not both' });
    if (dto.advocateId !== undefined && dto.programId === undefined)
      details.push({ field: 'programId', issue: 'is required with advocateId' });
    if (dto.ctaKey === undefined && dto.channel === undefined)
      details.push({ field: 'ctaKey', issue: 'ctaKey or channel is required' });
    if (dto.ctaKey !== undefined && dto.channel !== undefined)
      details.push({ field: 'channel', issue: 'send either ctaKey or channel, not both' });
    const sharedAt = dto.sharedAt !== undefined ? new Date(dto.sharedAt) : now;
    if (Number.isNaN(sharedAt.getTime()))
      details.push({ field: 'sharedAt', issue: 'must be a valid ISO 8601 date' });
    else if (sharedAt.getTime() > now.getTime() + MAX_FUTURE_MS)
      details.push({ field: 'sharedAt', issue: 'must not be in the future' });
    else if (sharedAt < EARLIEST_SHARE)
      details.push({ field: 'sharedAt', issue: 'must not be before 2000-01-01' });
    if (details.length > 0) throw AppError.validation(details);
    return sharedAt;
  }

  /** Another brand's advocate, program or code answers 404, exactly like a missing one. */
  private async resolveEnrollment(brandId: string, dto: CreateShareDto): Promise<ShareEnrollment> {
    if (dto.code !== undefined) {
      const enrollment = await this.shares.findEnrollment(brandId, {
        code: dto.code.toUpperCase(),
      });
      if (!enrollment) throw AppError.notFound('Referral code', 'code');
      if (dto.programId !== undefined && dto.programId !== enrollment.programId) {
        if (!(await this.programExists(brandId, dto.programId)))
          throw AppError.notFound('Program', 'programId');
        throw new AppError('unprocessable', 'The code belongs to another program', [
          { field: 'code', issue: `is not a code of program ${dto.programId}` },
        ]);
      }
      return enrollment;
    }
    const advocateId = dto.advocateId!;
    const programId = dto.programId!;
    if (!(await this.advocateExists(brandId, advocateId)))
      throw AppError.notFound('Advocate', 'advocateId');
    if (!(await this.programExists(brandId, programId)))
      throw AppError.notFound('Program', 'programId');
    const enrollment = await this.shares.findEnrollment(brandId, { programId, advocateId });
    if (!enrollment) {
      throw new AppError('unprocessable', 'The advocate is not enrolled in this program', [
        { field: 'advocateId', issue: `is not enrolled in program ${programId}` },
      ]);
    }
    return enrollment;
  }

  private async resolveCta(
    brandId: string,
    programId: string,
    dto: CreateShareDto,
  ): Promise<CtaRef> {
    if (dto.ctaKey !== undefined) {
      const cta = await this.shares.findCtaByKey(brandId, programId, dto.ctaKey);
      if (!cta)
        throw new AppError('unprocessable', 'No CTA of this program has that key', [
          { field: 'ctaKey', issue: `is not a CTA of program ${programId}` },
        ]);
      // As its links: an archived CTA counts nothing new.
      if (cta.status !== 'active')
        throw new AppError('unprocessable', 'This CTA is archived', [
          {
            field: 'ctaKey',
            issue: `CTA ${cta.key} is archived: shares are recorded while it is active`,
          },
        ]);
      return cta;
    }
    const channel = dto.channel!;
    const ctas = await this.shares.findCtasByChannel(brandId, programId, channel);
    if (ctas.length === 0)
      throw new AppError('unprocessable', 'No CTA of this program uses that channel', [
        { field: 'channel', issue: `no active CTA of program ${programId} uses ${channel}` },
      ]);
    if (ctas.length > 1)
      throw new AppError('unprocessable', 'Several CTAs of this program use that channel', [
        {
          field: 'channel',
          issue: `is ambiguous: CTAs ${ctas.map((c) => c.key).join(', ')} use ${channel}; send ctaKey`,
        },
      ]);
    return ctas[0]!;
  }

  // Ids that cannot exist skip the query (and answer the same 404).
  private async advocateExists(brandId: string, id: string): Promise<boolean> {
    return looksLikeId('advocate', id) && this.shares.advocateExists(brandId, id);
  }

  private async programExists(brandId: string, id: string): Promise<boolean> {
    return looksLikeId('program', id) && this.shares.programExists(brandId, id);
  }
}

/**
 * A share counts where a click would: the redirect tracks nothing for a paused or banned
 * advocate, a program that is not active, or outside the program's schedule (422, all reasons
 * at once, on the field the request named them by).
 */
function checkRecordable(e: ShareEnrollment, dto: CreateShareDto, sharedAt: Date): void {
  const details: ErrorDetail[] = [];
  if (e.advocateStatus === 'paused' || e.advocateStatus === 'banned') {
    details.push({
      field: dto.code !== undefined ? 'code' : 'advocateId',
      issue: `advocate ${e.advocateId} is ${e.advocateStatus}: their shares are not recorded`,
    });
  }
  if (e.programStatus !== 'active') {
    details.push({
      field: dto.code !== undefined ? 'code' : 'programId',
      issue: `program ${e.programId} is ${e.programStatus}: shares are recorded while it is active`,
    });
  }
  // As events: a program without startsAt starts when it was created.
  const start = programStart({ startsAt: e.startsAt, createdAt: e.programCreatedAt });
  if (sharedAt < start)
    details.push({
      field: 'sharedAt',
      issue: `is before program ${e.programId} starts (${start.toISOString()})`,
    });
  if (e.endsAt !== null && sharedAt >= e.endsAt)
    details.push({
      field: 'sharedAt',
      issue: `is at or after the end of program ${e.programId} (${e.endsAt.toISOString()})`,
    });
  if (details.length > 0)
    throw new AppError('unprocessable', 'This share cannot be recorded', details);
}
