import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { ReferralState } from '@/modules/attribution/attribution';
import {
  ConfigRequest,
  ConfigSnapshot,
  isEmptyRequest,
  ProgramConfig,
} from '@/modules/attribution/config-snapshot';
import type { ReferralStatus, ReviewStatus } from '@/modules/attribution/referral.entity';
import type { AttributionMethod } from '@/modules/events/event.entity';
import { resolveFraudRules } from '@/modules/fraud/fraud-rules';
import { preparedQuery } from '@/database/prepared-query';

interface ConfigRow {
  links: {
    id: string;
    program_id: string;
    advocate_id: string;
    cta_id: string;
    cta_key: string;
    channel: string;
  }[];
  codes: { code: string; program_id: string; advocate_id: string }[];
  programs: Record<string, any>[];
  rules: Record<string, any>[];
  advocates: { id: string; status: any; external_id: string; email_normalized: string | null }[];
  webhook_types: string[];
}

export interface StoredReferral extends ReferralState {
  customerId: string;
  newCustomer: boolean;
  method: AttributionMethod;
  clickId: string | null;
  firstEventId: string;
  convertedEventId: string | null;
  convertedAt: Date | null;
  rejectedAt: Date | null;
  /** Fraud review: held, approved or rejected by a reviewer; null when never flagged. */
  reviewStatus: ReviewStatus | null;
}

/**
 * Reads what attribution decides with. Hot path: one statement loads links, codes, programs
 * with their CTAs and active rules, and advocates, as JSON (every part filtered by brand).
 */
@Injectable()
export class AttributionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Adds to the snapshot what it lacks of the request. */
  async loadConfig(
    brandId: string,
    snapshot: ConfigSnapshot,
    wanted: ConfigRequest,
    em?: EntityManager,
  ): Promise<void> {
    const need = snapshot.missing(wanted);
    if (isEmptyRequest(need)) return;
    const rows: ConfigRow[] = await preparedQuery(
      em ?? this.dataSource.manager,
      'tandem_attribution_config',
      `WITH lk AS (
              SELECT l.id, l.program_id, l.advocate_id, l.cta_id, c.key AS cta_key, c.channel
                FROM links l JOIN ctas c ON c.id = l.cta_id AND c.brand_id = l.brand_id
               WHERE l.brand_id = $1 AND l.id = ANY($2::text[])),
            cd AS (SELECT code, program_id, advocate_id FROM enrollments
                    WHERE brand_id = $1 AND code = ANY($3::text[])),
            pids AS (SELECT program_id AS id FROM lk UNION SELECT program_id FROM cd
                     UNION SELECT unnest($4::text[])),
            aids AS (SELECT advocate_id AS id FROM lk UNION SELECT advocate_id FROM cd
                     UNION SELECT unnest($5::text[]))
       SELECT
         (SELECT coalesce(json_agg(lk), '[]') FROM lk) AS links,
         (SELECT coalesce(json_agg(cd), '[]') FROM cd) AS codes,
         (SELECT coalesce(json_agg(json_build_object(
             'id', p.id, 'status', p.status, 'currency', p.currency, 'starts_at', p.starts_at,
             'created_at', p.created_at,
             'ends_at', p.ends_at, 'window_days', p.attribution_window_days,
             'model', p.attribution_model, 'hold_days', p.hold_days,
             'budget_amount', p.budget_amount, 'updated_at', p.updated_at::text,
             'fraud_rules', (SELECT f.rules FROM program_fraud_rules f
                              WHERE f.program_id = p.id AND f.brand_id = $1),
             'ctas', (SELECT coalesce(json_agg(json_build_object('id', c.id, 'key', c.key, 'channel', c.channel)), '[]')
                        FROM ctas c WHERE c.program_id = p.id AND c.brand_id = $1))), '[]')
            FROM programs p WHERE p.brand_id = $1 AND p.id IN (SELECT id FROM pids)) AS programs,
         (SELECT coalesce(json_agg(json_build_object(
             'id', r.id, 'program_id', r.program_id, 'trigger_event', r.trigger_event,
             'trigger_name', r.trigger_name, 'recipient', r.recipient, 'reward_kind', r.reward_kind,
             'amount', r.amount, 'percent', r.percent::text, 'max_amount', r.max_amount,
             'currency', r.currency, 'conditions', r.conditions, 'limits', r.limits,
             'milestone', r.milestone_nth_referral, 'hold_days', r.hold_days,
             'updated_at', r.updated_at::text,
             'has_pool', EXISTS (SELECT 1 FROM coupon_codes cc WHERE cc.rule_id = r.id))
             ORDER BY r.created_at, r.id), '[]')
            FROM reward_rules r
           WHERE r.brand_id = $1 AND r.active AND r.program_id IN (SELECT id FROM pids)) AS rules,
         (SELECT coalesce(json_agg(json_build_object('id', a.id, 'status', a.status,
             'external_id', a.external_id, 'email_normalized', a.email_normalized)), '[]')
            FROM advocates a WHERE a.brand_id = $1 AND a.id IN (SELECT id FROM aids)) AS advocates,
         (SELECT coalesce(array_agg(DISTINCT t), '{}') FROM webhook_endpoints w
           CROSS JOIN LATERAL unnest(w.event_types) t
           WHERE w.brand_id = $1 AND w.enabled) AS webhook_types`,
      [brandId, need.linkIds, need.codes, need.programIds, need.advocateIds],
    );
    const row = rows[0]!;
    snapshot.webhookTypes = new Set(row.webhook_types);
    for (const l of row.links) {
      snapshot.links.set(l.id, {
        linkId: l.id,
        programId: l.program_id,
        advocateId: l.advocate_id,
        ctaId: l.cta_id,
        ctaKey: l.cta_key,
        channel: l.channel,
      });
    }
    for (const c of row.codes) {
      snapshot.codes.set(c.code, { programId: c.program_id, advocateId: c.advocate_id });
    }
    for (const p of row.programs) snapshot.programs.set(p.id, toProgram(p));
    for (const r of row.rules) {
      snapshot.programs.get(r.program_id)?.rules.push({
        id: r.id,
        programId: r.program_id,
        triggerEvent: r.trigger_event,
        triggerName: r.trigger_name,
        recipient: r.recipient,
        rewardKind: r.reward_kind,
        amount: r.amount,
        percent: r.percent,
        maxAmount: r.max_amount,
        currency: r.currency,
        conditions: r.conditions ?? {},
        limits: r.limits ?? {},
        milestoneNthReferral: r.milestone,
        holdDays: r.hold_days,
        updatedAt: r.updated_at,
        hasPool: r.has_pool,
      });
    }
    for (const a of row.advocates) {
      snapshot.advocates.set(a.id, {
        id: a.id,
        status: a.status,
        externalId: a.external_id,
        emailNormalized: a.email_normalized,
      });
    }
    const mark = (tag: string, ids: string[], map: Map<string, unknown>) =>
      ids.filter((id) => !map.has(id)).forEach((id) => snapshot.absent.add(`${tag}:${id}`));
    mark('link', need.linkIds, snapshot.links);
    mark('code', need.codes, snapshot.codes);
    mark('program', need.programIds, snapshot.programs);
    mark('advocate', need.advocateIds, snapshot.advocates);
  }

  /**
   * The referrals of these customers and the click ids their earlier (recorded) events carried.
   * Runs after the customers' rows are locked, so nothing changes them until commit.
   */
  async findCustomerHistory(
    em: EntityManager,
    brandId: string,
    customerIds: string[],
    externalIds: string[],
  ): Promise<{ referrals: StoredReferral[]; clicks: { customer: string; clickId: string }[] }> {
    const rows: {
      referrals: Record<string, any>[];
      clicks: { customer: string; click_id: string }[];
    }[] = await preparedQuery(
      em,
      'tandem_customer_history',
      `SELECT
           (SELECT coalesce(json_agg(json_build_object('id', r.id, 'program_id', r.program_id,
               'customer_id', r.customer_id, 'advocate_id', r.advocate_id, 'status', r.status,
               'reason', r.reason, 'cta_id', r.cta_id, 'channel', r.channel,
               'new_customer', r.new_customer, 'created_at', r.created_at, 'method', r.method,
               'click_id', r.click_id, 'first_event_id', r.first_event_id,
               'converted_event_id', r.converted_event_id, 'converted_at', r.converted_at,
               'rejected_at', r.rejected_at, 'review_status', r.review_status)), '[]')
              FROM referrals r WHERE r.brand_id = $1 AND r.customer_id = ANY($2::text[])) AS referrals,
           (SELECT coalesce(json_agg(json_build_object('customer', e.customer_external_id,
               'click_id', e.click_id)), '[]')
              FROM events e
             WHERE e.brand_id = $1 AND e.customer_external_id = ANY($3::text[])
               AND e.click_id IS NOT NULL AND e.status IS NOT NULL) AS clicks`,
      [brandId, customerIds, externalIds],
    );
    const row = rows[0]!;
    return {
      referrals: row.referrals.map((r) => ({
        id: r.id,
        programId: r.program_id,
        customerId: r.customer_id,
        advocateId: r.advocate_id,
        status: r.status as ReferralStatus,
        reason: r.reason,
        ctaId: r.cta_id,
        channel: r.channel,
        newCustomer: r.new_customer,
        createdAt: new Date(r.created_at),
        method: r.method,
        clickId: r.click_id,
        firstEventId: r.first_event_id,
        convertedEventId: r.converted_event_id,
        convertedAt: r.converted_at ? new Date(r.converted_at) : null,
        rejectedAt: r.rejected_at ? new Date(r.rejected_at) : null,
        reviewStatus: r.review_status ?? null,
      })),
      clicks: row.clicks.map((c) => ({ customer: c.customer, clickId: c.click_id })),
    };
  }
}

function toProgram(p: Record<string, any>): ProgramConfig {
  const fraudRules = resolveFraudRules(p.fraud_rules);
  return {
    fraudRules,
    selfReferralCheck: fraudRules.selfReferral.enabled,
    id: p.id,
    status: p.status,
    startsAt: p.starts_at ? new Date(p.starts_at) : null,
    endsAt: p.ends_at ? new Date(p.ends_at) : null,
    createdAt: new Date(p.created_at),
    windowDays: p.window_days,
    model: p.model,
    ctas: p.ctas,
    currency: p.currency,
    holdDays: p.hold_days,
    budgetAmount: p.budget_amount,
    updatedAt: p.updated_at,
    rules: [],
  };
}
