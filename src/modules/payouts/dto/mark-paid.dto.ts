import { TIMESTAMP_INPUT } from '@/common/openapi/schema';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional } from 'class-validator';
import { IsText, IsTimestamp } from '@/modules/programs/dto/validators';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class MarkPaidDto {
  @ApiPropertyOptional({
    ...TIMESTAMP_INPUT,
    example: '2026-12-02T10:00:00Z',
    description:
      'When the money was sent; default now. Not before the batch was created, not in the future.',
  })
  @IsOptional()
  @IsTimestamp()
  paidAt?: string;

  @ApiPropertyOptional({
    example: 'SEPA-2026-12-02-001',
    minLength: 1,
    maxLength: 200,
    description: "Finance's payment reference (bank transfer id, payout provider batch id)",
  })
  @IsOptional()
  @Transform(trim)
  @IsText(1, 200)
  reference?: string;
}
