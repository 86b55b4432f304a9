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
import type { Channel } from '@/modules/programs/cta.entity';

export const ADVOCATE_TIERS = ['customer', 'nano', 'micro', 'macro', 'mega', 'celebrity'] as const;
export type AdvocateTier = (typeof ADVOCATE_TIERS)[number];
export const ADVOCATE_STATUSES = ['invited', 'active', 'paused', 'banned'] as const;
export type AdvocateStatus = (typeof ADVOCATE_STATUSES)[number];

export interface SocialProfile {
  channel: Channel;
  handle: string;
  followers?: number;
}

@Entity('advocates')
@Index('advocates_brand_external_id_key', ['brandId', 'externalId'], { unique: true })
@Index('advocates_brand_created_idx', ['brandId', 'createdAt', 'id'])
@Index('advocates_brand_email_idx', ['brandId', 'emailNormalized'])
export class AdvocateEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('text')
  brandId: string;

  @ManyToOne(() => BrandEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: BrandEntity;

  /** The brand's own id for this customer. */
  @Column('text')
  externalId: string;

  @Column('text', { nullable: true })
  email: string | null;

  /** Lower-cased, gmail-style dots and +tags removed: matches self-referrals. */
  @Column('text', { nullable: true })
  emailNormalized: string | null;

  @Column('text', { nullable: true })
  name: string | null;

  @Column('text', { default: 'customer' })
  tier: AdvocateTier;

  @Column('jsonb', { default: [] })
  socialProfiles: SocialProfile[];

  @Column('text', { array: true, default: '{}' })
  tags: string[];

  @Column('text', { default: 'active' })
  status: AdvocateStatus;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
