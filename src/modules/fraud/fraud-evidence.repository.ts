import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { preparedQuery } from '@/database/prepared-query';

export interface EvidenceRequest {
  programId: string;
  advocateId: string;
  advocateExternalId: string;
  /** Our customer id (`cus_…`). */
  customerId: string;
  referralId: string;
  emailNormalized: string | null;
  /** The converting click: the event's own click id, else the referral's. */
  clickId: string | null;
  velocity: boolean;
  identity: boolean;
  device: boolean;
}

export interface Evidence {
  click: { isBot: boolean; uaFamily: string; visitorHash: string } | null;
  /** Referrals of the advocate in the program already stored (this batch's are not). */
  stored: { lastHour: number; lastDay: number } | null;
  /** Advocates of the friend's other referrals: same customer, or same normalised e-mail. */
  identityAdvocates: string[] | null;
  sharedVisitor: 'advocate' | 'friend' | null;
}

/**
 * Everything the fraud rules look up, for a whole batch of events in ONE statement. Each part
 * runs only for the events that need it, and each is bounded by an index:
 * - the click row by its primary key (it may not be written yet: clicks are buffered ≤ 250 ms);
 * - velocity: referrals_brand_advocate_created_idx over the last day;
 * - identity: the customer (primary key) and customers_brand_email_idx, then their referrals;
 * - shared visitor: the advocate's own events with clicks (events_brand_customer_click_idx),
 *   and the advocate's referrals since the click's UTC day — a visitor hash only ever matches
 *   within one day, since its salt rotates daily.
 * A single event's statement is prepared, yet planned on every call (0.79 of its 0.86 ms):
 * with array parameters the generic plan is estimated at 100 requests, so PostgreSQL never
 * prefers it. Keep it that way: a scalar variant was tried, PostgreSQL then kept a generic plan
 * made while the tables were nearly empty, which scanned every referral of the brand (12 ms a
 * call in bench:events, 2026-11-28).
 */
@Injectable()
export class FraudEvidenceRepository {
  async load(em: EntityManager, brandId: string, requests: EvidenceRequest[]): Promise<Evidence[]> {
    if (requests.length === 0) return [];
    const col = <T>(pick: (r: EvidenceRequest) => T) => requests.map(pick);
    const rows: {
      ord: number;
      is_bot: boolean | null;
      ua_family: string | null;
      visitor_hash: string | null;
      last_hour: number | null;
      last_day: number | null;
      advocates: string[] | null;
      shared_visitor: 'advocate' | 'friend' | null;
    }[] = await preparedQuery(
      em,
      'tandem_fraud_evidence',
      `SELECT c.ord, k.is_bot, k.ua_family, k.visitor_hash,
              CASE WHEN c.velocity THEN v.last_hour END AS last_hour,
              CASE WHEN c.velocity THEN v.last_day END AS last_day,
              CASE WHEN c.identity THEN ia.advocates END AS advocates,
              CASE WHEN NOT c.device OR k.visitor_hash IS NULL THEN NULL
                   WHEN EXISTS (
                     SELECT 1 FROM events e
                       JOIN clicks k3 ON k3.id = e.click_id AND k3.brand_id = e.brand_id
                      WHERE e.brand_id = $1 AND e.customer_external_id = c.advocate_external_id
                        AND e.click_id IS NOT NULL AND k3.visitor_hash = k.visitor_hash) THEN 'advocate'
                   WHEN EXISTS (
                     SELECT 1 FROM referrals r
                       JOIN clicks k2 ON k2.id = r.click_id AND k2.brand_id = r.brand_id
                      WHERE r.brand_id = $1 AND r.advocate_id = c.advocate_id
                        AND r.customer_id <> c.customer_id
                        AND r.created_at >= date_trunc('day', k.clicked_at, 'UTC')
                        AND k2.visitor_hash = k.visitor_hash) THEN 'friend'
              END AS shared_visitor
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                     $8::text[], $9::bool[], $10::bool[], $11::bool[])
                WITH ORDINALITY AS c(program_id, advocate_id, advocate_external_id, customer_id,
                                     referral_id, email, click_id, velocity, identity, device, ord)
         LEFT JOIN clicks k ON k.id = c.click_id AND k.brand_id = $1
         -- The switches sit inside the subqueries: there they gate the scan (a one-time filter);
         -- in the ON clause the count ran for every event and was then thrown away.
         LEFT JOIN LATERAL (
           SELECT count(*) FILTER (WHERE r.created_at > now() - interval '1 hour')::int AS last_hour,
                  count(*)::int AS last_day
             FROM referrals r
            WHERE r.brand_id = $1 AND r.advocate_id = c.advocate_id
              AND r.program_id = c.program_id AND r.created_at > now() - interval '1 day'
              AND c.velocity
         ) v ON true
         LEFT JOIN LATERAL (
           SELECT coalesce(array_agg(DISTINCT r.advocate_id), '{}') AS advocates
             FROM customers cu
             JOIN referrals r ON r.brand_id = cu.brand_id AND r.customer_id = cu.id
            WHERE cu.brand_id = $1 AND (cu.id = c.customer_id OR cu.email_normalized = c.email)
              AND r.id <> c.referral_id AND c.identity
         ) ia ON true
        ORDER BY c.ord`,
      [
        brandId,
        col((r) => r.programId),
        col((r) => r.advocateId),
        col((r) => r.advocateExternalId),
        col((r) => r.customerId),
        col((r) => r.referralId),
        col((r) => r.emailNormalized),
        col((r) => r.clickId),
        col((r) => r.velocity),
        col((r) => r.identity),
        col((r) => r.device),
      ],
    );
    return rows.map((r) => ({
      click:
        r.visitor_hash === null
          ? null
          : { isBot: r.is_bot!, uaFamily: r.ua_family!, visitorHash: r.visitor_hash },
      stored: r.last_day === null ? null : { lastHour: r.last_hour!, lastDay: r.last_day },
      identityAdvocates: r.advocates,
      sharedVisitor: r.shared_visitor,
    }));
  }
}
