import { toSafeInteger } from '@/common/money/money';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { MONEY, TIMESTAMP_INPUT } from '@/common/openapi/schema';
import { PageQueryDto } from '@/common/pagination/pagination';
import { IsBeforeTimestamp, IsTimestamp } from '@/modules/programs/dto/validators';
import {
  RECIPIENTS,
  Recipient,
  REWARD_KINDS,
  RewardKind,
} from '@/modules/programs/reward-rule.entity';
import { REWARD_STATUSES, RewardStatus } from '@/modules/rewards/reward.entity';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class ListRewardsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: REWARD_STATUSES })
  @IsOptional()
  @IsIn(REWARD_STATUSES)
  status?: RewardStatus;

  @ApiPropertyOptional({ maxLength: 64, description: 'The referring advocate (adv_…)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  advocateId?: string;

  @ApiPropertyOptional({ maxLength: 64, description: 'prg_…' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  programId?: string;

  @ApiPropertyOptional({ enum: RECIPIENTS })
  @IsOptional()
  @IsIn(RECIPIENTS)
  recipient?: Recipient;

  @ApiPropertyOptional({ enum: REWARD_KINDS })
  @IsOptional()
  @IsIn(REWARD_KINDS)
  kind?: RewardKind;

  @ApiPropertyOptional({ maxLength: 64, description: "Tandem's event id (evt_…)" })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  eventId?: string;

  @ApiPropertyOptional({
    ...TIMESTAMP_INPUT,
    description: 'Created at or after; before `to` when both are given',
  })
  @IsOptional()
  @IsTimestamp()
  @IsBeforeTimestamp('to')
  from?: string;

  @ApiPropertyOptional({ ...TIMESTAMP_INPUT, description: 'Created before' })
  @IsOptional()
  @IsTimestamp()
  to?: string;
}

export class RejectRewardDto {
  @ApiProperty({ example: 'duplicate account', minLength: 1, maxLength: 500 })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason: string;
}

export class RewardDto {
  @ApiProperty({ example: 'rwd_4f9T2kQ8mZ1xYb7cD3eF' })
  id: string;

  @ApiProperty()
  programId: string;

  @ApiProperty()
  ruleId: string;

  @ApiProperty({
    description: "Tandem's id of the event that earned it (a refund's, for a clawback)",
  })
  eventId: string;

  @ApiProperty({ type: String, nullable: true })
  referralId: string | null;

  @ApiProperty({ description: "The referring advocate (also on the friend's rewards)" })
  advocateId: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: "The friend, as the brand's customer id",
  })
  customerId: string | null;

  @ApiProperty({ enum: RECIPIENTS })
  recipient: Recipient;

  @ApiProperty({ enum: REWARD_KINDS })
  kind: RewardKind;

  @ApiProperty({
    ...MONEY,
    nullable: true,
    description:
      'Minor units (points: points); negative for a clawback; null for a percent-off coupon',
  })
  amount: number | null;

  @ApiProperty({
    ...MONEY,
    description:
      'Taken back by refunds so far; what is owed is amount - reversedAmount. For a paid ' +
      'reward it includes what refunds took after its batch took it, which its clawbacks ' +
      '(clawbackOf = this reward) also carry: to reconcile payouts use payoutAmount',
  })
  reversedAmount: number;

  @ApiProperty({ type: String, nullable: true })
  currency: string | null;

  @ApiProperty({ type: Number, nullable: true })
  percent: number | null;

  @ApiProperty({ type: String, nullable: true })
  couponCode: string | null;

  @ApiProperty({
    enum: REWARD_STATUSES,
    description:
      'pending → approved (hold period over, or by hand) → paid; held (review) → approved | ' +
      'rejected; reversed by a refund before payment',
  })
  status: RewardStatus;

  @ApiProperty({ type: String, nullable: true, description: 'Why held, rejected or reversed' })
  reason: string | null;

  @ApiProperty({ format: 'date-time' })
  occurredAt: string;

  @ApiProperty({ format: 'date-time' })
  availableAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  approvedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  paidAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  reversedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  rejectedAt: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The payout batch holding it (created, exported) or that paid it',
  })
  payoutBatchId: string | null;

  @ApiProperty({
    ...MONEY,
    nullable: true,
    description:
      'What that payout batch pays (created, exported) or paid for this reward, minor units: ' +
      'amount - reversedAmount when the batch took it (a clawback: its negative amount); null ' +
      'in no batch. A refund after the batch took the reward does not change it: it becomes a ' +
      'clawback. Summed over paid rewards and clawbacks it is the `paid` of ' +
      'GET /v1/payouts/balances',
  })
  payoutAmount: number | null;

  @ApiProperty({ type: String, nullable: true, description: 'The paid reward a clawback recovers' })
  clawbackOf: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class RewardPageDto {
  @ApiProperty({ type: [RewardDto] })
  data: RewardDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

const iso = (d: Date | string | null): string | null =>
  d === null ? null : (d instanceof Date ? d : new Date(d)).toISOString();

/** From a row of RewardRepository (snake_case columns, bigints as text). */
export function toRewardDto(r: Record<string, any>): RewardDto {
  return {
    id: r.id,
    programId: r.program_id,
    ruleId: r.rule_id,
    eventId: r.event_id,
    referralId: r.referral_id,
    advocateId: r.advocate_id,
    customerId: r.customer_external_id ?? null,
    recipient: r.recipient,
    kind: r.kind,
    amount: r.amount === null ? null : toSafeInteger(r.amount),
    reversedAmount: toSafeInteger(r.reversed_amount),
    currency: r.currency,
    percent: r.percent === null ? null : Number(r.percent),
    couponCode: r.coupon_code,
    status: r.status,
    reason: r.reason,
    occurredAt: iso(r.occurred_at)!,
    availableAt: iso(r.available_at)!,
    approvedAt: iso(r.approved_at),
    paidAt: iso(r.paid_at),
    reversedAt: iso(r.reversed_at),
    rejectedAt: iso(r.rejected_at),
    payoutBatchId: r.payout_batch_id,
    payoutAmount: r.payout_amount === null ? null : toSafeInteger(r.payout_amount),
    clawbackOf: r.clawback_of,
    createdAt: iso(r.created_at)!,
  };
}
