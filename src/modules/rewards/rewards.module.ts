import { Module } from '@nestjs/common';
import { CouponCodeController } from '@/modules/rewards/coupon-code.controller';
import { CouponCodeRepository } from '@/modules/rewards/coupon-code.repository';
import { CouponCodeService } from '@/modules/rewards/coupon-code.service';
import { RefundRepository } from '@/modules/rewards/refund.repository';
import { RewardApprovalJob } from '@/modules/rewards/reward-approval.job';
import { RewardIssuer } from '@/modules/rewards/reward-issuer';
import { RewardUsageRepository } from '@/modules/rewards/reward-usage.repository';
import { RewardController } from '@/modules/rewards/reward.controller';
import { RewardRepository } from '@/modules/rewards/reward.repository';
import { RewardService } from '@/modules/rewards/reward.service';

/** Rewards: rule evaluation and issuing, the approval job, the rewards API and coupon pools. */
@Module({
  controllers: [RewardController, CouponCodeController],
  providers: [
    RewardUsageRepository,
    RewardIssuer,
    RefundRepository,
    RewardRepository,
    RewardService,
    RewardApprovalJob,
    CouponCodeRepository,
    CouponCodeService,
  ],
  exports: [RewardIssuer, RefundRepository],
})
export class RewardsModule {}
