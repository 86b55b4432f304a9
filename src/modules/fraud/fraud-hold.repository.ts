import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppError } from '@/common/errors/app-error';
import { preparedQuery } from '@/database/prepared-query';
import type { FraudReason } from '@/modules/fraud/fraud-rules';
import { IN_OPEN_PAYOUT_BATCH, waitForPayoutBatchCreation } from '@/modules/payouts/payout-policy';

/** Hold reason of rewards waiting for their referral's review. */
export const FRAUD_HOLD_REASON = 'fraud_review';

/** A reward held with its referral is decided through the referral's review, on any route. */
export function heldWithReferral(referralId: string): AppError {
  return new AppError(
    'invalid_status_transition',
    `This reward is held with its referral: decide the referral's review (${referralId})`,
    [{ field: 'id', issue: `decide ${referralId} instead` }],
  );
}

/**
 * Puts referrals on hold with their reasons, and with them every reward of theirs that money
 * could still flow to (pending, or approved and not yet in a payout batch), in one statement.
 * A reason is added once per rule; rewards already held for another reason keep it.
 */
@Injectable()
export class FraudHoldRepository {
  async holdReferrals(
    em: EntityManager,
    brandId: string,
    holds: { referralId: string; reasons: FraudReason[] }[],
  ): Promise<void> {
    if (holds.length === 0) return;
    // A reward in a payout batch is that batch's to pay or cancel: a batch being created now
    // may be taking some of these rewards, so wait for it and leave what it took.
    await waitForPayoutBatchCreation(em, brandId);
    // The ids also as an array, so the planner looks them up by primary key even when the
    // statistics of fast-growing tables are stale (it scanned the brand's referrals instead).
    // Rewards follow their referrals (same brand by construction).
    await preparedQuery(
      em,
      'tandem_fraud_hold',
      `WITH h AS (
         SELECT * FROM json_to_recordset($2::json) AS h(referral_id text, reasons jsonb)),
       ref AS (
         UPDATE referrals r
            SET review_status = 'held', held_at = coalesce(r.held_at, now()), updated_at = now(),
                review_reasons = coalesce(r.review_reasons, '[]'::jsonb) || (
                  SELECT coalesce(jsonb_agg(x), '[]'::jsonb) FROM jsonb_array_elements(h.reasons) x
                   WHERE NOT coalesce(r.review_reasons, '[]'::jsonb)
                             @> jsonb_build_array(jsonb_build_object('rule', x->'rule')))
           FROM h
          WHERE r.id = ANY($3::text[]) AND r.id = h.referral_id AND r.brand_id = $1
            AND r.status <> 'rejected' AND (r.review_status IS NULL OR r.review_status = 'held')
          RETURNING r.id)
       UPDATE rewards w SET status = 'held', reason = '${FRAUD_HOLD_REASON}', updated_at = now()
         FROM ref
        WHERE w.referral_id = ref.id
          AND w.status IN ('pending', 'approved') AND w.payout_batch_id IS NULL
          AND w.clawback_of IS NULL AND NOT ${IN_OPEN_PAYOUT_BATCH}`,
      [
        brandId,
        JSON.stringify(holds.map((h) => ({ referral_id: h.referralId, reasons: h.reasons }))),
        holds.map((h) => h.referralId),
      ],
    );
  }
}
