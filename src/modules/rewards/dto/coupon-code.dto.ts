import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Matches,
} from 'class-validator';
import { COUPON_CODE_STATUSES, CouponCodeStatus } from '@/modules/rewards/coupon-code.entity';

export const MAX_COUPON_CODES = 10_000;
const COUPON_CODE = /^[\x21-\x7e]{1,64}$/;

export class AddCouponCodesDto {
  @ApiProperty({
    type: [String],
    example: ['WELCOME-7Q2K', 'WELCOME-9XPM'],
    maxItems: MAX_COUPON_CODES,
    description:
      '1-64 printable characters each, kept as given (case-sensitive). Codes already in the pool ' +
      'or repeated in the request are counted as duplicates and added once.',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_COUPON_CODES)
  @IsString({ each: true })
  @Matches(COUPON_CODE, {
    each: true,
    message: 'each code must be 1-64 printable characters without spaces',
  })
  codes: string[];
}

export class AddedCouponCodesDto {
  @ApiProperty({ example: 2 })
  added: number;

  @ApiProperty({ example: 0 })
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

  @ApiPropertyOptional({ description: 'Codes not given yet (absent when status=assigned)' })
  available?: number;

  @ApiPropertyOptional({ description: 'Codes given to rewards (absent when status=available)' })
  assigned?: number;
}
