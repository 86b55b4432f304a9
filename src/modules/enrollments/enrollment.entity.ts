import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
} from 'typeorm';
import { ProgramEntity } from '@/modules/programs/program.entity';
import { AdvocateEntity } from '@/modules/advocates/advocate.entity';

@Entity('enrollments')
@Index('enrollments_program_advocate_key', ['programId', 'advocateId'], { unique: true })
@Index('enrollments_brand_code_key', ['brandId', 'code'], { unique: true })
@Index('enrollments_brand_advocate_idx', ['brandId', 'advocateId'])
export class EnrollmentEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('text')
  brandId: string;

  @Column('text')
  programId: string;

  @Column('text')
  advocateId: string;

  @ManyToOne(() => ProgramEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'program_id' })
  program?: ProgramEntity;

  @ManyToOne(() => AdvocateEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'advocate_id' })
  advocate?: AdvocateEntity;

  /** Referral code, stored upper-case; unique per brand, typed case-insensitively. */
  @Column('text')
  code: string;

  @Column('boolean', { default: false })
  vanity: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
