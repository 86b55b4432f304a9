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

export const CHANNELS = [
  'instagram',
  'tiktok',
  'facebook',
  'x',
  'youtube',
  'pinterest',
  'linkedin',
  'snapchat',
  'whatsapp',
  'messenger',
  'sms',
  'email',
  'copy_link',
  'qr',
  'other',
] as const;
export type Channel = (typeof CHANNELS)[number];
export const CTA_ACTIONS = [
  'purchase',
  'signup',
  'trial',
  'subscribe',
  'follow',
  'download',
  'content',
  'custom',
] as const;
export type CtaAction = (typeof CTA_ACTIONS)[number];
/** `archived`: retired by the brand; its links redirect without tracking (see isTracked). */
export const CTA_STATUSES = ['active', 'archived'] as const;
export type CtaStatus = (typeof CTA_STATUSES)[number];

@Entity('ctas')
@Index('ctas_program_key_key', ['programId', 'key'], { unique: true })
@Index('ctas_brand_program_idx', ['brandId', 'programId', 'createdAt', 'id'])
export class CtaEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('text')
  brandId: string;

  @Column('text')
  programId: string;

  @ManyToOne(() => ProgramEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'program_id' })
  program?: ProgramEntity;

  /** Slug-like key, unique in the program (`ig-story`); appears as utm_content. */
  @Column('text')
  key: string;

  @Column('text')
  channel: Channel;

  @Column('text')
  action: CtaAction;

  @Column('text')
  label: string;

  /** What one completion is worth to the brand, minor units of the program currency. */
  @Column('bigint', { default: 0, transformer: bigintAmount })
  valueAmount: number;

  /** Overrides the program's landing URL. */
  @Column('text', { nullable: true })
  landingUrl: string | null;

  @Column('text', { default: 'active' })
  status: CtaStatus;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
