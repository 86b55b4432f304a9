import { Injectable } from '@nestjs/common';
import { LinkCache } from '@/modules/tracking/link-cache';
import { normalizeEmail } from '@/common/email/normalize-email';
import { AppError } from '@/common/errors/app-error';
import { looksLikeId, newId } from '@/common/ids';
import {
  CursorPosition,
  decodeCursor,
  isPostgresTimestamp,
  Page,
  toPage,
} from '@/common/pagination/pagination';
import { isUniqueViolation } from '@/database/transaction';
import { AdvocateEntity } from '@/modules/advocates/advocate.entity';
import {
  AdvocateChanges,
  AdvocateFilters,
  AdvocateRepository,
} from '@/modules/advocates/advocate.repository';
import { AdvocateDto, toAdvocateDto } from '@/modules/advocates/dto/advocate.dto';
import {
  CreateAdvocateDto,
  toSocialProfiles,
  UpdateAdvocateDto,
} from '@/modules/advocates/dto/advocate-input.dto';
import {
  type AdvocateSort,
  type FieldSort,
  isFieldSort,
  type SortOrder,
} from '@/modules/advocates/dto/list-advocates.query';
import type { SortableKpi } from '@/modules/analytics/kpi-breakdown.repository';
import { KpiFoldRepository } from '@/modules/analytics/kpi-fold.repository';
import { KpiPeriodResolver, PeriodInput } from '@/modules/analytics/kpi-period.resolver';

export const EXTERNAL_ID_CONSTRAINT = 'advocates_brand_external_id_key';

export function externalIdTaken(): AppError {
  return new AppError('conflict', 'Another advocate of this brand already has this externalId', [
    { field: 'externalId', issue: 'already exists' },
  ]);
}

export interface AdvocateListQuery extends AdvocateFilters, PeriodInput {
  sort?: AdvocateSort;
  order?: SortOrder;
}

@Injectable()
export class AdvocateService {
  constructor(
    private readonly advocates: AdvocateRepository,
    private readonly linkCache: LinkCache,
    private readonly periods: KpiPeriodResolver,
    private readonly folds: KpiFoldRepository,
  ) {}

  async create(brandId: string, dto: CreateAdvocateDto): Promise<AdvocateDto> {
    const email = dto.email ?? null;
    try {
      const advocate = await this.advocates.insert(brandId, newId('advocate'), {
        externalId: dto.externalId,
        email,
        emailNormalized: email === null ? null : normalizeEmail(email),
        name: dto.name ?? null,
        tier: dto.tier ?? 'customer',
        socialProfiles: toSocialProfiles(dto.socialProfiles ?? []),
        tags: dto.tags ?? [],
        status: dto.status ?? 'active',
      });
      return toAdvocateDto(advocate);
    } catch (err) {
      if (isUniqueViolation(err, EXTERNAL_ID_CONSTRAINT)) throw externalIdTaken();
      throw err;
    }
  }

  /** For other modules: the brand's advocate, or 404 (also for another brand's advocate). */
  async getForBrand(brandId: string, advocateId: string): Promise<AdvocateEntity> {
    const advocate = looksLikeId('advocate', advocateId)
      ? await this.advocates.findByIdForBrand(brandId, advocateId)
      : null;
    if (!advocate) throw AppError.notFound('Advocate');
    return advocate;
  }

  async get(brandId: string, advocateId: string): Promise<AdvocateDto> {
    return toAdvocateDto(await this.getForBrand(brandId, advocateId));
  }

  async update(brandId: string, advocateId: string, dto: UpdateAdvocateDto): Promise<AdvocateDto> {
    if (!looksLikeId('advocate', advocateId)) throw AppError.notFound('Advocate');
    const changes: AdvocateChanges = {
      externalId: dto.externalId,
      name: dto.name,
      tier: dto.tier,
      socialProfiles: dto.socialProfiles && toSocialProfiles(dto.socialProfiles),
      tags: dto.tags,
      status: dto.status,
    };
    if (dto.email !== undefined) {
      changes.email = dto.email;
      changes.emailNormalized = dto.email === null ? null : normalizeEmail(dto.email);
    }
    try {
      const advocate = await this.advocates.updateForBrand(brandId, advocateId, changes);
      if (!advocate) throw AppError.notFound('Advocate');
      // A paused or banned advocate's links must stop tracking at once.
      this.linkCache.invalidateAdvocate(advocateId);
      return toAdvocateDto(advocate);
    } catch (err) {
      if (isUniqueViolation(err, EXTERNAL_ID_CONSTRAINT)) throw externalIdTaken();
      throw err;
    }
  }

  async list(
    brandId: string,
    query: AdvocateListQuery,
    limit: number,
    cursor?: string,
  ): Promise<Page<AdvocateDto>> {
    const sort = query.sort ?? 'createdAt';
    if (!isFieldSort(sort)) return this.listByKpi(brandId, query, sort, limit, cursor);
    for (const field of ['from', 'to', 'timezone'] as const) {
      if (query[field] !== undefined)
        throw AppError.field(field, 'applies only when sort is a KPI');
    }
    const order = query.order ?? (sort === 'createdAt' ? 'desc' : 'asc');
    // The cursor names its order, so a cursor of another sort is refused instead of misread.
    const prefix = `${sort}.${order}:`;
    // Filters too: a cursor of other filters would skip or repeat advocates.
    const list = { list: 'advocates', brandId, ...query, sort, order };
    const after = afterPosition(decodeCursor(cursor, 'text', list), prefix, sort);
    const rows = await this.advocates.listByBrand(brandId, query, sort, order, limit, after);
    return toPage(
      rows,
      limit,
      (r) => ({ k: prefix + r.sortKey, id: r.advocate.id }),
      (r) => toAdvocateDto(r.advocate),
      list,
    );
  }

  /** The advocates of one program ranked by a KPI in it (see AdvocateRepository.listByKpi). */
  private async listByKpi(
    brandId: string,
    query: AdvocateListQuery,
    kpi: SortableKpi,
    limit: number,
    cursor?: string,
  ): Promise<Page<AdvocateDto>> {
    const programId = query.programId;
    if (programId === undefined) {
      throw AppError.field('program', 'is required when sort is a KPI (KPIs are kept per program)');
    }
    const order = query.order ?? 'desc';
    const prefix = `${kpi}.${order}:`;
    // The period as sent, not as resolved: a default period's end moves with the clock.
    const list = { list: 'advocates', brandId, ...query, sort: kpi, order };
    const after = kpiPosition(decodeCursor(cursor, 'text', list), prefix);
    const period = await this.periods.resolve(query);
    // Events recorded just before the read count, as in every KPI read.
    await this.folds.foldBrand(brandId);
    const rows = await this.advocates.listByKpi(
      brandId,
      { ...query, programId },
      period,
      kpi,
      order,
      limit,
      after,
    );
    return toPage(
      rows,
      limit,
      (r) => ({ k: prefix + (r.sortKey ?? ''), id: r.advocate.id }),
      (r) => toAdvocateDto(r.advocate),
      list,
    );
  }
}

// A KPI's exact value as PostgreSQL writes a numeric; an empty key is "no value".
const KPI_KEY = /^(-?\d+(\.\d+)?)?$/;

function kpiPosition(
  position: CursorPosition | undefined,
  prefix: string,
): { value: string | null; id: string } | undefined {
  if (!position) return undefined;
  const key =
    typeof position.k === 'string' && position.k.startsWith(prefix)
      ? position.k.slice(prefix.length)
      : undefined;
  if (key === undefined || !KPI_KEY.test(key)) {
    throw AppError.field('cursor', 'does not belong to this sort order');
  }
  return { value: key === '' ? null : key, id: position.id };
}

const CREATED_AT_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

function afterPosition(
  position: CursorPosition | undefined,
  prefix: string,
  sort: FieldSort,
): CursorPosition | undefined {
  if (!position) return undefined;
  const k = typeof position.k === 'string' && position.k.startsWith(prefix) ? position.k : null;
  const key = k?.slice(prefix.length);
  if (
    key === undefined ||
    (sort === 'createdAt' && (!CREATED_AT_KEY.test(key) || !isPostgresTimestamp(key)))
  ) {
    throw AppError.field('cursor', 'does not belong to this sort order');
  }
  return { k: key, id: position.id };
}
