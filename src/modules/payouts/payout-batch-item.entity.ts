import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintAmount } from '@/common/money/money';

/**
 * One reward (or clawback) in a payout batch, with the amount the batch pays for it, fixed when
 * the batch is created: exports stay the same whatever happens to the reward afterwards.
 * The partial unique index is the guarantee that a reward is in at most one batch that is not
 * canceled (canceling sets `released`). No foreign keys: written in bulk, like rewards.
 * The primary key orders a batch by advocate, which is the order of the exports.
 */
@Entity('payout_batch_items')
@Index('payout_batch_items_reward_key', ['rewardId'], { unique: true, where: 'NOT "released"' })
export class PayoutBatchItemEntity {
  @PrimaryColumn('text')
  batchId: string;

  @PrimaryColumn('text')
  advocateId: string;

  @PrimaryColumn('text')
  rewardId: string;

  @Column('text')
  brandId: string;

  /** What the batch pays for this reward, minor units: amount − reversedAmount when taken; negative for a clawback. */
  @Column('bigint', { transformer: bigintAmount })
  amount: number;

  /** True once the batch is canceled: the reward may go into another batch. */
  @Column('boolean', { default: false })
  released: boolean;
}
