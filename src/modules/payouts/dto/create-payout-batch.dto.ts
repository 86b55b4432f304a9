import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { MAX_AMOUNT } from '@/common/money/money';
import { MONEY, TIMESTAMP_INPUT } from '@/common/openapi/schema';
import { IsAmount, IsCurrencyCode, IsTimestamp } from '@/modules/programs/dto/validators';

export class CreatePayoutBatchDto {
  @ApiProperty({ example: 'USD', description: 'ISO 4217, upper case: one batch per currency' })
  @IsCurrencyCode()
  currency: string;

  @ApiProperty({
    ...TIMESTAMP_INPUT,
    example: '2026-11-30T23:59:59Z',
    description:
      'Rewards whose availableAt (end of the hold period) is at or before this time are paid. ' +
      'Outstanding clawbacks are netted whatever their date.',
  })
  @IsTimestamp()
  cutoff: string;

  @ApiPropertyOptional({
    example: 'prg_8Hk2LmN4pQ6rS8tU0vWx',
    maxLength: 64,
    description: "Only this program's rewards and clawbacks; its currency must be `currency`.",
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  programId?: string;

  @ApiPropertyOptional({
    ...MONEY,
    minimum: 0,
    maximum: MAX_AMOUNT,
    example: 2000,
    description:
      'Smallest net amount paid to an advocate, minor units of `currency`. Default: the largest ' +
      "`minimumPayout` among the programs of the advocate's rewards (0 when none). Advocates " +
      'below it, or at 0 or less, are left out and carried to a later batch.',
  })
  @IsOptional()
  @IsAmount(0)
  minimumAmount?: number;
}
