import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CursorPosition } from '@/common/pagination/pagination';
import type { FraudRuleKey } from '@/modules/fraud/fraud-rules';
import { FRAUD_HOLD_REASON } from '@/modules/fraud/fraud-hold.repository';
import type { ReviewItemStatus, ReviewType } from '@/modules/reviews/dto/review.dto';

export interface ReviewFilters {
  type?: ReviewType;
  status?: ReviewItemStatus;
  rule?: FraudRuleKey;
  programId?: string;
  advocateId?: string;
  from?: string;
  to?: string;
}

/**
 * The review queue of a brand in one keyset order (newest flag first): referrals held by fraud
 * rules, rejected referrals, and rewards held for another reason (a paused advocate). Rewards
 * held with their referral are shown inside the referral's item, not on their own — unless the
 * referral is no longer held (attribution rejected it meanwhile): then they are items of their
 * own, so nothing held is ever out of reach.
 */
@Injectable()
export class ReviewRepository {
  constructor(private readonly dataSource: DataSource) {}

  listByBrand(
    brandId: string,
    f: ReviewFilters,
    limit: number,
    after?: CursorPosition,
  ): Promise<Record<string, any>[]> {
    return this.dataSource.query(
      `SELECT x.*, x.flagged_at::text AS cursor_at FROM (
         SELECT 'referral' AS type, r.id, 'held' AS status, '${FRAUD_HOLD_REASON}' AS reason,
                r.review_reasons AS reasons, r.program_id, r.advocate_id,
                c.external_id AS customer_external_id, r.first_event_id AS event_id,
                NULL::text AS recipient, NULL::text AS kind, NULL::bigint AS amount,
                NULL::text AS currency, r.held_at AS flagged_at, r.reviewed_at, r.review_note AS note
           FROM referrals r LEFT JOIN customers c ON c.id = r.customer_id AND c.brand_id = r.brand_id
          WHERE r.brand_id = $1 AND r.review_status = 'held' AND r.status <> 'rejected'
            AND ($2::text IS NULL OR $2 = 'referral') AND ($3::text IS NULL OR $3 = 'held')
         UNION ALL
         SELECT 'referral', r.id, 'rejected', r.reason, r.review_reasons, r.program_id,
                r.advocate_id, c.external_id, r.first_event_id, NULL, NULL, NULL, NULL,
                coalesce(r.held_at, r.rejected_at), r.reviewed_at, r.review_note
           FROM referrals r LEFT JOIN customers c ON c.id = r.customer_id AND c.brand_id = r.brand_id
          WHERE r.brand_id = $1 AND r.status = 'rejected'
            AND ($2::text IS NULL OR $2 = 'referral') AND ($3::text IS NULL OR $3 = 'rejected')
         UNION ALL
         SELECT 'reward', w.id, 'held', w.reason, NULL, w.program_id, w.advocate_id,
                c.external_id, w.event_id, w.recipient, w.kind, w.amount, w.currency, w.created_at,
                NULL, NULL
           FROM rewards w LEFT JOIN customers c ON c.id = w.customer_id AND c.brand_id = w.brand_id
          WHERE w.brand_id = $1 AND w.status = 'held'
            AND (w.reason IS DISTINCT FROM '${FRAUD_HOLD_REASON}' OR NOT EXISTS (
                   SELECT 1 FROM referrals h WHERE h.id = w.referral_id AND h.brand_id = w.brand_id
                      AND h.review_status = 'held' AND h.status <> 'rejected'))
            AND ($2::text IS NULL OR $2 = 'reward') AND ($3::text IS NULL OR $3 = 'held')
       ) x
       WHERE ($4::text IS NULL OR x.program_id = $4)
         AND ($5::text IS NULL OR x.advocate_id = $5)
         AND ($6::text IS NULL
              OR x.reasons @> jsonb_build_array(jsonb_build_object('rule', $6::text))
              OR ($6 = 'selfReferral' AND x.reason = 'self_referral'))
         AND ($7::timestamptz IS NULL OR x.flagged_at >= $7)
         AND ($8::timestamptz IS NULL OR x.flagged_at < $8)
         AND ($9::timestamptz IS NULL OR (x.flagged_at, x.id) < ($9::timestamptz, $10::text))
       ORDER BY x.flagged_at DESC, x.id DESC
       LIMIT $11`,
      [
        brandId,
        f.type ?? null,
        f.status ?? null,
        f.programId ?? null,
        f.advocateId ?? null,
        f.rule ?? null,
        f.from ?? null,
        f.to ?? null,
        after?.k ?? null,
        after?.id ?? null,
        limit + 1,
      ],
    );
  }

  /** The rewards of these referrals (clawbacks excluded), oldest first. */
  rewardsOfReferrals(brandId: string, referralIds: string[]): Promise<Record<string, any>[]> {
    if (referralIds.length === 0) return Promise.resolve([]);
    return this.dataSource.query(
      `SELECT id, referral_id, recipient, kind, amount, currency, status, reason
         FROM rewards
        WHERE brand_id = $1 AND referral_id = ANY($2::text[]) AND clawback_of IS NULL
        ORDER BY created_at, recipient, rule_id, id`,
      [brandId, referralIds],
    );
  }
}
