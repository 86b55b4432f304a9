import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
} from 'typeorm';
import { AdvocateEntity } from '@/modules/advocates/advocate.entity';
import { CtaEntity } from '@/modules/programs/cta.entity';
import type { Channel } from '@/modules/programs/cta.entity';
import { ProgramEntity } from '@/modules/programs/program.entity';

/** An advocate posting a CTA on a channel, as reported by the brand's widget. */
@Entity('shares')
@Index('shares_brand_created_idx', ['brandId', 'createdAt', 'id'])
@Index('shares_brand_program_created_idx', ['brandId', 'programId', 'createdAt', 'id'])
// Per-link share counts (a link is one advocate × CTA) and per-advocate listings.
@Index('shares_brand_advocate_cta_idx', ['brandId', 'advocateId', 'ctaId'])
export class ShareEntity {
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
  ctaId: string;

  @ManyToOne(() => CtaEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'cta_id' })
  cta?: CtaEntity;

  @Column('text')
  advocateId: string;

  @ManyToOne(() => AdvocateEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'advocate_id' })
  advocate?: AdvocateEntity;

  @Column('text')
  channel: Channel;

  @Column('text', { nullable: true })
  postUrl: string | null;

  /** Reach reported for the post by the widget (people), if known. */
  @Column('bigint', { nullable: true, transformer: bigintCount() })
  reach: number | null;

  @Column('bigint', { nullable: true, transformer: bigintCount() })
  impressions: number | null;

  @Column('timestamptz')
  sharedAt: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

// pg returns bigint as a string; counts stay below 2^53.
function bigintCount() {
  return {
    to: (v: number | null | undefined) => (v === null || v === undefined ? v : String(v)),
    from: (v: string | null) => (v === null ? null : Number(v)),
  };
}
