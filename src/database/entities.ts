import { AdvocateEntity } from '@/modules/advocates/advocate.entity';
import { ApiKeyEntity } from '@/modules/brands/api-key.entity';
import { BrandEntity } from '@/modules/brands/brand.entity';
import { EnrollmentEntity } from '@/modules/enrollments/enrollment.entity';
import { LinkEntity } from '@/modules/enrollments/link.entity';
import { CtaEntity } from '@/modules/programs/cta.entity';
import { ProgramEntity } from '@/modules/programs/program.entity';
import { RewardRuleEntity } from '@/modules/programs/reward-rule.entity';
import { ShareEntity } from '@/modules/shares/share.entity';
import { ClickEntity } from '@/modules/tracking/click.entity';
import { ReferralEntity } from '@/modules/attribution/referral.entity';
import { CustomerEntity } from '@/modules/events/customer.entity';
import { EventEntity } from '@/modules/events/event.entity';
import { CouponCodeEntity } from '@/modules/rewards/coupon-code.entity';
import { RewardTallyEntity } from '@/modules/rewards/reward-tally.entity';
import { RewardEntity } from '@/modules/rewards/reward.entity';
import { ProgramFraudRulesEntity } from '@/modules/fraud/program-fraud-rules.entity';
import { WebhookAttemptEntity } from '@/modules/webhooks/webhook-attempt.entity';
import { WebhookDeliveryEntity } from '@/modules/webhooks/webhook-delivery.entity';
import { WebhookEndpointEntity } from '@/modules/webhooks/webhook-endpoint.entity';
import { WebhookEventEntity } from '@/modules/webhooks/webhook-event.entity';
import { PayoutBatchAdvocateEntity } from '@/modules/payouts/payout-batch-advocate.entity';
import { PayoutBatchItemEntity } from '@/modules/payouts/payout-batch-item.entity';
import { PayoutBatchEntity } from '@/modules/payouts/payout-batch.entity';
import { KpiFoldQueueEntity } from '@/modules/analytics/kpi-fold-queue.entity';
import { KpiDirtyDayEntity } from '@/modules/analytics/kpi-dirty-day.entity';
import { KpiRollupEntity } from '@/modules/analytics/kpi-rollup.entity';
import { KpiRewardCostDeltaEntity } from '@/modules/analytics/kpi-reward-cost-delta.entity';
import { KpiVisitorEntity } from '@/modules/analytics/kpi-visitor.entity';

/** Every TypeORM entity, registered once for the app, the tests and the migration CLI. */
export const ENTITIES = [
  BrandEntity,
  ApiKeyEntity,
  ProgramEntity,
  CtaEntity,
  RewardRuleEntity,
  AdvocateEntity,
  EnrollmentEntity,
  LinkEntity,
  ClickEntity,
  ShareEntity,
  CustomerEntity,
  EventEntity,
  ReferralEntity,
  RewardEntity,
  CouponCodeEntity,
  RewardTallyEntity,
  // webhooks and fraud rules (issue 8)
  ProgramFraudRulesEntity,
  WebhookEndpointEntity,
  WebhookEventEntity,
  WebhookDeliveryEntity,
  WebhookAttemptEntity,
  PayoutBatchEntity,
  PayoutBatchItemEntity,
  PayoutBatchAdvocateEntity,
  KpiRollupEntity,
  KpiRewardCostDeltaEntity,
  KpiVisitorEntity,
  KpiDirtyDayEntity,
  KpiFoldQueueEntity,
];
