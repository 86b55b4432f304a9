import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { preparedQuery } from '@/database/prepared-query';
import { KPI_QUEUE_INSERT } from '@/modules/analytics/kpi-fold.repository';

/** Rows in the tables' own column names (snake_case), as jsonb_populate_recordset reads them. */
type Row = Record<string, unknown>;

export interface OutcomeWrite {
  referralInserts: Row[];
  /** Full new state of existing referrals (advocate, status, reason, method, cta, conversion). */
  referralUpdates: Row[];
  rewardInserts: Row[];
  /** Refunds: reversed_amount, status, reason, reversed_at. */
  rewardUpdates: Row[];
  /** Pool codes given to rewards: rule_id, code, reward_id. */
  couponAssignments: Row[];
  /** Budget tallies locked by this transaction, set to their new totals: key, count, amount, basis. */
  tallySets: Row[];
  /** Relative changes of tallies not locked beforehand (refunds): key, count, amount. */
  tallyDeltas: Row[];
  /** The decision and the answer of each event recorded now. */
  eventUpdates: Row[];
  /** Events whose KPI counts the fold job is to add (analytics): kind, event_id. */
  kpiQueue: Row[];
}

export function emptyOutcome(): OutcomeWrite {
  return {
    referralInserts: [],
    referralUpdates: [],
    rewardInserts: [],
    rewardUpdates: [],
    couponAssignments: [],
    tallySets: [],
    tallyDeltas: [],
    eventUpdates: [],
    kpiQueue: [],
  };
}

const PARTS: Record<keyof OutcomeWrite, string> = {
  referralInserts: `INSERT INTO referrals (id, brand_id, program_id, customer_id, advocate_id, status,
        reason, method, cta_id, channel, click_id, new_customer, first_event_id, converted_event_id,
        converted_at, rejected_at, review_status, review_reasons, held_at)
      SELECT id, $1, program_id, customer_id, advocate_id, status, reason, method, cta_id, channel,
             click_id, new_customer, first_event_id, converted_event_id, converted_at, rejected_at,
             review_status, review_reasons, CASE WHEN review_status = 'held' THEN now() END
        FROM jsonb_populate_recordset(null::referrals, $X::jsonb)`,
  referralUpdates: `UPDATE referrals r
         SET advocate_id = u.advocate_id, status = u.status, reason = u.reason, method = u.method,
             cta_id = u.cta_id, channel = u.channel, click_id = u.click_id,
             converted_event_id = u.converted_event_id, converted_at = u.converted_at,
             rejected_at = u.rejected_at, updated_at = now()
        FROM jsonb_populate_recordset(null::referrals, $X::jsonb) u
       WHERE r.id = u.id AND (r.brand_id || '') = $1`,
  rewardInserts: `INSERT INTO rewards (id, brand_id, program_id, rule_id, event_id, referral_id,
        advocate_id, customer_id, recipient, kind, amount, currency, percent, coupon_code, status,
        reason, occurred_at, available_at, approved_at, clawback_of)
      SELECT id, $1, program_id, rule_id, event_id, referral_id, advocate_id, customer_id, recipient,
             kind, amount, currency, percent, coupon_code, status, reason, occurred_at,
             available_at, approved_at, clawback_of
        FROM jsonb_populate_recordset(null::rewards, $X::jsonb)`,
  rewardUpdates: `UPDATE rewards w
         SET reversed_amount = u.reversed_amount, status = u.status, reason = u.reason,
             reversed_at = u.reversed_at, updated_at = now()
        FROM jsonb_populate_recordset(null::rewards, $X::jsonb) u
       WHERE w.id = u.id AND (w.brand_id || '') = $1`,
  couponAssignments: `UPDATE coupon_codes c
         SET status = 'assigned', reward_id = u.reward_id, assigned_at = now()
        FROM jsonb_populate_recordset(null::coupon_codes, $X::jsonb) u
       WHERE c.rule_id = u.rule_id AND c.code = u.code AND c.brand_id = $1`,
  tallySets: `UPDATE reward_tallies t
         SET count = u.count, amount = u.amount, basis = u.basis, updated_at = now()
        FROM jsonb_populate_recordset(null::reward_tallies, $X::jsonb) u
       WHERE t.key = u.key AND t.brand_id = $1`,
  tallyDeltas: `UPDATE reward_tallies t
         SET count = t.count + u.count, amount = t.amount + u.amount, updated_at = now()
        FROM jsonb_populate_recordset(null::reward_tallies, $X::jsonb) u
       WHERE t.key = u.key AND t.brand_id = $1`,
  eventUpdates: `UPDATE events e
         SET status = u.status, reason = u.reason, method = u.method, program_id = u.program_id,
             advocate_id = u.advocate_id, cta_id = u.cta_id, channel = u.channel,
             referral_id = u.referral_id, clicked_at = u.clicked_at, answer = u.answer
        FROM jsonb_populate_recordset(null::events, $X::jsonb) u
       WHERE e.id = u.id AND (e.brand_id || '') = $1`,
  kpiQueue: KPI_QUEUE_INSERT,
};

/*
 * The updates find their rows by primary key only: the brand is compared as an expression
 * (`brand_id || ''`), and a single row is read with jsonb_populate_record (one row expected,
 * where a recordset is assumed to hold 100). A single event's statement is prepared, and its
 * generic plan, made while the tables are young and kept until they are analysed, walked the
 * brand's events index (events_brand_event_id_key) and hashed every event of the brand for each
 * event — 893 rows read for one update after ~900 events (auto_explain), growing with the
 * brand's events; comparing the brand as an expression alone turned that into a sequential scan.
 * With one row expected, the primary key's index is the plan.
 */
const SINGLE_ROW_PARTS: ReadonlySet<keyof OutcomeWrite> = new Set([
  'referralUpdates',
  'rewardUpdates',
  'couponAssignments',
  'tallySets',
  'tallyDeltas',
  'eventUpdates',
]);

/**
 * Writes everything a batch of events decided in ONE statement (data-modifying CTEs): one round
 * trip instead of one per table. Every part filters by brand. Rows travel as jsonb: parsed once,
 * then each field is taken as is (json_populate_recordset re-parsed every answer of 500 events,
 * ~70 of the statement's ~300 ms).
 */
@Injectable()
export class EventOutcomeRepository {
  async write(em: EntityManager, brandId: string, outcome: OutcomeWrite): Promise<void> {
    const params: unknown[] = [brandId];
    const ctes: string[] = [];
    let mask = 0;
    for (const [bit, key] of (Object.keys(PARTS) as (keyof OutcomeWrite)[]).entries()) {
      const rows = outcome[key];
      if (rows.length === 0) continue;
      mask |= 1 << bit;
      let part = PARTS[key].replace('$X', `$${params.length + 1}`);
      if (rows.length === 1 && SINGLE_ROW_PARTS.has(key)) {
        // One row: read as one record (see SINGLE_ROW_PARTS); a part of its own text.
        mask |= 1 << (bit + 16);
        params.push(JSON.stringify(rows[0]));
        part = part.replace('jsonb_populate_recordset(', 'jsonb_populate_record(');
      } else params.push(JSON.stringify(rows));
      ctes.push(`${key} AS (${part})`);
    }
    if (ctes.length === 0) return;
    // Data-modifying CTEs always run to completion, read or not.
    // One prepared statement per combination of parts (the text differs by combination).
    await preparedQuery(
      em,
      `tandem_event_outcome_${mask}`,
      `WITH ${ctes.join(',\n')} SELECT 1`,
      params,
    );
  }
}
