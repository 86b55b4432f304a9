import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { ProgramEntity } from '@/modules/programs/program.entity';
import { bigintAmount } from '@/common/money/money';
import type { Channel } from '@/modules/programs/cta.entity';

export const TRIGGER_EVENTS = ['signup', 'purchase', 'custom'] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];
export const RECIPIENTS = ['advocate', 'friend'] as const;
export type Recipient = (typeof RECIPIENTS)[number];
export const REWARD_KINDS = ['cash', 'credit', 'points', 'coupon', 'gift_card', 'custom'] as const;
export type RewardKind = (typeof REWARD_KINDS)[number];

export interface RuleConditions {
  minOrderAmount?: number;
  newCustomersOnly?: boolean;
  firstPurchaseOnly?: boolean;
  ctaKeys?: string[];
  channels?: Channel[];
}

/** A cap counted in rewards (`count`) or in money (`amount`, minor units), or both. */
export interface RuleCap {
  count?: number;
  amount?: number;
}

export interface RuleLimits {
  perAdvocateTotal?: RuleCap;
  perAdvocatePerMonth?: RuleCap;
  /** Total this rule may give across the program, minor units. */
  programBudget?: number;
}

@Entity('reward_rules')
@Index('reward_rules_brand_program_idx', ['brandId', 'programId', 'createdAt', 'id'])
export class RewardRuleEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('text')
  brandId: string;

  @Column('text')
  programId: string;

  @ManyToOne(() => ProgramEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'program_id' })
  program?: ProgramEntity;

  @Column('text')
  triggerEvent: TriggerEvent;

  /** The custom event name when triggerEvent is `custom`. */
  @Column('text', { nullable: true })
  triggerName: string | null;

  @Column('text')
  recipient: Recipient;

  @Column('text')
  rewardKind: RewardKind;

  /** Fixed amount in minor units (points: whole points). */
  @Column('bigint', { nullable: true, transformer: bigintAmount })
  amount: number | null;

  /** Percent of the order amount, stored exactly (10.5 = 10.5 %). */
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

  @Column('bigint', { nullable: true, transformer: bigintAmount })
  maxAmount: number | null;

  /** The program currency for money rewards; null for points and non-monetary kinds. */
  @Column('char', { length: 3, nullable: true })
  currency: string | null;

  @Column('jsonb', { default: {} })
  conditions: RuleConditions;

  @Column('jsonb', { default: {} })
  limits: RuleLimits;

  /** Only the advocate's Nth converted referral earns this reward (a milestone bonus). */
  @Column('int', { nullable: true })
  milestoneNthReferral: number | null;

  /** Overrides the program's hold period. */
  @Column('int', { nullable: true })
  holdDays: number | null;

  @Column('text', { nullable: true })
  description: string | null;

  /** False once deleted: rewards keep pointing at a deactivated rule. */
  @Column('boolean', { default: true })
  active: boolean;

  @Column('timestamptz', { nullable: true })
  deactivatedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
