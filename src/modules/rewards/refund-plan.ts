import { proportionalReversal } from '@/modules/rewards/reward-math';
import type { RewardStatus } from '@/modules/rewards/reward.entity';

export interface ReversibleReward {
  kind: string;
  amount: number | null;
  reversedAmount: number;
  percent: string | number | null;
  status: RewardStatus;
}

export type ReversalPlan =
  | { action: 'none' }
  /** Pending, approved or held: take back `delta` (and mark reversed when nothing is left). */
  | { action: 'reverse'; delta: number; full: boolean }
  /** Already paid: a negative clawback reward of `delta` nets out of the next payout. */
  | { action: 'clawback'; delta: number; full: boolean };

/**
 * What a refund does to one reward of the order, given everything refunded so far
 * (`refundedTotal`, this refund included). Percent-of-order rewards shrink in proportion
 * (rounded half-up, cumulatively: see proportionalReversal); fixed rewards (and percent-off
 * coupons, which have no amount) go only when the order is refunded in full.
 */
export function planReversal(
  reward: ReversibleReward,
  orderAmount: number,
  refundedTotal: number,
): ReversalPlan {
  if (reward.status === 'rejected' || reward.status === 'reversed') return { action: 'none' };
  const fullRefund = refundedTotal >= orderAmount;
  const amount = reward.amount ?? 0;
  const proportional =
    reward.percent !== null && reward.amount !== null && reward.kind !== 'coupon';
  const target = proportional
    ? proportionalReversal(amount, refundedTotal, orderAmount)
    : fullRefund
      ? amount
      : 0;
  const delta = Math.max(0, target - reward.reversedAmount);
  const full = amount > 0 ? reward.reversedAmount + delta >= amount : fullRefund;
  if (reward.status === 'paid') {
    return delta > 0 ? { action: 'clawback', delta, full } : { action: 'none' };
  }
  if (delta === 0 && !(full && amount === 0)) return { action: 'none' };
  return { action: 'reverse', delta, full };
}
