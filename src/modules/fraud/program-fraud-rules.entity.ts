import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  OneToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { ProgramEntity } from '@/modules/programs/program.entity';
import type { FraudRulesInput } from '@/modules/fraud/fraud-rules';

/**
 * A program's fraud rule settings as the brand last sent them (PUT). A program without a row
 * uses the defaults; what a row leaves out takes the default too (resolveFraudRules).
 */
@Entity('program_fraud_rules')
export class ProgramFraudRulesEntity {
  @PrimaryColumn('text')
  programId: string;

  @OneToOne(() => ProgramEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'program_id' })
  program?: ProgramEntity;

  @Column('text')
  brandId: string;

  @Column('jsonb')
  rules: FraudRulesInput;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
