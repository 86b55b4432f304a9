import { ApiProperty } from '@nestjs/swagger';
import { toSafeInteger } from '@/common/money/money';
import { INTEGER, MONEY } from '@/common/openapi/schema';
import { PAYOUT_BATCH_STATUSES, PayoutBatchStatus } from '@/modules/payouts/payout-batch.entity';
import type { PayoutBatchRow } from '@/modules/payouts/payout-batch.repository';

export class PayoutBatchTotalsDto {
  @ApiProperty({ ...INTEGER, example: 412, description: 'Advocates paid' })
  advocates: number;

  @ApiProperty({ ...INTEGER, example: 1893, description: 'Lines: rewards and clawbacks' })
  rewards: number;

  @ApiProperty({
    ...MONEY,
    example: 1845000,
    description: 'Net amount to pay, minor units: the sum of every line, clawbacks included',
  })
  amount: number;

  @ApiProperty({
    ...MONEY,
    example: -4300,
    description: 'Clawbacks netted in the batch (0 or negative)',
  })
  clawbackAmount: number;
}

export class PayoutBatchCarriedDto {
  @ApiProperty({
    ...INTEGER,
    example: 37,
    description:
      'Advocates with payable rewards left out: below the minimum, or at 0 or less (banned ' +
      'advocates are counted in `banned` instead)',
  })
  advocates: number;

  @ApiProperty({
    ...MONEY,
    example: 41200,
    description: 'Their net amount, carried to a later batch',
  })
  amount: number;
}

export class PayoutBatchBannedDto {
  @ApiProperty({
    ...INTEGER,
    example: 1,
    description:
      'Advocates left out because their status was banned when the batch was created, whatever ' +
      'their net: their rewards and clawbacks stay approved and unpaid, and the first batch ' +
      'created after they are unbanned takes them',
  })
  advocates: number;

  @ApiProperty({ ...MONEY, example: 2000, description: 'Their net amount, not paid' })
  amount: number;
}

export class PayoutBatchDto {
  @ApiProperty({ example: 'pob_7Qm2Xc9LpR4tV8wZ1yBd' })
  id: string;

  @ApiProperty({
    enum: PAYOUT_BATCH_STATUSES,
    description:
      'created → exported (first export) → paid; created or exported → canceled (rewards released)',
  })
  status: PayoutBatchStatus;

  @ApiProperty({ example: 'USD' })
  currency: string;

  @ApiProperty({ format: 'date-time' })
  cutoff: string;

  @ApiProperty({ type: String, nullable: true })
  programId: string | null;

  @ApiProperty({
    ...MONEY,
    nullable: true,
    description: "The minimum asked for in the request; null: the programs' minimumPayout",
  })
  minimumAmount: number | null;

  @ApiProperty({ type: PayoutBatchTotalsDto })
  totals: PayoutBatchTotalsDto;

  @ApiProperty({ type: PayoutBatchCarriedDto })
  carried: PayoutBatchCarriedDto;

  @ApiProperty({ type: PayoutBatchBannedDto })
  banned: PayoutBatchBannedDto;

  @ApiProperty({ type: String, nullable: true })
  idempotencyKey: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Given when marked paid' })
  reference: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  exportedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  paidAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  canceledAt: string | null;
}

export class PayoutBatchPageDto {
  @ApiProperty({ type: [PayoutBatchDto] })
  data: PayoutBatchDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

const iso = (d: Date | null): string | null => (d === null ? null : new Date(d).toISOString());

export function toPayoutBatchDto(r: PayoutBatchRow): PayoutBatchDto {
  return {
    id: r.id,
    status: r.status,
    currency: r.currency,
    cutoff: iso(r.cutoff)!,
    programId: r.program_id,
    minimumAmount: r.minimum_amount === null ? null : toSafeInteger(r.minimum_amount),
    totals: {
      advocates: r.advocate_count,
      rewards: r.reward_count,
      amount: toSafeInteger(r.total_amount),
      clawbackAmount: toSafeInteger(r.clawback_amount),
    },
    carried: {
      advocates: r.carried_advocate_count,
      amount: toSafeInteger(r.carried_amount),
    },
    banned: {
      advocates: r.banned_advocate_count,
      amount: toSafeInteger(r.banned_amount),
    },
    idempotencyKey: r.idempotency_key,
    reference: r.reference,
    createdAt: iso(r.created_at)!,
    exportedAt: iso(r.exported_at),
    paidAt: iso(r.paid_at),
    canceledAt: iso(r.canceled_at),
  };
}

/** The `data` of the payout_batch.created, .paid and .canceled webhooks: the API's batch. */
export function toWebhookPayload(batch: PayoutBatchDto): Record<string, unknown> {
  return { ...batch };
}
