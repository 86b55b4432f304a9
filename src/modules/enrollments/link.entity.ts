import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
} from 'typeorm';
import { EnrollmentEntity } from '@/modules/enrollments/enrollment.entity';
import { CtaEntity } from '@/modules/programs/cta.entity';

/** One tracked link per (enrollment, CTA). The slug is global: the redirect has no brand. */
@Entity('links')
@Index('links_slug_key', ['slug'], { unique: true })
@Index('links_enrollment_cta_key', ['enrollmentId', 'ctaId'], { unique: true })
@Index('links_brand_advocate_idx', ['brandId', 'advocateId'])
@Index('links_cta_idx', ['ctaId'])
export class LinkEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('text')
  brandId: string;

  @Column('text')
  programId: string;

  @Column('text')
  ctaId: string;

  @Column('text')
  advocateId: string;

  @Column('text')
  enrollmentId: string;

  @ManyToOne(() => EnrollmentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'enrollment_id' })
  enrollment?: EnrollmentEntity;

  @ManyToOne(() => CtaEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'cta_id' })
  cta?: CtaEntity;

  @Column('text')
  slug: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
