import type { EntityManager } from 'typeorm';
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

/**
 * Waits for a payout batch being created for the brand (shared side of payoutLockKey), so that
 * the statements after it see every reward that batch took.
 */
export async function waitForPayoutBatchCreation(em: EntityManager, brandId: string) {
  await em.query('SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 0))', [
    payoutLockKey(brandId),
  ]);
}

/**
 * SQL condition: the reward aliased `w` is in an open payout batch (its item not released by a
 * cancel). `rewards.payout_batch_id` is written only when the batch is paid.
 */
export const IN_OPEN_PAYOUT_BATCH = `EXISTS (SELECT 1 FROM payout_batch_items i
                 WHERE i.reward_id = w.id AND i.brand_id = w.brand_id AND NOT i.released)`;
