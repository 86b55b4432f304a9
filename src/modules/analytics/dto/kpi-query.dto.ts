import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { DEFAULT_LIMIT, MAX_LIMIT, QueryInt } from '@/common/pagination/pagination';
import {
  BREAKDOWN_DIMENSIONS,
  SORTABLE_KPIS,
  type BreakdownDimension,
  type SortableKpi,
} from '@/modules/analytics/kpi-breakdown.repository';
import {
  HEATMAP_METRICS,
  KPI_INTERVALS,
  type HeatmapMetric,
  type KpiInterval,
} from '@/modules/analytics/kpi-read.repository';

export const KPI_FORMATS = ['json', 'csv'] as const;
export type KpiFormat = (typeof KPI_FORMATS)[number];

export const PERIOD_BOUND_DOC =
  'An ISO 8601 time with its offset (`2026-03-01T00:00:00Z`) or a date (`2026-03-01`, midnight in ' +
  '`timezone`). Rounded outward to whole hours.';

export class KpiPeriodQueryDto {
  @ApiPropertyOptional({
    example: '2026-03-01',
    maxLength: 40,
    description: `Start of the period (inclusive). ${PERIOD_BOUND_DOC} Default: \`to\` minus 30 days.`,
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  from?: string;

  @ApiPropertyOptional({
    example: '2026-04-01',
    maxLength: 40,
    description: `End of the period (exclusive). ${PERIOD_BOUND_DOC} Default: now. At most 731 days after \`from\`.`,
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  to?: string;

  @ApiPropertyOptional({
    example: 'Europe/Paris',
    maxLength: 64,
    default: 'UTC',
    description:
      'IANA time zone for date-only `from`/`to`, time buckets and the heatmap. KPIs are kept per ' +
      'UTC hour: in zones with a half-hour offset (Asia/Kolkata) a bucket holds the hours that ' +
      'start in it, so its edges are off by that half hour.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timezone?: string;

  @ApiPropertyOptional({
    enum: KPI_FORMATS,
    default: 'json',
    description:
      '`csv`: the same rows as CSV (header row, one column per field, dotted names for nested ' +
      "fields; text cells starting with = + - @, a tab or CR prefixed with ' against formula " +
      'injection, numbers never).',
  })
  @IsOptional()
  @IsIn(KPI_FORMATS)
  format?: KpiFormat;
}

export class KpiTimeseriesQueryDto extends KpiPeriodQueryDto {
  @ApiPropertyOptional({
    enum: KPI_INTERVALS,
    default: 'day',
    description:
      'Bucket size in `timezone`: local hours (a period of at most 31 days), days, ISO weeks ' +
      '(Monday), or months.',
  })
  @IsOptional()
  @IsIn(KPI_INTERVALS)
  interval?: KpiInterval;
}

export class KpiHeatmapQueryDto extends KpiPeriodQueryDto {
  @ApiPropertyOptional({
    enum: HEATMAP_METRICS,
    default: 'clicks',
    description: 'Human clicks, or conversions (attributed purchases).',
  })
  @IsOptional()
  @IsIn(HEATMAP_METRICS)
  metric?: HeatmapMetric;
}

export class KpiBreakdownQueryDto extends KpiPeriodQueryDto {
  @ApiPropertyOptional({
    enum: BREAKDOWN_DIMENSIONS,
    default: 'channel',
    description: '`advocate` is the leaderboard.',
  })
  @IsOptional()
  @IsIn(BREAKDOWN_DIMENSIONS)
  by?: BreakdownDimension;

  @ApiPropertyOptional({
    enum: SORTABLE_KPIS,
    default: 'conversions',
    description: 'Any KPI of a row. Rows without a value (a ratio over zero) come last.',
  })
  @IsOptional()
  @IsIn(SORTABLE_KPIS)
  sort?: SortableKpi;

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'desc' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_LIMIT,
    default: DEFAULT_LIMIT,
  })
  @IsOptional()
  @QueryInt(1, MAX_LIMIT)
  limit?: number;

  @ApiPropertyOptional({
    maxLength: 1000,
    description:
      'The `nextCursor` of the previous page (same program, `by`, `sort`, `order`, `from`, `to` and ' +
      '`timezone`; 400 `cursor` otherwise).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  cursor?: string;
}
