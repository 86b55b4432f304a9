import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { toSafeInteger } from '@/common/money/money';
import { INTEGER, MONEY } from '@/common/openapi/schema';
import { PageQueryDto } from '@/common/pagination/pagination';
import { IsCurrencyCode } from '@/modules/programs/dto/validators';
import type {
  AdvocateBalanceRow,
  BalanceFigures,
  BalanceTotalsRow,
} from '@/modules/payouts/payout-balance.repository';

export class BalanceQueryDto extends PageQueryDto {
  @ApiProperty({ example: 'USD', description: 'ISO 4217: balances are per currency' })
  @IsCurrencyCode()
  currency: string;

  @ApiPropertyOptional({
    example: 'adv_4f9T2kQ8mZ1xYb7cD3eF',
    maxLength: 64,
    description: 'Only this advocate',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  advocateId?: string;
}

/** Signed sums in minor units of the currency. */
export class BalanceFiguresDto {
  @ApiProperty({ ...MONEY, example: 2500, description: 'Rewards pending (hold period running)' })
  pending: number;

  @ApiProperty({ ...MONEY, example: 0, description: 'Rewards held for review' })
  held: number;

  @ApiProperty({
    ...MONEY,
    example: 1000,
    description: 'Approved rewards in no batch yet: to be paid',
  })
  approvedUnpaid: number;

  @ApiProperty({
    ...MONEY,
    example: 4000,
    description: 'What created or exported batches will pay (their lines, clawbacks netted)',
  })
  inOpenBatches: number;

  @ApiProperty({
    ...MONEY,
    example: 12000,
    description: 'What paid batches paid (net of their clawbacks)',
  })
  paid: number;

  @ApiProperty({
    ...MONEY,
    example: -430,
    description: 'Clawbacks in no batch yet (0 or negative): owed back, netted by the next batch',
  })
  clawbacksOutstanding: number;
}

export class AdvocateBalanceDto extends BalanceFiguresDto {
  @ApiProperty({ example: 'adv_4f9T2kQ8mZ1xYb7cD3eF' })
  advocateId: string;

  @ApiProperty({ type: String, nullable: true, example: 'cust_1001' })
  advocateExternalId: string | null;
}

export class BalanceTotalsDto extends BalanceFiguresDto {
  @ApiProperty({
    ...INTEGER,
    example: 412,
    description: 'Advocates with any figure in the currency',
  })
  advocates: number;
}

export class BalancePageDto {
  @ApiProperty({ example: 'USD' })
  currency: string;

  @ApiProperty({
    type: BalanceTotalsDto,
    description: 'Over every advocate of the brand in the currency (not only this page)',
  })
  totals: BalanceTotalsDto;

  @ApiProperty({ type: [AdvocateBalanceDto] })
  data: AdvocateBalanceDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

function figures(r: BalanceFigures): BalanceFiguresDto {
  return {
    pending: toSafeInteger(r.pending),
    held: toSafeInteger(r.held),
    approvedUnpaid: toSafeInteger(r.approved_unpaid),
    inOpenBatches: toSafeInteger(r.in_open_batches),
    paid: toSafeInteger(r.paid),
    clawbacksOutstanding: toSafeInteger(r.clawbacks_outstanding),
  };
}

export function toAdvocateBalanceDto(r: AdvocateBalanceRow): AdvocateBalanceDto {
  return { advocateId: r.advocate_id, advocateExternalId: r.external_id, ...figures(r) };
}

export function toBalanceTotalsDto(r: BalanceTotalsRow): BalanceTotalsDto {
  return { advocates: r.advocates, ...figures(r) };
}
