import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '@/common/pagination/pagination';
import { IsCurrencyCode } from '@/modules/programs/dto/validators';
import { PAYOUT_BATCH_STATUSES, PayoutBatchStatus } from '@/modules/payouts/payout-batch.entity';

export class ListPayoutBatchesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: PAYOUT_BATCH_STATUSES })
  @IsOptional()
  @IsIn(PAYOUT_BATCH_STATUSES)
  status?: PayoutBatchStatus;

  @ApiPropertyOptional({ example: 'USD' })
  @IsOptional()
  @IsCurrencyCode()
  currency?: string;
}
