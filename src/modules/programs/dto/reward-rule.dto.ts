import { MAX_AMOUNT } from '@/common/money/money';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  Matches,
} from 'class-validator';
import { INTEGER, MONEY } from '@/common/openapi/schema';
import { PageQueryDto } from '@/common/pagination/pagination';
import { CHANNELS, Channel } from '@/modules/programs/cta.entity';
import {
  IsAmount,
  IsCurrencyCode,
  IsIntInRange,
  IsOptionalNotNull,
  IsPercent,
  IsText,
  NestedObject,
  SLUG_PATTERN,
} from '@/modules/programs/dto/validators';
import {
  RECIPIENTS,
  Recipient,
  REWARD_KINDS,
  RewardKind,
  RewardRuleEntity,
  TRIGGER_EVENTS,
  TriggerEvent,
} from '@/modules/programs/reward-rule.entity';

export const TRIGGER_NAME_PATTERN = /^[a-z0-9_.:-]{1,64}$/;
const MAX_COUNT = 1_000_000_000;

export class TriggerDto {
  @ApiProperty({ enum: TRIGGER_EVENTS, description: 'The attributed event that gives the reward' })
  @IsIn(TRIGGER_EVENTS)
  event: TriggerEvent;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    pattern: TRIGGER_NAME_PATTERN.source,
    example: 'trial_started',
    description: 'The custom event name; required when event is custom, refused otherwise',
  })
  @IsOptional()
  @Matches(TRIGGER_NAME_PATTERN, {
    message: 'must be 1-64 characters among a-z, 0-9, _ . : -',
  })
  name?: string | null;
}

export class RewardInputDto {
  @ApiProperty({
    enum: REWARD_KINDS,
    description:
      'cash, credit, gift_card: money in the program currency. coupon: a fixed-value (amount) or ' +
      'percent-off (percent) coupon. points: a whole number of points, no currency. custom: ' +
      'anything else; amount optional (its value in the program currency).',
  })
  @IsIn(REWARD_KINDS)
  kind: RewardKind;

  @ApiPropertyOptional({
    ...MONEY,
    nullable: true,
    minimum: 1,
    maximum: MAX_AMOUNT,
    example: 1000,
    description:
      'Fixed amount in minor units (points: whole points). Exactly one of amount/percent.',
  })
  @IsOptional()
  @IsAmount(1)
  amount?: number | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 0,
    exclusiveMinimum: true,
    maximum: 100,
    example: 15,
    description:
      'Percent of the order (10.5 = 10.5 %, at most 4 decimals, stored exactly); purchase ' +
      'triggers only. For a coupon: the percent off.',
  })
  @IsOptional()
  @IsPercent()
  percent?: number | null;

  @ApiPropertyOptional({
    ...MONEY,
    nullable: true,
    minimum: 1,
    maximum: MAX_AMOUNT,
    description: 'Cap of a percent reward, minor units; only with percent',
  })
  @IsOptional()
  @IsAmount(1)
  maxAmount?: number | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'USD',
    description: 'Must equal the program currency (the default); omit for points',
  })
  @IsOptional()
  @IsCurrencyCode()
  currency?: string | null;
}

export class ConditionsDto {
  @ApiPropertyOptional({
    ...MONEY,
    minimum: 0,
    maximum: MAX_AMOUNT,
    example: 5000,
    description: 'Smallest order amount, minor units; purchase triggers only',
  })
  @IsOptional()
  @IsAmount(0)
  minOrderAmount?: number;

  @ApiPropertyOptional({
    description: 'Only customers unknown to the brand before the referral',
  })
  @IsOptional()
  @IsBoolean()
  newCustomersOnly?: boolean;

  @ApiPropertyOptional({ description: "Only the friend's first purchase; purchase triggers only" })
  @IsOptional()
  @IsBoolean()
  firstPurchaseOnly?: boolean;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', pattern: SLUG_PATTERN.source },
    minItems: 1,
    maxItems: 100,
    uniqueItems: true,
    example: ['ig-story'],
    description: 'Only conversions attributed to these CTAs (keys of this program)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ArrayUnique()
  @Matches(SLUG_PATTERN, { each: true, message: 'must contain CTA keys' })
  ctaKeys?: string[];

  @ApiPropertyOptional({
    enum: CHANNELS,
    isArray: true,
    minItems: 1,
    uniqueItems: true,
    description: 'Only these channels',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(CHANNELS, { each: true })
  channels?: Channel[];
}

export class CapDto {
  @ApiPropertyOptional({
    ...INTEGER,
    minimum: 1,
    maximum: MAX_COUNT,
    example: 10,
    description: 'At most this many rewards',
  })
  @IsOptional()
  @IsIntInRange(1, MAX_COUNT)
  count?: number;

  @ApiPropertyOptional({
    ...MONEY,
    minimum: 1,
    maximum: MAX_AMOUNT,
    example: 50000,
    description: "At most this much, minor units of the rule's currency (points for points)",
  })
  @IsOptional()
  @IsAmount(1)
  amount?: number;
}

export class LimitsDto {
  @ApiPropertyOptional({ type: CapDto, description: 'Per advocate, ever' })
  @IsOptional()
  @NestedObject(() => CapDto)
  perAdvocateTotal?: CapDto;

  @ApiPropertyOptional({ type: CapDto, description: 'Per advocate, per calendar month (UTC)' })
  @IsOptional()
  @NestedObject(() => CapDto)
  perAdvocatePerMonth?: CapDto;

  @ApiPropertyOptional({
    ...MONEY,
    minimum: 1,
    maximum: MAX_AMOUNT,
    description: "Total this rule may give in the program, minor units of the rule's currency",
  })
  @IsOptional()
  @IsAmount(1)
  programBudget?: number;
}

export class MilestoneDto {
  @ApiPropertyOptional({
    ...INTEGER,
    nullable: true,
    minimum: 1,
    maximum: MAX_COUNT,
    example: 5,
    description: "Only the advocate's Nth converted referral earns this reward (a bonus)",
  })
  @IsOptional()
  @IsIntInRange(1, MAX_COUNT)
  nthReferral?: number | null;
}

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** Top-level fields shared by create and PATCH; on PATCH an object given replaces the old one. */
class RewardRuleOptionalFieldsDto {
  @ApiPropertyOptional({ type: ConditionsDto, nullable: true })
  @IsOptional()
  @NestedObject(() => ConditionsDto)
  conditions?: ConditionsDto | null;

  @ApiPropertyOptional({ type: LimitsDto, nullable: true })
  @IsOptional()
  @NestedObject(() => LimitsDto)
  limits?: LimitsDto | null;

  @ApiPropertyOptional({ type: MilestoneDto, nullable: true })
  @IsOptional()
  @NestedObject(() => MilestoneDto)
  milestone?: MilestoneDto | null;

  @ApiPropertyOptional({
    ...INTEGER,
    nullable: true,
    minimum: 0,
    maximum: 365,
    description: "Overrides the program's hold period for this rule's rewards",
  })
  @IsOptional()
  @IsIntInRange(0, 365)
  holdDays?: number | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 500 })
  @Transform(trim)
  @IsOptional()
  @IsText(0, 500)
  description?: string | null;
}

export class CreateRewardRuleDto extends RewardRuleOptionalFieldsDto {
  @ApiProperty({ type: TriggerDto })
  @NestedObject(() => TriggerDto)
  trigger: TriggerDto;

  @ApiProperty({ enum: RECIPIENTS, description: 'advocate: who invited; friend: who acted' })
  @IsIn(RECIPIENTS)
  recipient: Recipient;

  @ApiProperty({ type: RewardInputDto })
  @NestedObject(() => RewardInputDto)
  reward: RewardInputDto;
}

export class UpdateRewardRuleDto extends RewardRuleOptionalFieldsDto {
  @ApiPropertyOptional({ type: TriggerDto, description: 'Replaces the trigger as a whole' })
  @IsOptionalNotNull()
  @NestedObject(() => TriggerDto)
  trigger?: TriggerDto;

  @ApiPropertyOptional({ enum: RECIPIENTS })
  @IsOptionalNotNull()
  @IsIn(RECIPIENTS)
  recipient?: Recipient;

  @ApiPropertyOptional({ type: RewardInputDto, description: 'Replaces the reward as a whole' })
  @IsOptionalNotNull()
  @NestedObject(() => RewardInputDto)
  reward?: RewardInputDto;
}

export class ListRewardRulesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: 'Also list deleted (deactivated) rules',
  })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'must be true or false' })
  includeInactive?: boolean;
}

export class TriggerOutDto {
  @ApiProperty({ enum: TRIGGER_EVENTS })
  event: TriggerEvent;

  @ApiProperty({ type: String, nullable: true })
  name: string | null;
}

export class RewardOutDto {
  @ApiProperty({ enum: REWARD_KINDS })
  kind: RewardKind;

  @ApiProperty({ ...MONEY, nullable: true, example: 1000 })
  amount: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 15 })
  percent: number | null;

  @ApiProperty({ ...MONEY, nullable: true })
  maxAmount: number | null;

  @ApiProperty({ type: String, nullable: true, example: 'USD' })
  currency: string | null;
}

export class MilestoneOutDto {
  @ApiProperty({ ...INTEGER, nullable: true })
  nthReferral: number | null;
}

export class RewardRuleDto {
  @ApiProperty({ example: 'rul_4f9T2kQ8mZ1xYb7cD3eF' })
  id: string;

  @ApiProperty({ example: 'prg_4f9T2kQ8mZ1xYb7cD3eF' })
  programId: string;

  @ApiProperty({ type: TriggerOutDto })
  trigger: TriggerOutDto;

  @ApiProperty({ enum: RECIPIENTS })
  recipient: Recipient;

  @ApiProperty({ type: RewardOutDto })
  reward: RewardOutDto;

  @ApiProperty({ type: ConditionsDto, description: 'Only the conditions that are set' })
  conditions: ConditionsDto;

  @ApiProperty({ type: LimitsDto, description: 'Only the limits that are set' })
  limits: LimitsDto;

  @ApiProperty({ type: MilestoneOutDto })
  milestone: MilestoneOutDto;

  @ApiProperty({ ...INTEGER, nullable: true, description: "null: the program's holdDays" })
  holdDays: number | null;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  @ApiProperty({ description: 'false once deleted; deleted rules stay readable' })
  active: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  deactivatedAt: string | null;
}

export class RewardRulePageDto {
  @ApiProperty({ type: [RewardRuleDto] })
  data: RewardRuleDto[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor: string | null;
}

export function toRewardRuleDto(r: RewardRuleEntity): RewardRuleDto {
  return {
    id: r.id,
    programId: r.programId,
    trigger: { event: r.triggerEvent, name: r.triggerName },
    recipient: r.recipient,
    reward: {
      kind: r.rewardKind,
      amount: r.amount,
      percent: r.percent,
      maxAmount: r.maxAmount,
      currency: r.currency,
    },
    conditions: r.conditions,
    limits: r.limits,
    milestone: { nthReferral: r.milestoneNthReferral },
    holdDays: r.holdDays,
    description: r.description,
    active: r.active,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    deactivatedAt: r.deactivatedAt ? r.deactivatedAt.toISOString() : null,
  };
}
