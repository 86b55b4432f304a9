import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAmount } from '@/common/money/money';

/** One advocate's line of a payout batch: what they are paid, summed from their items. */
@Entity('payout_batch_advocates')
export class PayoutBatchAdvocateEntity {
  @PrimaryColumn('text')
  batchId: string;

  @PrimaryColumn('text')
  advocateId: string;

  @Column('text')
  brandId: string;

  /** Net amount paid to the advocate (> 0), minor units. */
  @Column('bigint', { transformer: bigintAmount })
  amount: number;

  /** Items of the advocate in the batch, clawbacks included. */
  @Column('int')
  rewardCount: number;

  /** The advocate's clawbacks netted in this batch (≤ 0). */
  @Column('bigint', { transformer: bigintAmount })
  clawbackAmount: number;

  /** Earliest and latest occurredAt of the advocate's items (a clawback: its refund's). */
  @Column('timestamptz')
  periodStart: Date;

  @Column('timestamptz')
  periodEnd: Date;
}
