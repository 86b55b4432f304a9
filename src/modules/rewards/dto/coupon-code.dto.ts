import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional } from 'class-validator';
import type { ErrorDetail } from '@/common/errors/app-error';
import { INTEGER } from '@/common/openapi/schema';
import { COUPON_CODE_STATUSES, CouponCodeStatus } from '@/modules/rewards/coupon-code.entity';

export const MAX_COUPON_CODES = 10_000;
const COUPON_CODE = /^[\x21-\x7e]{1,64}$/;

export class AddCouponCodesDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'string', minLength: 1, maxLength: 64, pattern: COUPON_CODE.source },
    example: ['WELCOME-7Q2K', 'WELCOME-9XPM'],
    minItems: 1,
    maxItems: MAX_COUPON_CODES,
    description:
      '1-64 printable characters each, kept as given (case-sensitive). Codes already in the pool ' +
      'or repeated in the request are counted as duplicates and added once. A bad code answers ' +
      '400 naming its position (`codes[3]`; the first 100, then `codes` with how many more) ' +
      'and nothing is added.',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_COUPON_CODES)
  codes: string[];
}

const MAX_CODE_DETAILS = 100;

/**
 * Each bad code named by its position (`codes[4817]`), so a brand can find it in a file of
 * 10,000; at most the first 100, then one `codes` entry counting the rest. Empty when all pass.
 */
export function couponCodeIssues(codes: unknown[]): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  let more = 0;
  codes.forEach((code, i) => {
    if (typeof code === 'string' && COUPON_CODE.test(code)) return;
    if (details.length < MAX_CODE_DETAILS) {
      details.push({
        field: `codes[${i}]`,
        issue:
          typeof code === 'string'
            ? 'must be 1-64 printable characters without spaces'
            : 'must be a string',
      });
    } else more += 1;
  });
  if (more > 0) details.push({ field: 'codes', issue: `has ${more} more invalid codes` });
  return details;
}

export class AddedCouponCodesDto {
  @ApiProperty({ ...INTEGER, example: 2 })
  added: number;

  @ApiProperty({ ...INTEGER, example: 0 })
  duplicates: number;
}

export class CouponPoolQueryDto {
  @ApiPropertyOptional({ enum: COUPON_CODE_STATUSES, description: 'Count only this status' })
  @IsOptional()
  @IsIn(COUPON_CODE_STATUSES)
  status?: CouponCodeStatus;
}

export class CouponPoolDto {
  @ApiProperty()
  ruleId: string;

  @ApiPropertyOptional({
    ...INTEGER,
    description: 'Codes not given yet (absent when status=assigned)',
  })
  available?: number;

  @ApiPropertyOptional({
    ...INTEGER,
    description: 'Codes given to rewards (absent when status=available)',
  })
  assigned?: number;
}
