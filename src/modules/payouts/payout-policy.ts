import type { RewardKind } from '@/modules/programs/reward-rule.entity';

/**
 * Reward kinds finance pays out. Points and coupons are redeemed in the brand's shop, and a
 * custom reward is whatever the brand fulfils itself: none of them is money sent to a person.
 */
export const PAYABLE_REWARD_KINDS: readonly RewardKind[] = ['cash', 'credit', 'gift_card'];

/**
 * Payouts pay advocates. A friend's reward is fulfilled by the brand at checkout (Tandem knows
 * the friend only as the brand's customer id), so friend rewards never enter a payout batch.
 */
export const PAYOUT_RECIPIENT = 'advocate';

/**
 * The advisory lock that serializes batch creation per brand (exclusive) with the decisions
 * that must see a batch being created, such as rejecting a reward (shared): a transaction-level
 * `pg_advisory_xact_lock(hashtextextended(key, 0))`.
 */
export function payoutLockKey(brandId: string): string {
  return `payouts:${brandId}`;
}
