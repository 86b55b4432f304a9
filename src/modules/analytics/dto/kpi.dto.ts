import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { INT64, INTEGER, MONEY } from '@/common/openapi/schema';
import { BREAKDOWN_DIMENSIONS, SORTABLE_KPIS } from '@/modules/analytics/kpi-breakdown.repository';
import { HEATMAP_METRICS, KPI_INTERVALS } from '@/modules/analytics/kpi-read.repository';
import { CHANNELS } from '@/modules/programs/cta.entity';
import { PROGRAM_GOALS, PROGRAM_STATUSES } from '@/modules/programs/program.entity';
import type { KpiValues } from '@/modules/analytics/kpi-math';

const MONEY_DOC = (what: string) =>
  `${what}: integer minor units of \`currency\` (the program currency).`;
const RATIO = (what: string) => `${what}; rounded to 6 decimals; null when dividing by zero.`;

/** Every KPI of a row; the README's "KPIs" section defines each with its formula. */
export class KpiValuesDto implements KpiValues {
  @ApiProperty({
    ...INTEGER,
    example: 4210,
    description: 'Clicks on tracked links, bots excluded.',
  })
  clicks: number;

  @ApiProperty({
    ...INTEGER,
    example: 37,
    description: 'Clicks flagged as bots (stored, never counted).',
  })
  botClicks: number;

  @ApiProperty({
    ...INTEGER,
    example: 3120,
    description:
      'Unique visitors: per UTC day, the distinct visitors (bots excluded) of the row, summed over the days.',
  })
  reach: number;

  @ApiProperty({ ...INTEGER, example: 180, description: 'Shares reported by the widget.' })
  shares: number;

  @ApiProperty({ ...INT64, example: 52000, description: 'Σ reach reported with the shares.' })
  reportedReach: number;

  @ApiProperty({ ...INT64, example: 81000, description: 'Σ impressions reported with the shares.' })
  impressions: number;

  @ApiProperty({
    nullable: true,
    type: Number,
    example: 0.051975,
    description: RATIO('clicks / impressions'),
  })
  ctr: number | null;

  @ApiProperty({ ...INTEGER, example: 95, description: 'Attributed signup events.' })
  signups: number;

  @ApiProperty({ ...INTEGER, example: 61, description: 'Attributed purchases.' })
  conversions: number;

  @ApiProperty({
    nullable: true,
    type: Number,
    example: 0.019551,
    description: RATIO('conversions / reach'),
  })
  conversionRate: number | null;

  @ApiProperty({ ...MONEY, example: 786900, description: MONEY_DOC('Attributed order amounts') })
  grossRevenue: number;

  @ApiProperty({ ...MONEY, example: 12900, description: MONEY_DOC('Refunded on those orders') })
  refunds: number;

  @ApiProperty({ ...MONEY, example: 774000, description: MONEY_DOC('grossRevenue − refunds') })
  revenue: number;

  @ApiProperty({
    ...MONEY,
    example: 61000,
    description: MONEY_DOC(
      'Pending, approved and paid rewards of the conversions, net of reversals and clawbacks',
    ),
  })
  rewardCost: number;

  @ApiProperty({
    nullable: true,
    ...MONEY,
    example: 25000,
    description: MONEY_DOC(
      "The program cost's share of the period; null in breakdowns (not split by channel, CTA or advocate)",
    ),
  })
  programCost: number | null;

  @ApiProperty({
    nullable: true,
    type: Number,
    example: 7.997674,
    description: RATIO('(revenue − rewardCost − programCost) / (rewardCost + programCost)'),
  })
  roi: number | null;

  @ApiProperty({
    nullable: true,
    ...MONEY,
    example: 1410,
    description: MONEY_DOC(
      '(rewardCost + programCost) / conversions, rounded; null without conversions',
    ),
  })
  costPerAcquisition: number | null;

  @ApiProperty({
    nullable: true,
    ...MONEY,
    example: 12689,
    description: MONEY_DOC('revenue / conversions, rounded; null without conversions'),
  })
  averageOrderValue: number | null;

  @ApiProperty({
    ...INTEGER,
    example: 48,
    description: 'Referred customers new to the brand whose first attributed purchase fell here.',
  })
  newCustomers: number;

  @ApiProperty({
    ...INTEGER,
    example: 40,
    description: 'Advocates who shared or were clicked (humans).',
  })
  activeAdvocates: number;

  @ApiProperty({
    nullable: true,
    type: Number,
    example: 1.2,
    description: RATIO('newCustomers / activeAdvocates'),
  })
  kFactor: number | null;

  @ApiProperty({
    ...INTEGER,
    example: 95,
    description: 'Attributed completions of non-purchase CTAs (signups, custom events).',
  })
  ctaCompletions: number;

  @ApiProperty({
    ...MONEY,
    example: 47500,
    description: MONEY_DOC("Σ each completion's CTA value"),
  })
  ctaValue: number;

  @ApiProperty({
    nullable: true,
    type: Number,
    example: 0.338889,
    description: RATIO('conversions / shares: the "influence" of a sharer'),
  })
  conversionsPerShare: number | null;

  @ApiProperty({
    nullable: true,
    type: Number,
    example: 0.014489,
    description: RATIO('conversions / clicks'),
  })
  conversionsPerClick: number | null;
}

export class GoalWeightsDto {
  @ApiProperty({ example: 0.1 })
  reach: number;

  @ApiProperty({ example: 0.2 })
  sharing: number;

  @ApiProperty({ example: 0.7 })
  conversion: number;
}

export class GoalScoreDto {
  @ApiProperty({ example: 62.4, description: '0–100: the weighted mean of the components × 100.' })
  score: number;

  @ApiProperty({ example: 0.9, description: 'reach per active advocate r: r / (r + 10).' })
  reach: number;

  @ApiProperty({ example: 0.33, description: 'active advocates / enrolled advocates.' })
  sharing: number;

  @ApiProperty({
    example: 0.89,
    description: '(revenue + ctaValue) / (revenue + ctaValue + rewardCost + programCost).',
  })
  conversion: number;

  @ApiProperty({
    type: GoalWeightsDto,
    description: "The program's kpiWeights, else the goal's defaults, scaled to a sum of 1.",
  })
  weights: GoalWeightsDto;
}

export class ProgramKpisDto extends KpiValuesDto {
  @ApiProperty({ example: 'prg_8Hk2LmN4pQ6rS8tU0vWx' })
  programId: string;

  @ApiProperty({ example: 'Spring referral' })
  name: string;

  @ApiProperty({ enum: PROGRAM_GOALS })
  goal: string;

  @ApiProperty({ enum: PROGRAM_STATUSES })
  status: string;

  @ApiProperty({ example: 'USD', description: 'Currency of every money KPI.' })
  currency: string;

  @ApiProperty({ format: 'date-time', description: 'Start of the period (whole hour).' })
  from: string;

  @ApiProperty({ format: 'date-time', description: 'End of the period, exclusive.' })
  to: string;

  @ApiProperty({ ...INTEGER, example: 120, description: 'Advocates enrolled before `to`.' })
  enrolledAdvocates: number;

  @ApiProperty({ type: GoalScoreDto })
  goalScore: GoalScoreDto;
}

export class BrandKpisDto {
  @ApiProperty({ format: 'date-time' })
  from: string;

  @ApiProperty({ format: 'date-time' })
  to: string;

  @ApiProperty({ type: [ProgramKpisDto], description: 'Every program of the brand, oldest first.' })
  data: ProgramKpisDto[];
}

export class KpiSeriesPointDto extends KpiValuesDto {
  @ApiProperty({
    example: '2026-03-02',
    description:
      "Local date of the bucket's first day; with interval=hour, the local date and hour " +
      '(2026-03-02T14:00).',
  })
  date: string;

  @ApiProperty({ format: 'date-time', description: 'Start of the bucket (cut to the period).' })
  start: string;

  @ApiProperty({ format: 'date-time', description: 'End of the bucket (cut to the period).' })
  end: string;

  @ApiProperty({ ...INTEGER, example: 120 })
  enrolledAdvocates: number;

  @ApiProperty({ type: GoalScoreDto })
  goalScore: GoalScoreDto;
}

export class KpiTimeseriesDto {
  @ApiProperty()
  programId: string;

  @ApiProperty({ example: 'USD' })
  currency: string;

  @ApiProperty({ enum: KPI_INTERVALS })
  interval: string;

  @ApiProperty({ example: 'Europe/Paris' })
  timezone: string;

  @ApiProperty({ format: 'date-time' })
  from: string;

  @ApiProperty({ format: 'date-time' })
  to: string;

  @ApiProperty({ type: [KpiSeriesPointDto], description: 'Every bucket, zeros included.' })
  data: KpiSeriesPointDto[];
}

export class KpiBreakdownRowDto extends KpiValuesDto {
  @ApiProperty({ ...INTEGER, example: 1, description: 'Position in this sort (1 = first).' })
  rank: number;

  @ApiPropertyOptional({
    enum: CHANNELS,
    nullable: true,
    description: '`by=channel` (and `cta`): null for conversions through a code without a CTA.',
  })
  channel?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, description: '`by=cta`' })
  ctaId?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, example: 'ig-story' })
  ctaKey?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  ctaLabel?: string | null;

  @ApiPropertyOptional({ type: String, description: '`by=advocate`' })
  advocateId?: string;

  @ApiPropertyOptional({ nullable: true, type: String })
  externalId?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  advocateName?: string | null;
}

export class KpiBreakdownDto {
  @ApiProperty()
  programId: string;

  @ApiProperty({ enum: BREAKDOWN_DIMENSIONS })
  by: string;

  @ApiProperty({ enum: SORTABLE_KPIS, example: 'conversions' })
  sort: string;

  @ApiProperty({ enum: ['asc', 'desc'] })
  order: string;

  @ApiProperty({ example: 'USD' })
  currency: string;

  @ApiProperty({ format: 'date-time' })
  from: string;

  @ApiProperty({ format: 'date-time' })
  to: string;

  @ApiProperty({ type: [KpiBreakdownRowDto] })
  data: KpiBreakdownRowDto[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor: string | null;
}

export class HeatmapCellDto {
  @ApiProperty({
    ...INTEGER,
    minimum: 1,
    maximum: 7,
    example: 1,
    description: 'ISO weekday in `timezone`: 1 = Monday … 7 = Sunday.',
  })
  weekday: number;

  @ApiProperty({
    ...INTEGER,
    minimum: 0,
    maximum: 23,
    example: 20,
    description: 'Local hour 0–23.',
  })
  hour: number;

  @ApiProperty({ ...INTEGER, example: 312, description: 'Clicks or conversions (`metric`).' })
  value: number;
}

export class KpiHeatmapDto {
  @ApiProperty()
  programId: string;

  @ApiProperty({ enum: HEATMAP_METRICS })
  metric: string;

  @ApiProperty({ example: 'Europe/Paris' })
  timezone: string;

  @ApiProperty({ format: 'date-time' })
  from: string;

  @ApiProperty({ format: 'date-time' })
  to: string;

  @ApiProperty({ type: [HeatmapCellDto], description: 'All 168 cells, Monday 0h first.' })
  data: HeatmapCellDto[];
}
