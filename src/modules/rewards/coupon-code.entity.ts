import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
} from 'typeorm';
import { RewardRuleEntity } from '@/modules/programs/reward-rule.entity';

export const COUPON_CODE_STATUSES = ['available', 'assigned'] as const;
export type CouponCodeStatus = (typeof COUPON_CODE_STATUSES)[number];

/** A single-use coupon code the brand uploaded for a coupon rule; assigned to one reward. */
@Entity('coupon_codes')
// Taking a code: the oldest available one of the rule, FOR UPDATE SKIP LOCKED.
@Index('coupon_codes_available_idx', ['ruleId', 'createdAt'], { where: `"status" = 'available'` })
export class CouponCodeEntity {
  @PrimaryColumn('text')
  ruleId: string;

  @PrimaryColumn('text')
  code: string;

  @ManyToOne(() => RewardRuleEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'rule_id' })
  rule?: RewardRuleEntity;

  @Column('text')
  brandId: string;

  @Column('text', { default: 'available' })
  status: CouponCodeStatus;

  @Column('text', { nullable: true })
  rewardId: string | null;

  @Column('timestamptz', { nullable: true })
  assignedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
