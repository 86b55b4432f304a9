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

export const ADVOCATE_SORTS = ['createdAt', 'name', 'externalId'] as const;
export type AdvocateSort = (typeof ADVOCATE_SORTS)[number];
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
      "To rank advocates by a KPI (clicks, conversions, revenue…), use a program's leaderboard: " +
      '`GET /v1/programs/{id}/kpis/breakdown?by=advocate&sort=<kpi>` (KPIs are per program and currency).',
  })
  @IsOptional()
  @IsIn(ADVOCATE_SORTS)
  sort?: AdvocateSort;

  @ApiPropertyOptional({
    enum: SORT_ORDERS,
    description: 'Default: `desc` for createdAt (newest first), `asc` for name and externalId',
  })
  @IsOptional()
  @IsIn(SORT_ORDERS)
  order?: SortOrder;
}
