import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintAmount } from '@/common/money/money';
import type { Recipient, RewardKind } from '@/modules/programs/reward-rule.entity';

export const REWARD_STATUSES = [
  'pending',
  'approved',
  'paid',
  'held',
  'rejected',
  'reversed',
] as const;
export type RewardStatus = (typeof REWARD_STATUSES)[number];

/** Statuses whose reward still counts against limits and budgets. */
export const LIVE_REWARD_STATUSES: readonly RewardStatus[] = [
  'pending',
  'approved',
  'paid',
  'held',
];

/**
 * What one rule gave one recipient for one event: exactly one per (rule, event, recipient).
 * A clawback is a negative reward (status approved) pointing at the paid reward it recovers.
 * No foreign keys: written in bulk on the event hot path; a ledger that outlives its rule.
 */
@Entity('rewards')
@Index('rewards_rule_event_recipient_key', ['ruleId', 'eventId', 'recipient'], { unique: true })
@Index('rewards_brand_created_idx', ['brandId', 'createdAt', 'id'])
// The approval job's queue.
@Index('rewards_pending_available_idx', ['availableAt'], { where: `"status" = 'pending'` })
@Index('rewards_event_idx', ['eventId'])
// A referral's rewards: fraud holds, review decisions, webhook payloads.
@Index('rewards_referral_idx', ['referralId'])
// Per-advocate limits.
@Index('rewards_rule_advocate_idx', ['ruleId', 'advocateId', 'occurredAt'])
// KPIs (analytics): reward cost of a program's conversions in a period, from the index alone.
// Also serves lookups by program alone (a separate program_id index only cost writes).
// Hand-written in the migration (program_id, occurred_at) INCLUDE (…), which TypeORM cannot
// describe; synchronize: false keeps migration:generate from rewriting it.
@Index('rewards_program_occurred_idx', { synchronize: false })
// GET /v1/reviews lists held rewards.
@Index('rewards_brand_held_idx', ['brandId', 'createdAt', 'id'], { where: `"status" = 'held'` })
export class RewardEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('text')
  brandId: string;

  @Column('text')
  programId: string;

  @Column('text')
  ruleId: string;

  /** Our event id (`evt_…`): the conversion, or the refund for a clawback. */
  @Column('text')
  eventId: string;

  @Column('text', { nullable: true })
  referralId: string | null;

  /** The referring advocate (also on the friend's rewards). */
  @Column('text')
  advocateId: string;

  /** The friend (`cus_…`). */
  @Column('text', { nullable: true })
  customerId: string | null;

  @Column('text')
  recipient: Recipient;

  @Column('text')
  kind: RewardKind;

  /** Minor units (points: points); negative for a clawback; null for a percent-off coupon. */
  @Column('bigint', { nullable: true, transformer: bigintAmount })
  amount: number | null;

  /** How much refunds took back so far (reversal or clawback); never above amount. */
  @Column('bigint', { default: 0, transformer: bigintAmount })
  reversedAmount: number;

  @Column('char', { length: 3, nullable: true })
  currency: string | null;

  @Column('numeric', {
    precision: 7,
    scale: 4,
    nullable: true,
    transformer: {
      to: (v: unknown) => v,
      from: (v: string | null) => (v === null ? null : Number(v)),
    },
  })
  percent: number | null;

  @Column('text', { nullable: true })
  couponCode: string | null;

  @Column('text')
  status: RewardStatus;

  /** Why held, rejected or reversed. */
  @Column('text', { nullable: true })
  reason: string | null;

  /** When the conversion happened (monthly limits count by it). */
  @Column('timestamptz')
  occurredAt: Date;

  /** End of the hold period: the approval job approves a pending reward from then on. */
  @Column('timestamptz')
  availableAt: Date;

  @Column('timestamptz', { nullable: true })
  approvedAt: Date | null;

  @Column('timestamptz', { nullable: true })
  paidAt: Date | null;

  @Column('timestamptz', { nullable: true })
  reversedAt: Date | null;

  @Column('timestamptz', { nullable: true })
  rejectedAt: Date | null;

  /**
   * The review's decision on a reward held on its own (`POST /v1/reviews/rwd_…`), kept so that
   * the same decision repeated answers the same, and the opposite one is refused.
   */
  @Column('text', { nullable: true })
  reviewDecision: 'approved' | 'rejected' | null;

  @Column('timestamptz', { nullable: true })
  reviewedAt: Date | null;

  @Column('text', { nullable: true })
  reviewNote: string | null;

  /** The payout batch that paid it (set with status paid; an open batch's items hold its rewards). */
  @Column('text', { nullable: true })
  payoutBatchId: string | null;

  /** The paid reward this clawback recovers. */
  @Column('text', { nullable: true })
  clawbackOf: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
