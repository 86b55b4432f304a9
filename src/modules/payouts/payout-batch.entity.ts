import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintAmount } from '@/common/money/money';

export const PAYOUT_BATCH_STATUSES = ['created', 'exported', 'paid', 'canceled'] as const;
export type PayoutBatchStatus = (typeof PAYOUT_BATCH_STATUSES)[number];

/** Batches whose rewards are still committed to them (not paid yet, not released). */
export const OPEN_PAYOUT_BATCH_STATUSES: readonly PayoutBatchStatus[] = ['created', 'exported'];

/**
 * Finance's unit of payment: the approved, payable rewards of one currency up to a cutoff,
 * grouped per advocate (payout_batch_advocates) with one line per reward (payout_batch_items).
 * created → exported → paid, or canceled (its rewards become payable again). The totals are
 * written in the transaction that creates the batch and never change afterwards.
 */
@Entity('payout_batches')
@Index('payout_batches_brand_created_idx', ['brandId', 'createdAt', 'id'])
// Idempotency-Key: one batch per key and brand, whatever the retries.
@Index('payout_batches_brand_idempotency_key', ['brandId', 'idempotencyKey'], {
  unique: true,
  where: '"idempotency_key" IS NOT NULL',
})
export class PayoutBatchEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('text')
  brandId: string;

  @Column('text')
  status: PayoutBatchStatus;

  @Column('char', { length: 3 })
  currency: string;

  /** Rewards available (hold period over) at or before this time are taken. */
  @Column('timestamptz')
  cutoff: Date;

  /** Only this program's rewards (and clawbacks), when set. */
  @Column('text', { nullable: true })
  programId: string | null;

  /** The minimum net amount per advocate asked for in the request (else the programs'). */
  @Column('bigint', { nullable: true, transformer: bigintAmount })
  minimumAmount: number | null;

  @Column('text', { nullable: true })
  idempotencyKey: string | null;

  /** SHA-256 (hex) of the canonical request: the same key with another request → 409. */
  @Column('char', { length: 64 })
  requestHash: string;

  @Column('int', { default: 0 })
  advocateCount: number;

  /** Lines of the batch: rewards and clawbacks. */
  @Column('int', { default: 0 })
  rewardCount: number;

  /** Net amount to pay: the sum of every line, clawbacks included. Minor units. */
  @Column('bigint', { default: 0, transformer: bigintAmount })
  totalAmount: number;

  /** The clawbacks netted in this batch (≤ 0). */
  @Column('bigint', { default: 0, transformer: bigintAmount })
  clawbackAmount: number;

  /** Advocates with payable rewards left out (below the minimum or not above 0), not banned. */
  @Column('int', { default: 0 })
  carriedAdvocateCount: number;

  /** Their net amount, carried to a later batch. */
  @Column('bigint', { default: 0, transformer: bigintAmount })
  carriedAmount: number;

  /** Banned advocates whose payable rewards (and clawbacks) were left out: not carried. */
  @Column('int', { default: 0 })
  bannedAdvocateCount: number;

  /** Their net amount, left approved and unpaid until they are unbanned. */
  @Column('bigint', { default: 0, transformer: bigintAmount })
  bannedAmount: number;

  /** Finance's payment reference (bank transfer id…), given when marked paid. */
  @Column('text', { nullable: true })
  reference: string | null;

  @Column('timestamptz', { nullable: true })
  exportedAt: Date | null;

  @Column('timestamptz', { nullable: true })
  paidAt: Date | null;

  @Column('timestamptz', { nullable: true })
  canceledAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
