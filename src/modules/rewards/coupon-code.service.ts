import { Injectable } from '@nestjs/common';
import { AppError } from '@/common/errors/app-error';
import { CouponCodeRepository } from '@/modules/rewards/coupon-code.repository';
import type { CouponCodeStatus } from '@/modules/rewards/coupon-code.entity';
import {
  AddedCouponCodesDto,
  CouponPoolDto,
  couponCodeIssues,
} from '@/modules/rewards/dto/coupon-code.dto';

/**
 * Coupon pools. A coupon rule whose pool the brand ever filled gives codes from it only (and
 * reports coupon_pool_empty when it runs dry); a rule without a pool gets generated codes.
 */
@Injectable()
export class CouponCodeService {
  constructor(private readonly codes: CouponCodeRepository) {}

  async add(
    brandId: string,
    programId: string,
    ruleId: string,
    codes: string[],
  ): Promise<AddedCouponCodesDto> {
    const issues = couponCodeIssues(codes);
    if (issues.length > 0) throw AppError.validation(issues);
    const rule = await this.codes.findRule(brandId, programId, ruleId);
    if (!rule) throw AppError.notFound('Reward rule');
    if (rule.kind !== 'coupon') {
      throw new AppError('unprocessable', 'Only coupon rules take coupon codes', [
        { field: 'ruleId', issue: `is a ${rule.kind} rule, not a coupon rule` },
      ]);
    }
    if (!rule.active) {
      throw new AppError('conflict', 'This reward rule was deleted', [
        { field: 'ruleId', issue: 'is deleted' },
      ]);
    }
    const added = await this.codes.addCodes(brandId, ruleId, codes);
    return { added, duplicates: codes.length - added };
  }

  async count(
    brandId: string,
    programId: string,
    ruleId: string,
    status?: CouponCodeStatus,
  ): Promise<CouponPoolDto> {
    const rule = await this.codes.findRule(brandId, programId, ruleId);
    if (!rule) throw AppError.notFound('Reward rule');
    const counts = await this.codes.countByStatus(brandId, ruleId);
    if (status === 'available') return { ruleId, available: counts.available };
    if (status === 'assigned') return { ruleId, assigned: counts.assigned };
    return { ruleId, ...counts };
  }
}
