import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { AttributionMethod } from '@/modules/events/event.entity';
import type { FraudReason } from '@/modules/fraud/fraud-rules';

export const REFERRAL_STATUSES = ['pending', 'converted', 'rejected'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];
/** Fraud review of a referral: held by a rule, then approved or rejected by a person. */
export const REVIEW_STATUSES = ['held', 'approved', 'rejected'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/**
 * A friend brought to a program by an advocate: one per (program, customer). Pending until the
 * first attributed purchase converts it; rejected (self-referral…) with the reason.
 */
@Entity('referrals')
@Index('referrals_program_customer_key', ['programId', 'customerId'], { unique: true })
@Index('referrals_brand_customer_idx', ['brandId', 'customerId'])
// Milestones count an advocate's converted referrals.
@Index('referrals_program_advocate_status_idx', ['programId', 'advocateId', 'status'])
// GET /v1/reviews lists rejected referrals.
@Index('referrals_brand_rejected_idx', ['brandId', 'rejectedAt', 'id'], {
  where: `"status" = 'rejected'`,
})
// GET /v1/reviews lists referrals held by fraud rules.
@Index('referrals_brand_held_idx', ['brandId', 'heldAt', 'id'], {
  where: `"review_status" = 'held'`,
})
// Fraud rules: an advocate's recent referrals (velocity, shared devices).
@Index('referrals_brand_advocate_created_idx', ['brandId', 'advocateId', 'createdAt'])
export class ReferralEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('text')
  brandId: string;

  @Column('text')
  programId: string;

  /** Our customer id (`cus_…`). */
  @Column('text')
  customerId: string;

  @Column('text')
  advocateId: string;

  @Column('text')
  status: ReferralStatus;

  @Column('text', { nullable: true })
  reason: string | null;

  @Column('text')
  method: AttributionMethod;

  @Column('text', { nullable: true })
  ctaId: string | null;

  @Column('text', { nullable: true })
  channel: string | null;

  @Column('text', { nullable: true })
  clickId: string | null;

  /** The customer was unknown to the brand before this referral (newCustomersOnly rules). */
  @Column('boolean')
  newCustomer: boolean;

  @Column('text')
  firstEventId: string;

  @Column('text', { nullable: true })
  convertedEventId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { nullable: true })
  convertedAt: Date | null;

  @Column('timestamptz', { nullable: true })
  rejectedAt: Date | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  /**
   * Fraud review: null (never flagged), held (a fraud rule triggered: its rewards are held),
   * approved or rejected by a reviewer. The status above keeps saying pending/converted.
   */
  @Column('text', { nullable: true })
  reviewStatus: ReviewStatus | null;

  /** Every rule that triggered, with what it saw (first trigger of each rule). */
  @Column('jsonb', { nullable: true })
  reviewReasons: FraudReason[] | null;

  @Column('timestamptz', { nullable: true })
  heldAt: Date | null;

  @Column('timestamptz', { nullable: true })
  reviewedAt: Date | null;

  @Column('text', { nullable: true })
  reviewNote: string | null;
}
