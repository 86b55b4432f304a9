import { readStoredAnswer } from '@/modules/events/event-answer';
import { toSafeInteger } from '@/common/money/money';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { Recipient, RewardKind } from '@/modules/programs/reward-rule.entity';
import type { RewardStatus } from '@/modules/rewards/reward.entity';
import type { EventReferralDto } from '@/modules/events/dto/event-result.dto';
import type { FraudReason } from '@/modules/fraud/fraud-rules';

export interface OrderPurchase {
  /** Our event id. */
  id: string;
  orderId: string;
  amount: number;
  currency: string;
  status: string;
  answer: Record<string, any> | null;
  /** The purchase's referral as it stands now (a reviewer may have acted since). */
  referral: EventReferralDto | null;
}

export interface RefundableReward {
  id: string;
  programId: string;
  ruleId: string;
  eventId: string;
  referralId: string | null;
  advocateId: string;
  customerId: string | null;
  recipient: Recipient;
  kind: RewardKind;
  amount: number | null;
  reversedAmount: number;
  currency: string | null;
  percent: string | null;
  status: RewardStatus;
}

/** Reads for refunds: the order's purchase, its rewards (locked), and what was refunded before. */
@Injectable()
export class RefundRepository {
  /**
   * The purchase of each order (one per order: events_brand_purchase_order_key), locked: refunds
   * of one order are decided one transaction at a time, so together they never exceed it.
   */
  async lockPurchases(
    em: EntityManager,
    brandId: string,
    orderIds: string[],
  ): Promise<Map<string, OrderPurchase>> {
    const rows: Record<string, any>[] = await em.query(
      `SELECT e.id, e.order_id, e.order_amount, e.order_currency, e.status, e.answer,
              r.id AS referral_id, r.status AS referral_status, r.review_status, r.review_reasons
         FROM events e
         LEFT JOIN referrals r ON r.id = e.referral_id AND r.brand_id = e.brand_id
        WHERE e.brand_id = $1 AND e.order_id = ANY($2::text[]) AND e.type = 'purchase'
          AND e.status IS NOT NULL
        ORDER BY e.id
          FOR UPDATE OF e`,
      [brandId, orderIds],
    );
    return new Map(
      rows.map((r) => [
        r.order_id,
        {
          id: r.id,
          orderId: r.order_id,
          amount: toSafeInteger(r.order_amount),
          currency: r.order_currency,
          status: r.status,
          answer: readStoredAnswer(r.answer),
          referral: r.referral_id ? referralNow(r) : null,
        },
      ]),
    );
  }

  /** The rewards of these purchase events, locked for the refund (clawbacks excluded). */
  async lockRewardsOfEvents(
    em: EntityManager,
    brandId: string,
    eventRowIds: string[],
  ): Promise<RefundableReward[]> {
    if (eventRowIds.length === 0) return [];
    const rows: Record<string, any>[] = await em.query(
      `SELECT id, program_id, rule_id, event_id, referral_id, advocate_id, customer_id, recipient,
              kind, amount, reversed_amount, currency, percent::text AS percent, status
         FROM rewards
        WHERE brand_id = $1 AND event_id = ANY($2::text[]) AND clawback_of IS NULL
        ORDER BY id
          FOR UPDATE`,
      [brandId, eventRowIds],
    );
    return rows.map((r) => ({
      id: r.id,
      programId: r.program_id,
      ruleId: r.rule_id,
      eventId: r.event_id,
      referralId: r.referral_id,
      advocateId: r.advocate_id,
      customerId: r.customer_id,
      recipient: r.recipient,
      kind: r.kind,
      amount: r.amount === null ? null : toSafeInteger(r.amount),
      reversedAmount: toSafeInteger(r.reversed_amount),
      currency: r.currency,
      percent: r.percent,
      status: r.status,
    }));
  }

  /**
   * Refunds recorded before (committed), per order, in the purchase's currency only. A refund
   * answered `unknown_order` (it overtook its purchase) reversed nothing and counts for nothing,
   * as in the KPIs: the shop sends it again under a new id.
   */
  async sumEarlierRefunds(
    em: EntityManager,
    brandId: string,
    orders: { orderId: string; currency: string }[],
  ): Promise<Map<string, number>> {
    if (orders.length === 0) return new Map();
    const rows: { order_id: string; total: string }[] = await em.query(
      `SELECT e.order_id, sum(e.order_amount) AS total
         FROM events e
         JOIN unnest($2::text[], $3::text[]) AS o(order_id, currency)
           ON e.order_id = o.order_id AND e.order_currency = o.currency
        WHERE e.brand_id = $1 AND e.type = 'refund' AND e.status IS NOT NULL
          AND e.reason IS DISTINCT FROM 'unknown_order'
        GROUP BY e.order_id`,
      [brandId, orders.map((o) => o.orderId), orders.map((o) => o.currency)],
    );
    return new Map(rows.map((r) => [r.order_id, toSafeInteger(r.total)]));
  }
}

function referralNow(r: Record<string, any>): EventReferralDto {
  const referral: EventReferralDto = { id: r.referral_id, status: r.referral_status };
  if (r.review_status === 'held') {
    const reasons = (r.review_reasons ?? []) as FraudReason[];
    referral.review = { status: 'held', rules: [...new Set(reasons.map((x) => x.rule))] };
  }
  return referral;
}
