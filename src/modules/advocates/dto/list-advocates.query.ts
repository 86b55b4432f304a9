import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { anyCase } from '@/common/openapi/schema';
import { PageQueryDto } from '@/common/pagination/pagination';
import {
  ADVOCATE_STATUSES,
  ADVOCATE_TIERS,
  type AdvocateStatus,
  type AdvocateTier,
} from '@/modules/advocates/advocate.entity';
import { TAG_PATTERN, trim } from '@/modules/advocates/dto/advocate-input.dto';
import { SORTABLE_KPIS, type SortableKpi } from '@/modules/analytics/kpi-breakdown.repository';
import { PERIOD_BOUND_DOC } from '@/modules/analytics/dto/kpi-query.dto';

export const FIELD_SORTS = ['createdAt', 'name', 'externalId'] as const;
export type FieldSort = (typeof FIELD_SORTS)[number];
export const ADVOCATE_SORTS = [...FIELD_SORTS, ...SORTABLE_KPIS];
export type AdvocateSort = FieldSort | SortableKpi;

export function isFieldSort(sort: AdvocateSort): sort is FieldSort {
  return (FIELD_SORTS as readonly string[]).includes(sort);
}
export const SORT_ORDERS = ['asc', 'desc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

export class ListAdvocatesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ADVOCATE_STATUSES })
  @IsOptional()
  @IsIn(ADVOCATE_STATUSES)
  status?: AdvocateStatus;

  @ApiPropertyOptional({ enum: ADVOCATE_TIERS })
  @IsOptional()
  @IsIn(ADVOCATE_TIERS)
  tier?: AdvocateTier;

  @ApiPropertyOptional({
    example: 'vip',
    pattern: anyCase(TAG_PATTERN),
    description: 'Advocates carrying this tag (case-insensitive)',
  })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsOptional()
  @Matches(TAG_PATTERN, { message: 'must be a tag (a-z, 0-9, _ and -, at most 50 characters)' })
  tag?: string;

  @ApiPropertyOptional({
    example: 'prg_8Jd0aPq1ZrT6uVw2xY3z',
    maxLength: 100,
    description: 'Advocates enrolled in this program (an unknown program gives an empty list)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  program?: string;

  @ApiPropertyOptional({
    example: 'alice',
    minLength: 1,
    maxLength: 200,
    description: 'Case-insensitive substring of the name, e-mail or externalId',
  })
  @Transform(trim)
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  search?: string;

  @ApiPropertyOptional({
    enum: ADVOCATE_SORTS,
    default: 'createdAt',
    description:
      'Sort key. `name` sorts case-insensitively, advocates without a name as an empty name. ' +
      'Any KPI of the leaderboard (`clicks`, `conversions`, `revenue`, `rewardCost`, a ratio…) ranks ' +
      'the advocates of one program by their KPIs in it: it needs `program`, and takes the KPI ' +
      'period (`from`, `to`, `timezone`; default the last 30 days). Advocates without activity ' +
      'count zero; a ratio over zero has no value and comes last in either order. The figures ' +
      'themselves: `GET /v1/programs/{id}/kpis/breakdown?by=advocate&sort=<kpi>`.',
  })
  @IsOptional()
  @IsIn(ADVOCATE_SORTS)
  sort?: AdvocateSort;

  @ApiPropertyOptional({
    enum: SORT_ORDERS,
    description:
      'Default: `desc` for createdAt (newest first) and KPIs (highest first), `asc` for name and externalId',
  })
  @IsOptional()
  @IsIn(SORT_ORDERS)
  order?: SortOrder;

  @ApiPropertyOptional({
    example: '2026-03-01',
    maxLength: 40,
    description: `Only with a KPI \`sort\`: start of the KPI period (inclusive). ${PERIOD_BOUND_DOC} Default: \`to\` minus 30 days.`,
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  from?: string;

  @ApiPropertyOptional({
    example: '2026-04-01',
    maxLength: 40,
    description: `Only with a KPI \`sort\`: end of the KPI period (exclusive). ${PERIOD_BOUND_DOC} Default: now. At most 731 days after \`from\`.`,
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  to?: string;

  @ApiPropertyOptional({
    example: 'Europe/Paris',
    maxLength: 64,
    default: 'UTC',
    description: 'Only with a KPI `sort`: IANA time zone of date-only `from`/`to`.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timezone?: string;
}
