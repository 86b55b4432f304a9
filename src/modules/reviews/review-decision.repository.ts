import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { looksLikeId } from '@/common/ids';
import { returnedRows } from '@/database/returned-rows';
import type { ReferralStatus, ReviewStatus } from '@/modules/attribution/referral.entity';
import { FRAUD_HOLD_REASON } from '@/modules/fraud/fraud-hold.repository';
import { IN_OPEN_PAYOUT_BATCH, waitForPayoutBatchCreation } from '@/modules/payouts/payout-policy';
import type { RewardStatus } from '@/modules/rewards/reward.entity';

export const REVIEW_REJECTED_REASON = 'review_rejected';

export interface LockedReferral {
  id: string;
  status: ReferralStatus;
  review_status: ReviewStatus | null;
  reviewed_at: Date | null;
  review_note: string | null;
}

export interface LockedReward {
  id: string;
  status: RewardStatus;
  reason: string | null;
  referral_id: string | null;
  /** Its referral is held for review (then the referral is what gets decided). */
  referral_held: boolean;
  review_decision: 'approved' | 'rejected' | null;
  reviewed_at: Date | null;
  review_note: string | null;
}

export interface RejectedReward {
  id: string;
  rule_id: string;
  program_id: string;
  kind: string;
  currency: string | null;
  amount: string | null;
  reversed_amount: string;
}

/**
 * The SQL of review decisions, each run inside the decision's transaction. A referral decision
 * locks the friend's customer row first: the event transactions of that friend lock it too, so
 * an event is recorded entirely before the decision or entirely after it (never a reward issued
 * held on a referral approved meanwhile).
 */
@Injectable()
export class ReviewDecisionRepository {
  async lockReferral(
    em: EntityManager,
    brandId: string,
    id: string,
  ): Promise<LockedReferral | undefined> {
    if (!looksLikeId('referral', id)) return undefined;
    await em.query(
      `SELECT c.id FROM customers c
        WHERE c.brand_id = $1
          AND c.id = (SELECT customer_id FROM referrals WHERE brand_id = $1 AND id = $2)
          FOR UPDATE`,
      [brandId, id],
    );
    const rows: LockedReferral[] = await em.query(
      `SELECT id, status, review_status, reviewed_at, review_note FROM referrals
        WHERE brand_id = $1 AND id = $2 FOR UPDATE`,
      [brandId, id],
    );
    return rows[0];
  }

  async lockReward(
    em: EntityManager,
    brandId: string,
    id: string,
  ): Promise<LockedReward | undefined> {
    if (!looksLikeId('reward', id)) return undefined;
    const rows: LockedReward[] = await em.query(
      `SELECT w.id, w.status, w.reason, w.referral_id, w.review_decision, w.reviewed_at,
              w.review_note,
              coalesce(r.review_status = 'held' AND r.status <> 'rejected', false) AS referral_held
         FROM rewards w LEFT JOIN referrals r ON r.id = w.referral_id AND r.brand_id = w.brand_id
        WHERE w.brand_id = $1 AND w.id = $2
          FOR UPDATE OF w`,
      [brandId, id],
    );
    return rows[0];
  }

  /** Approves the referral's review and releases its fraud-held rewards; returns them. */
  async approveReferral(
    em: EntityManager,
    brandId: string,
    id: string,
    note: string | null,
  ): Promise<{ id: string; status: RewardStatus }[]> {
    await em.query(
      `UPDATE referrals SET review_status = 'approved', reviewed_at = now(), review_note = $3,
              updated_at = now()
        WHERE brand_id = $1 AND id = $2`,
      [brandId, id, note],
    );
    return returnedRows(
      await em.query(
        `UPDATE rewards SET ${RELEASE}
          WHERE brand_id = $1 AND referral_id = $2 AND status = 'held' AND reason = $3
         RETURNING id, status`,
        [brandId, id, FRAUD_HOLD_REASON],
      ),
    );
  }

  /**
   * Rejects the referral and every reward of it money could still flow to: not one paid, nor
   * one in a payout batch (that batch's to pay or cancel; a batch being created is waited for).
   */
  async rejectReferral(
    em: EntityManager,
    brandId: string,
    id: string,
    note: string | null,
  ): Promise<RejectedReward[]> {
    await waitForPayoutBatchCreation(em, brandId);
    await em.query(
      `UPDATE referrals SET status = 'rejected', reason = $3, rejected_at = now(),
              review_status = 'rejected', reviewed_at = now(), review_note = $4, updated_at = now()
        WHERE brand_id = $1 AND id = $2`,
      [brandId, id, REVIEW_REJECTED_REASON, note],
    );
    return returnedRows<RejectedReward>(
      await em.query(
        `UPDATE rewards w SET ${REJECT}
          WHERE brand_id = $1 AND referral_id = $2 AND status IN ('pending', 'held', 'approved')
            AND payout_batch_id IS NULL AND clawback_of IS NULL AND NOT ${IN_OPEN_PAYOUT_BATCH}
         RETURNING ${REJECTED_COLUMNS}`,
        [brandId, id, REVIEW_REJECTED_REASON],
      ),
    );
  }

  /** Releases a reward held on its own, recording the review's decision. */
  async releaseReward(
    em: EntityManager,
    brandId: string,
    id: string,
    note: string | null,
  ): Promise<{ id: string; status: RewardStatus }[]> {
    return returnedRows(
      await em.query(
        `UPDATE rewards SET ${RELEASE}, ${DECIDED('approved')}
          WHERE brand_id = $1 AND id = $2 RETURNING id, status`,
        [brandId, id, note],
      ),
    );
  }

  /** Rejects a reward held on its own, recording the review's decision. */
  async rejectReward(
    em: EntityManager,
    brandId: string,
    id: string,
    note: string | null,
  ): Promise<RejectedReward[]> {
    return returnedRows<RejectedReward>(
      await em.query(
        `UPDATE rewards SET ${REJECT}, ${DECIDED('rejected', 4)}
          WHERE brand_id = $1 AND id = $2 AND status = 'held'
         RETURNING ${REJECTED_COLUMNS}`,
        [brandId, id, REVIEW_REJECTED_REASON, note],
      ),
    );
  }

  /** Relative changes of budget tallies (only rows that exist: see RewardTallyEntity). */
  async adjustTallies(
    em: EntityManager,
    brandId: string,
    deltas: { key: string; count: number; amount: number }[],
  ): Promise<void> {
    if (deltas.length === 0) return;
    await em.query(
      `UPDATE reward_tallies t SET count = t.count + d.count, amount = t.amount + d.amount,
              updated_at = now()
         FROM unnest($2::text[], $3::bigint[], $4::bigint[]) AS d(key, count, amount)
        WHERE t.brand_id = $1 AND t.key = d.key`,
      [brandId, deltas.map((d) => d.key), deltas.map((d) => d.count), deltas.map((d) => d.amount)],
    );
  }

  async rewardStatuses(
    em: EntityManager,
    brandId: string,
    by: { referralId: string } | { rewardId: string },
  ): Promise<{ id: string; status: string }[]> {
    const byReferral = 'referralId' in by;
    return em.query(
      `SELECT id, status FROM rewards
        WHERE brand_id = $1 AND ${byReferral ? 'referral_id' : 'id'} = $2 AND clawback_of IS NULL
        ORDER BY created_at, recipient, rule_id, id`,
      [brandId, byReferral ? by.referralId : by.rewardId],
    );
  }
}

/** Back to where the hold period leaves it: approved once available_at has passed, else pending. */
const RELEASE = `status = CASE WHEN available_at <= now() THEN 'approved' ELSE 'pending' END,
  approved_at = CASE WHEN available_at <= now() THEN coalesce(approved_at, now()) END,
  reason = NULL, updated_at = now()`;
const REJECT = `status = 'rejected', reason = $3, rejected_at = now(), updated_at = now()`;
const DECIDED = (decision: 'approved' | 'rejected', noteParam = 3) =>
  `review_decision = '${decision}', reviewed_at = now(), review_note = $${noteParam}`;
const REJECTED_COLUMNS = `id, rule_id, program_id, kind, currency, amount, reversed_amount`;
