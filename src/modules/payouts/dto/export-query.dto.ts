import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import {
  EXPORT_DETAILS,
  EXPORT_FORMATS,
  ExportDetail,
  ExportFormat,
} from '@/modules/payouts/payout-export-format';

export class ExportPayoutBatchQueryDto {
  @ApiPropertyOptional({
    enum: EXPORT_FORMATS,
    default: 'csv',
    description: 'csv: RFC 4180 with a header row; json: NDJSON, one object per line',
  })
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  format?: ExportFormat;

  @ApiPropertyOptional({
    enum: EXPORT_DETAILS,
    default: 'advocates',
    description: 'advocates: one line per advocate paid; rewards: one line per reward or clawback',
  })
  @IsOptional()
  @IsIn(EXPORT_DETAILS)
  detail?: ExportDetail;
}
