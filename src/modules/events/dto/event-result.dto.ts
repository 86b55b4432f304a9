import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ErrorBodyDto } from '@/common/errors/error-response.dto';
import { INTEGER, MONEY } from '@/common/openapi/schema';
import { REFERRAL_STATUSES, ReferralStatus } from '@/modules/attribution/referral.entity';
import {
  ATTRIBUTION_METHODS,
  AttributionMethod,
  EVENT_STATUSES,
  EVENT_TYPES,
  EventStatus,
  EventType,
} from '@/modules/events/event.entity';
import { CHANNELS } from '@/modules/programs/cta.entity';
import { ATTRIBUTION_MODELS, AttributionModel } from '@/modules/programs/program.entity';
import {
  RECIPIENTS,
  Recipient,
  REWARD_KINDS,
  RewardKind,
} from '@/modules/programs/reward-rule.entity';
import { REWARD_STATUSES, RewardStatus } from '@/modules/rewards/reward.entity';

export class EventAttributionDto {
  @ApiProperty({ example: 'adv_4f9T2kQ8mZ1xYb7cD3eF' })
  advocateId: string;

  @ApiProperty({ example: 'prg_4f9T2kQ8mZ1xYb7cD3eF' })
  programId: string;

  @ApiProperty({ type: String, nullable: true, example: 'ig-story' })
  ctaKey: string | null;

  @ApiProperty({ enum: CHANNELS, nullable: true, example: 'instagram' })
  channel: string | null;

  @ApiProperty({
    enum: ATTRIBUTION_METHODS,
    description:
      "click: a signed click id; code: a referral code sent with the event; referral: the friend's existing referral (sticky)",
  })
  method: AttributionMethod;

  @ApiProperty({ type: String, nullable: true, description: 'The click credited (method click)' })
  clickId: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  clickedAt: string | null;

  @ApiProperty({ enum: ATTRIBUTION_MODELS })
  model: AttributionModel;

  @ApiProperty({ ...INTEGER, example: 30 })
  windowDays: number;
}

export class EventReferralReviewDto {
  @ApiProperty({ enum: ['held'] })
  status: 'held';

  @ApiProperty({
    type: [String],
    example: ['velocity'],
    description: 'The fraud rules this event triggered (GET /v1/reviews has every reason)',
  })
  rules: string[];
}

export class EventReferralDto {
  @ApiProperty({ example: 'ref_4f9T2kQ8mZ1xYb7cD3eF' })
  id: string;

  @ApiProperty({ enum: REFERRAL_STATUSES })
  status: ReferralStatus;

  @ApiPropertyOptional({
    type: EventReferralReviewDto,
    description:
      'Present when the referral is held for review by a fraud rule: its rewards are held',
  })
  review?: EventReferralReviewDto;
}

export class EventRewardDto {
  @ApiProperty({ example: 'rwd_4f9T2kQ8mZ1xYb7cD3eF' })
  id: string;

  @ApiProperty({ enum: RECIPIENTS })
  recipient: Recipient;

  @ApiProperty({ enum: REWARD_KINDS })
  kind: RewardKind;

  @ApiProperty({
    ...MONEY,
    nullable: true,
    example: 1000,
    description:
      'Minor units (points: points); negative for a clawback; null for a percent-off coupon',
  })
  amount: number | null;

  @ApiProperty({ type: String, nullable: true, example: 'USD' })
  currency: string | null;

  @ApiProperty({ type: Number, nullable: true, description: 'The percent of a percent reward' })
  percent: number | null;

  @ApiProperty({ type: String, nullable: true, example: 'K7M2XQ9PWA' })
  couponCode: string | null;

  @ApiProperty({ enum: REWARD_STATUSES })
  status: RewardStatus;

  @ApiProperty({ format: 'date-time', description: 'End of the hold period' })
  availableAt: string;

  @ApiProperty({ example: 'rul_4f9T2kQ8mZ1xYb7cD3eF' })
  ruleId: string;
}

export class SkippedRewardDto {
  @ApiProperty()
  ruleId: string;

  @ApiProperty({ enum: RECIPIENTS })
  recipient: Recipient;

  @ApiProperty({
    example: 'limit_reached:perAdvocatePerMonth',
    description:
      'condition_not_met:<condition>, currency_mismatch, zero_amount, milestone_not_reached, ' +
      'milestone_already_reached, limit_reached:perAdvocateTotal|perAdvocatePerMonth, ' +
      "budget_exhausted (the program's budget), budget_exhausted:rule (the rule's " +
      'limits.programBudget), coupon_pool_empty',
  })
  reason: string;
}

export class ReversedRewardDto {
  @ApiProperty()
  rewardId: string;

  @ApiProperty({ enum: RECIPIENTS })
  recipient: Recipient;

  @ApiProperty({ enum: REWARD_KINDS })
  kind: RewardKind;

  @ApiProperty({
    ...MONEY,
    nullable: true,
    description: 'Taken back by this refund, minor units (null for a percent-off coupon)',
  })
  amount: number | null;

  @ApiProperty({ type: String, nullable: true })
  currency: string | null;

  @ApiProperty({
    enum: REWARD_STATUSES,
    description: 'The reward after the refund: reversed when nothing is left, paid for a clawback',
  })
  status: RewardStatus;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The negative reward created when the reward had already been paid',
  })
  clawbackRewardId: string | null;
}

export class EventResultDto {
  @ApiProperty({ example: 'order-1042-paid', description: "The brand's event id" })
  id: string;

  @ApiProperty({ example: 'evt_4f9T2kQ8mZ1xYb7cD3eF', description: "Tandem's id of the event" })
  eventId: string;

  @ApiProperty({ enum: EVENT_TYPES })
  type: EventType;

  @ApiProperty({ enum: EVENT_STATUSES })
  status: EventStatus;

  @ApiProperty({ type: EventAttributionDto, nullable: true })
  attribution: EventAttributionDto | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'click_outside_window',
    description:
      'Why unattributed or rejected: no_referral_signal, click_id_invalid, click_outside_window, ' +
      'program_not_active, unknown_code, self_referral, advocate_banned, unknown_order (refund), ' +
      'currency_mismatch (refund)',
  })
  reason: string | null;

  @ApiProperty({ type: EventReferralDto, nullable: true })
  referral: EventReferralDto | null;

  @ApiProperty({ type: [EventRewardDto], description: 'Rewards created by this event' })
  rewards: EventRewardDto[];

  @ApiProperty({
    type: [SkippedRewardDto],
    description: 'Rules the event triggered that gave nothing, with why',
  })
  skipped: SkippedRewardDto[];

  @ApiProperty({ type: [ReversedRewardDto], description: 'Refunds: what was taken back' })
  reversed: ReversedRewardDto[];
}

export class BatchItemResultDto {
  @ApiProperty({ ...INTEGER, description: 'Position in the request (0 = first)' })
  index: number;

  @ApiProperty({
    ...INTEGER,
    example: 201,
    description:
      '201 recorded now, 200 replay of an earlier answer, 400 invalid, 409 id reused with another ' +
      'body or the order already has a purchase, 422 a refund larger than what is left of its order',
  })
  status: number;

  @ApiPropertyOptional({ type: EventResultDto })
  result?: EventResultDto;

  @ApiPropertyOptional({ type: ErrorBodyDto })
  error?: ErrorBodyDto;
}

export class BatchResultDto {
  @ApiProperty({ type: [BatchItemResultDto] })
  results: BatchItemResultDto[];
}
