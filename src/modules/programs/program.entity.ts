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
import { BrandEntity } from '@/modules/brands/brand.entity';
import { bigintAmount } from '@/common/money/money';

export const PROGRAM_STATUSES = ['draft', 'active', 'paused', 'ended'] as const;
export type ProgramStatus = (typeof PROGRAM_STATUSES)[number];
export const PROGRAM_GOALS = ['awareness', 'consideration', 'conversion', 'loyalty'] as const;
export type ProgramGoal = (typeof PROGRAM_GOALS)[number];
export const ATTRIBUTION_MODELS = ['last_touch', 'first_touch'] as const;
export type AttributionModel = (typeof ATTRIBUTION_MODELS)[number];

/** Weights of the goal score; null → defaults by goal. */
export interface KpiWeights {
  reach: number;
  sharing: number;
  conversion: number;
}

@Entity('programs')
@Index('programs_brand_created_idx', ['brandId', 'createdAt', 'id'])
export class ProgramEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('text')
  brandId: string;

  @ManyToOne(() => BrandEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: BrandEntity;

  @Column('text')
  name: string;

  @Column('text', { default: 'draft' })
  status: ProgramStatus;

  @Column('text')
  goal: ProgramGoal;

  @Column('char', { length: 3 })
  currency: string;

  @Column('timestamptz', { nullable: true })
  startsAt: Date | null;

  @Column('timestamptz', { nullable: true })
  endsAt: Date | null;

  @Column('text')
  landingUrl: string;

  @Column('int', { default: 30 })
  attributionWindowDays: number;

  @Column('text', { default: 'last_touch' })
  attributionModel: AttributionModel;

  @Column('int', { default: 30 })
  holdDays: number;

  /** Total reward money the program may give, minor units of `currency`. */
  @Column('bigint', { nullable: true, transformer: bigintAmount })
  budgetAmount: number | null;

  /** What running the program costs besides rewards (for ROI), minor units. */
  @Column('bigint', { nullable: true, transformer: bigintAmount })
  programCostAmount: number | null;

  /** Smallest net amount paid to an advocate in a payout batch, minor units. */
  @Column('bigint', { nullable: true, transformer: bigintAmount })
  minimumPayoutAmount: number | null;

  /** Text shown to invited friends ("15% off your first order"). */
  @Column('text', { nullable: true })
  friendOffer: string | null;

  @Column('jsonb', { nullable: true })
  kpiWeights: KpiWeights | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
