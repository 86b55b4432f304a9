import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { preparedQuery } from '@/database/prepared-query';
import type { WebhookEventType } from '@/modules/webhooks/webhook-event-types';

/** One event to record: its payload given, or built here from a referral or reward row. */
export interface OutboxRow {
  id: string;
  brandId: string;
  type: WebhookEventType;
  subject: 'referral' | 'reward' | null;
  subjectId: string | null;
  payload: Record<string, unknown> | null;
  orderingKey: string | null;
}

const iso = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * A reward as GET /v1/rewards shows it (its open batch and what that batch pays for it too: see
 * reward.repository.ts), plus the brand's own ids of the advocate and event.
 */
const REWARD_JSON = `json_build_object(
  'id', w.id, 'programId', w.program_id, 'ruleId', w.rule_id, 'eventId', w.event_id,
  'externalEventId', ev.event_id, 'orderId', ev.order_id, 'referralId', w.referral_id,
  'advocateId', w.advocate_id, 'advocateExternalId', a.external_id, 'customerId', c.external_id,
  'recipient', w.recipient, 'kind', w.kind, 'amount', w.amount, 'reversedAmount', w.reversed_amount,
  'currency', w.currency, 'percent', w.percent, 'couponCode', w.coupon_code, 'status', w.status,
  'reason', w.reason, 'occurredAt', ${iso('w.occurred_at')}, 'availableAt', ${iso('w.available_at')},
  'approvedAt', ${iso('w.approved_at')}, 'paidAt', ${iso('w.paid_at')},
  'reversedAt', ${iso('w.reversed_at')}, 'rejectedAt', ${iso('w.rejected_at')},
  'payoutBatchId', coalesce(w.payout_batch_id, (SELECT i.batch_id FROM payout_batch_items i
                                                  WHERE i.reward_id = w.id AND NOT i.released)),
  'payoutAmount', (SELECT i.amount FROM payout_batch_items i WHERE i.reward_id = w.id AND NOT i.released),
  'clawbackOf', w.clawback_of, 'createdAt', ${iso('w.created_at')})`;

/** A referral with its fraud review (rule keys and details; never visitor data or e-mails). */
const REFERRAL_JSON = `json_build_object(
  'id', r.id, 'programId', r.program_id, 'advocateId', r.advocate_id,
  'advocateExternalId', a.external_id, 'customerId', c.external_id, 'status', r.status,
  'reason', r.reason, 'method', r.method, 'ctaId', r.cta_id, 'channel', r.channel,
  'newCustomer', r.new_customer, 'firstEventId', r.first_event_id,
  'convertedEventId', r.converted_event_id, 'createdAt', ${iso('r.created_at')},
  'convertedAt', ${iso('r.converted_at')}, 'rejectedAt', ${iso('r.rejected_at')},
  'review', CASE WHEN r.review_status IS NULL THEN NULL ELSE json_build_object(
    'status', r.review_status,
    'reasons', (SELECT coalesce(json_agg(json_build_object('rule', x->>'rule', 'detail', x->>'detail')), '[]')
                  FROM jsonb_array_elements(coalesce(r.review_reasons, '[]'::jsonb)) x),
    'heldAt', ${iso('r.held_at')}, 'reviewedAt', ${iso('r.reviewed_at')}) END)`;

/**
 * Writes outbox events and their deliveries in ONE statement, inside the caller's transaction:
 * each event goes to the enabled endpoints of its brand subscribed to its type (nothing is
 * stored when none is). Payloads of referral and reward events are built from the rows as this
 * transaction sees them. Delivery ids are generated here (`dlv_` + 20 hex characters).
 */
@Injectable()
export class WebhookOutboxRepository {
  async insert(em: EntityManager, rows: OutboxRow[], retryWindowMs: number): Promise<void> {
    if (rows.length === 0) return;
    await preparedQuery(
      em,
      'tandem_webhook_outbox',
      `WITH i AS (
         SELECT * FROM json_to_recordset($1::json) AS i(ord int, id text, brand_id text, type text,
                subject text, subject_id text, payload jsonb, ordering_key text)),
       t AS (
         SELECT i.id, i.ord, i.brand_id, i.type, e.id AS endpoint_id
           FROM i JOIN webhook_endpoints e
             ON e.brand_id = i.brand_id AND e.enabled AND i.type = ANY(e.event_types)),
       b AS (
         SELECT i.ord, i.id, i.brand_id, i.type,
                CASE i.subject WHEN 'reward' THEN coalesce(w.referral_id, w.id)
                               WHEN 'referral' THEN r.id
                               ELSE coalesce(i.ordering_key, i.id) END AS ordering_key,
                CASE i.subject WHEN 'reward' THEN ${REWARD_JSON}::jsonb
                               WHEN 'referral' THEN ${REFERRAL_JSON}::jsonb
                               ELSE i.payload END AS payload
           FROM i
           LEFT JOIN rewards w ON i.subject = 'reward' AND w.id = i.subject_id AND w.brand_id = i.brand_id
           LEFT JOIN events ev ON ev.id = w.event_id AND ev.brand_id = w.brand_id
           LEFT JOIN referrals r ON i.subject = 'referral' AND r.id = i.subject_id AND r.brand_id = i.brand_id
           LEFT JOIN customers c ON c.id = coalesce(w.customer_id, r.customer_id) AND c.brand_id = i.brand_id
           LEFT JOIN advocates a ON a.id = coalesce(w.advocate_id, r.advocate_id) AND a.brand_id = i.brand_id
          WHERE i.id IN (SELECT id FROM t)
            AND (i.subject IS NULL OR w.id IS NOT NULL OR r.id IS NOT NULL)),
       ev_ins AS (
         INSERT INTO webhook_events (id, brand_id, type, ordering_key, payload)
         SELECT id, brand_id, type, ordering_key, payload FROM b ORDER BY ord
         RETURNING id)
       INSERT INTO webhook_deliveries (id, brand_id, endpoint_id, event_id, event_type, ordering_key,
                                       next_attempt_at, retry_until)
       SELECT 'dlv_' || substr(replace(gen_random_uuid()::text, '-', ''), 1, 20), t.brand_id,
              t.endpoint_id, t.id, t.type, b.ordering_key, now(),
              now() + $2::bigint * interval '1 millisecond'
         FROM t JOIN b ON b.id = t.id
        ORDER BY t.ord, t.endpoint_id`,
      [
        JSON.stringify(
          rows.map((r, ord) => ({
            ord,
            id: r.id,
            brand_id: r.brandId,
            type: r.type,
            subject: r.subject,
            subject_id: r.subjectId,
            payload: r.payload,
            ordering_key: r.orderingKey,
          })),
        ),
        retryWindowMs,
      ],
    );
  }
}
