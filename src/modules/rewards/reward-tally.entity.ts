import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintAmount } from '@/common/money/money';

/**
 * Running totals behind budgets (`program:<id>`, `rule:<id>`), so a budget check reads one
 * locked row instead of summing every reward. `basis` is the updatedAt of the program or rule
 * the total was built for: after a configuration change the total is rebuilt from the rewards.
 */
@Entity('reward_tallies')
export class RewardTallyEntity {
  @PrimaryColumn('text')
  key: string;

  @Column('text')
  brandId: string;

  @Column('bigint', { default: 0, transformer: bigintAmount })
  count: number;

  @Column('bigint', { default: 0, transformer: bigintAmount })
  amount: number;

  @Column('text')
  basis: string;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
