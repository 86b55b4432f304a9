import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional } from 'class-validator';
import { MONEY, TIMESTAMP_INPUT } from '@/common/openapi/schema';
import { PageQueryDto } from '@/common/pagination/pagination';
import { FRAUD_RULE_KEYS, FraudRuleKey } from '@/modules/fraud/fraud-rules';
import { IsBeforeTimestamp, IsText, IsTimestamp } from '@/modules/programs/dto/validators';
import { RECIPIENTS, REWARD_KINDS } from '@/modules/programs/reward-rule.entity';
import { REWARD_STATUSES } from '@/modules/rewards/reward.entity';

export const REVIEW_TYPES = ['referral', 'reward'] as const;
export type ReviewType = (typeof REVIEW_TYPES)[number];
export const REVIEW_ITEM_STATUSES = ['held', 'rejected'] as const;
export type ReviewItemStatus = (typeof REVIEW_ITEM_STATUSES)[number];

export class ListReviewsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: REVIEW_TYPES,
    description:
      'referral: referrals held by fraud rules, and rejected referrals (self-referral…); ' +
      'reward: rewards held for another reason (advocate_paused)',
  })
  @IsOptional()
  @IsIn(REVIEW_TYPES)
  type?: ReviewType;

  @ApiPropertyOptional({
    enum: REVIEW_ITEM_STATUSES,
    description: 'held: the queue still to decide; rejected: decided against (or self-referrals)',
  })
  @IsOptional()
  @IsIn(REVIEW_ITEM_STATUSES)
  status?: ReviewItemStatus;

  @ApiPropertyOptional({
    enum: FRAUD_RULE_KEYS,
    description: 'Items one of whose reasons is this rule',
  })
  @IsOptional()
  @IsIn(FRAUD_RULE_KEYS)
  rule?: FraudRuleKey;

  @ApiPropertyOptional({ minLength: 1, maxLength: 64, description: 'prg_…' })
  @IsOptional()
  @IsText(1, 64)
  programId?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 64, description: 'adv_…' })
  @IsOptional()
  @IsText(1, 64)
  advocateId?: string;

  @ApiPropertyOptional({
    ...TIMESTAMP_INPUT,
    description: 'Flagged at or after; before `to` when both are given',
  })
  @IsOptional()
  @IsTimestamp()
  @IsBeforeTimestamp('to')
  from?: string;

  @ApiPropertyOptional({ ...TIMESTAMP_INPUT, description: 'Flagged before' })
  @IsOptional()
  @IsTimestamp()
  to?: string;
}

export class ReviewReasonDto {
  @ApiProperty({ enum: FRAUD_RULE_KEYS })
  rule: FraudRuleKey;

  @ApiProperty({ example: '21 new referrals for the advocate in the last hour (limit 20)' })
  detail: string;

  @ApiProperty({ type: String, nullable: true, description: 'The event that triggered it (evt_…)' })
  eventId: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  at: string | null;
}

export class ReviewRewardDto {
  @ApiProperty({ enum: RECIPIENTS })
  recipient: string;

  @ApiProperty({ enum: REWARD_KINDS })
  kind: string;

  @ApiProperty({
    ...MONEY,
    nullable: true,
    description: 'Minor units (points: points); null for a percent-off coupon',
  })
  amount: number | null;

  @ApiProperty({ type: String, nullable: true })
  currency: string | null;
}

export class ReviewReferralRewardDto extends ReviewRewardDto {
  @ApiProperty({ example: 'rwd_4f9T2kQ8mZ1xYb7cD3eF' })
  id: string;

  @ApiProperty({ enum: REWARD_STATUSES, example: 'held' })
  status: string;

  @ApiProperty({ type: String, nullable: true })
  reason: string | null;
}

export class ReviewItemDto {
  @ApiProperty({ enum: REVIEW_TYPES })
  type: ReviewType;

  @ApiProperty({
    description:
      'The referral (ref_…) or reward (rwd_…) id: decide it with POST /v1/reviews/:id/approve|reject',
  })
  id: string;

  @ApiProperty({ enum: REVIEW_ITEM_STATUSES })
  status: ReviewItemStatus;

  @ApiProperty({
    example: 'fraud_review',
    type: String,
    nullable: true,
    description:
      'fraud_review (held by the rules in reasons), self_referral, review_rejected, advocate_paused…',
  })
  reason: string | null;

  @ApiProperty({ type: [ReviewReasonDto], description: 'Every fraud rule that triggered' })
  reasons: ReviewReasonDto[];

  @ApiProperty()
  programId: string;

  @ApiProperty()
  advocateId: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: "The friend, as the brand's customer id",
  })
  customerId: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The event that was flagged (evt_…)' })
  eventId: string | null;

  @ApiPropertyOptional({ type: ReviewRewardDto, description: 'For a held reward' })
  reward?: ReviewRewardDto;

  @ApiPropertyOptional({
    type: [ReviewReferralRewardDto],
    description: 'For a referral: its rewards (clawbacks excluded) and what they are now',
  })
  rewards?: ReviewReferralRewardDto[];

  @ApiProperty({
    format: 'date-time',
    description:
      'When it was flagged: held by a fraud rule (kept when the review rejects it), else rejected',
  })
  flaggedAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  reviewedAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  note: string | null;
}

export class ReviewPageDto {
  @ApiProperty({ type: [ReviewItemDto] })
  data: ReviewItemDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class ReviewDecisionBodyDto {
  @ApiPropertyOptional({ example: 'Checked with the customer: two real people', maxLength: 1000 })
  @IsOptional()
  @Transform(trim)
  @IsText(0, 1000)
  note?: string;
}

export class ReviewDecisionRewardDto {
  @ApiProperty()
  id: string;

  @ApiProperty({
    enum: REWARD_STATUSES,
    example: 'pending',
    description: 'The reward status after the decision',
  })
  status: string;
}

export class ReviewDecisionDto {
  @ApiProperty({ description: 'ref_… or rwd_…' })
  id: string;

  @ApiProperty({ enum: REVIEW_TYPES })
  type: ReviewType;

  @ApiProperty({ enum: ['approved', 'rejected'] })
  decision: 'approved' | 'rejected';

  @ApiProperty({ type: String, nullable: true })
  note: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  reviewedAt: string | null;

  @ApiProperty({
    type: [ReviewDecisionRewardDto],
    description:
      'The rewards of the referral (or the reward) now: released ones are approved when their ' +
      'hold period is over, else pending; rejected ones rejected; paid ones stay paid',
  })
  rewards: ReviewDecisionRewardDto[];
}
