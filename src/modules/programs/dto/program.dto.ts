import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional } from 'class-validator';
import { INTEGER, TIMESTAMP_INPUT } from '@/common/openapi/schema';
import { PageQueryDto } from '@/common/pagination/pagination';
import { MoneyDto } from '@/modules/programs/dto/money.dto';
import {
  IsCurrencyCode,
  IsHttpUrl,
  IsIntInRange,
  IsNumberInRange,
  IsOptionalNotNull,
  IsText,
  IsTimestamp,
  MAX_URL_LENGTH,
  NestedObject,
} from '@/modules/programs/dto/validators';
import {
  ATTRIBUTION_MODELS,
  AttributionModel,
  KpiWeights,
  PROGRAM_GOALS,
  PROGRAM_STATUSES,
  ProgramEntity,
  ProgramGoal,
  ProgramStatus,
} from '@/modules/programs/program.entity';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

const WINDOW_DAYS_DOC = {
  ...INTEGER,
  minimum: 1,
  maximum: 365,
  description: 'How many days after a click a conversion can still be credited to it',
};
const HOLD_DAYS_DOC = {
  ...INTEGER,
  minimum: 0,
  maximum: 365,
  description: 'Days a reward waits (pending) before approval, so refunds can reverse it',
};

/** The attribution settings as a PATCH takes them: only the fields sent change. */
export class UpdateAttributionDto {
  @ApiPropertyOptional(WINDOW_DAYS_DOC)
  @IsOptionalNotNull()
  @IsIntInRange(1, 365)
  windowDays?: number;

  @ApiPropertyOptional({ enum: ATTRIBUTION_MODELS })
  @IsOptionalNotNull()
  @IsIn(ATTRIBUTION_MODELS)
  model?: AttributionModel;
}

/**
 * The same settings on create, with the defaults it applies (redeclared for OpenAPI only: the
 * rules are UpdateAttributionDto's, and both create and PATCH validate with this class).
 */
export class AttributionInputDto extends UpdateAttributionDto {
  @ApiPropertyOptional({ ...WINDOW_DAYS_DOC, default: 30 })
  declare windowDays?: number;

  @ApiPropertyOptional({ enum: ATTRIBUTION_MODELS, default: 'last_touch' })
  declare model?: AttributionModel;
}

export class KpiWeightsDto {
  @ApiProperty({ example: 0.2, minimum: 0, maximum: 1_000_000 })
  @IsNumberInRange(0, 1_000_000)
  reach: number;

  @ApiProperty({ example: 0.2, minimum: 0, maximum: 1_000_000 })
  @IsNumberInRange(0, 1_000_000)
  sharing: number;

  @ApiProperty({ example: 0.6, minimum: 0, maximum: 1_000_000 })
  @IsNumberInRange(0, 1_000_000)
  conversion: number;
}

const KPI_WEIGHTS_DOC =
  'Relative weights of the goal score: any non-negative numbers with a sum above 0 ' +
  '(they are divided by their sum, so {1,1,2} equals {0.25,0.25,0.5}). null: defaults by goal.';
const MONEY_DOC = (what: string) =>
  `${what}, in minor units; currency must equal the program currency. null: none.`;

/** Fields shared by create and update; on update every one is optional. */
export class ProgramFieldsDto {
  @ApiPropertyOptional({ ...TIMESTAMP_INPUT, nullable: true, example: '2026-03-01T00:00:00Z' })
  @IsOptional()
  @IsTimestamp()
  startsAt?: string | null;

  @ApiPropertyOptional({
    ...TIMESTAMP_INPUT,
    nullable: true,
    example: '2026-06-30T23:59:59Z',
    description: 'Must be after startsAt',
  })
  @IsOptional()
  @IsTimestamp()
  endsAt?: string | null;

  @ApiPropertyOptional({ type: AttributionInputDto })
  @IsOptionalNotNull()
  @NestedObject(() => AttributionInputDto)
  attribution?: AttributionInputDto;

  @ApiPropertyOptional(HOLD_DAYS_DOC)
  @IsOptionalNotNull()
  @IsIntInRange(0, 365)
  holdDays?: number;

  @ApiPropertyOptional({
    type: MoneyDto,
    nullable: true,
    description: MONEY_DOC('Total reward money'),
  })
  @IsOptional()
  @NestedObject(() => MoneyDto)
  budget?: MoneyDto | null;

  @ApiPropertyOptional({
    type: MoneyDto,
    nullable: true,
    description: MONEY_DOC('What running the program costs besides rewards (for ROI)'),
  })
  @IsOptional()
  @NestedObject(() => MoneyDto)
  programCost?: MoneyDto | null;

  @ApiPropertyOptional({
    type: MoneyDto,
    nullable: true,
    description: MONEY_DOC('Smallest net amount paid to an advocate in a payout batch'),
  })
  @IsOptional()
  @NestedObject(() => MoneyDto)
  minimumPayout?: MoneyDto | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 500,
    example: '15% off your first order over $50',
    description: 'Text shown to invited friends',
  })
  @IsOptional()
  @IsText(0, 500)
  friendOffer?: string | null;

  @ApiPropertyOptional({ type: KpiWeightsDto, nullable: true, description: KPI_WEIGHTS_DOC })
  @IsOptional()
  @NestedObject(() => KpiWeightsDto)
  kpiWeights?: KpiWeightsDto | null;
}

export class CreateProgramDto extends ProgramFieldsDto {
  // The defaults a create applies (redeclared for OpenAPI only; the rules are the fields' own).
  @ApiPropertyOptional({ ...HOLD_DAYS_DOC, default: 30 })
  declare holdDays?: number;

  @ApiProperty({ example: 'Spring referral 2026', minLength: 1, maxLength: 200 })
  @Transform(trim)
  @IsText(1, 200)
  name: string;

  @ApiProperty({
    enum: PROGRAM_GOALS,
    description: 'Decides the default weights of reach, sharing and conversion in the goal score',
  })
  @IsIn(PROGRAM_GOALS)
  goal: ProgramGoal;

  @ApiProperty({
    example: 'USD',
    description:
      'ISO 4217, upper case. Every amount of the program is in it. Can change only while the ' +
      'program is draft, has no reward rules and no CTA with a value.',
  })
  @IsCurrencyCode()
  currency: string;

  @ApiProperty({
    example: 'https://shop.example.com/spring',
    maxLength: MAX_URL_LENGTH,
    description: 'Where tracked links send visitors (http or https); a CTA may override it',
  })
  @IsHttpUrl()
  landingUrl: string;
}

export class UpdateProgramDto extends ProgramFieldsDto {
  // Only the fields sent change: no defaults (redeclared for OpenAPI only).
  @ApiPropertyOptional({ type: UpdateAttributionDto })
  declare attribution?: AttributionInputDto;

  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @Transform(trim)
  @IsOptionalNotNull()
  @IsText(1, 200)
  name?: string;

  @ApiPropertyOptional({ enum: PROGRAM_GOALS })
  @IsOptionalNotNull()
  @IsIn(PROGRAM_GOALS)
  goal?: ProgramGoal;

  @ApiPropertyOptional({
    example: 'EUR',
    description:
      'Changeable only while draft with no reward rules and no CTA value (else 409); amounts ' +
      'already set (budget…) must be restated in the new currency in the same request.',
  })
  @IsOptionalNotNull()
  @IsCurrencyCode()
  currency?: string;

  @ApiPropertyOptional({ maxLength: MAX_URL_LENGTH })
  @IsOptionalNotNull()
  @IsHttpUrl()
  landingUrl?: string;

  @ApiPropertyOptional({
    enum: PROGRAM_STATUSES,
    description:
      'draft→active, active→paused, paused→active, draft/active/paused→ended; ended is final. ' +
      'Any other change answers 409 invalid_status_transition; the same status is a no-op.',
  })
  @IsOptionalNotNull()
  @IsIn(PROGRAM_STATUSES)
  status?: ProgramStatus;
}

export class ListProgramsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: PROGRAM_STATUSES })
  @IsOptional()
  @IsIn(PROGRAM_STATUSES)
  status?: ProgramStatus;

  @ApiPropertyOptional({ enum: PROGRAM_GOALS })
  @IsOptional()
  @IsIn(PROGRAM_GOALS)
  goal?: ProgramGoal;
}

export class AttributionDto {
  @ApiProperty({ ...INTEGER, example: 30 })
  windowDays: number;

  @ApiProperty({ enum: ATTRIBUTION_MODELS })
  model: AttributionModel;
}

export class ProgramDto {
  @ApiProperty({ example: 'prg_4f9T2kQ8mZ1xYb7cD3eF' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ enum: PROGRAM_STATUSES })
  status: ProgramStatus;

  @ApiProperty({ enum: PROGRAM_GOALS })
  goal: ProgramGoal;

  @ApiProperty({ example: 'USD' })
  currency: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startsAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  endsAt: string | null;

  @ApiProperty()
  landingUrl: string;

  @ApiProperty({ type: AttributionDto })
  attribution: AttributionDto;

  @ApiProperty({ ...INTEGER, example: 30 })
  holdDays: number;

  @ApiProperty({ type: MoneyDto, nullable: true })
  budget: MoneyDto | null;

  @ApiProperty({ type: MoneyDto, nullable: true })
  programCost: MoneyDto | null;

  @ApiProperty({ type: MoneyDto, nullable: true })
  minimumPayout: MoneyDto | null;

  @ApiProperty({ type: String, nullable: true })
  friendOffer: string | null;

  @ApiProperty({ type: KpiWeightsDto, nullable: true, description: KPI_WEIGHTS_DOC })
  kpiWeights: KpiWeights | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class ProgramPageDto {
  @ApiProperty({ type: [ProgramDto] })
  data: ProgramDto[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor: string | null;
}

export function toProgramDto(p: ProgramEntity): ProgramDto {
  const money = (amount: number | null): MoneyDto | null =>
    amount === null ? null : { amount, currency: p.currency };
  return {
    id: p.id,
    name: p.name,
    status: p.status,
    goal: p.goal,
    currency: p.currency,
    startsAt: p.startsAt ? p.startsAt.toISOString() : null,
    endsAt: p.endsAt ? p.endsAt.toISOString() : null,
    landingUrl: p.landingUrl,
    attribution: { windowDays: p.attributionWindowDays, model: p.attributionModel },
    holdDays: p.holdDays,
    budget: money(p.budgetAmount),
    programCost: money(p.programCostAmount),
    minimumPayout: money(p.minimumPayoutAmount),
    friendOffer: p.friendOffer,
    kpiWeights: p.kpiWeights,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}
