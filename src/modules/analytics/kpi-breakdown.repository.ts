import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { KpiValues } from '@/modules/analytics/kpi-math';
import { KpiPeriod, splitByWholeWeeks } from '@/modules/analytics/kpi-period';
import {
  ACTIVE_IN_PERIOD,
  periodMasksCte,
  REWARD_COST_SUM,
  rollupSums,
} from '@/modules/analytics/kpi-read.repository';

export const BREAKDOWN_DIMENSIONS = ['channel', 'cta', 'advocate'] as const;
export type BreakdownDimension = (typeof BREAKDOWN_DIMENSIONS)[number];

export type SortableKpi = Exclude<keyof KpiValues, 'programCost'>;

/**
 * How each KPI sorts, in SQL over a group's sums — the same formulas as deriveKpis (there the
 * ratios are rounded for display; here they sort by their exact value). Breakdowns carry no
 * program cost, so ROI and cost per acquisition use the reward cost alone.
 */
export const SORT_EXPRESSIONS: Record<SortableKpi, string> = {
  clicks: 'clicks',
  botClicks: 'bot_clicks',
  reach: 'reach',
  shares: 'shares',
  reportedReach: 'shares_reach',
  impressions: 'impressions',
  ctr: 'clicks / NULLIF(impressions, 0)',
  signups: 'signups',
  conversions: 'conversions',
  conversionRate: 'conversions / NULLIF(reach, 0)',
  grossRevenue: 'revenue',
  refunds: 'refunds',
  revenue: 'revenue - refunds',
  rewardCost: 'reward_cost',
  roi: '(revenue - refunds - reward_cost) / NULLIF(reward_cost, 0)',
  costPerAcquisition: 'reward_cost / NULLIF(conversions, 0)',
  averageOrderValue: '(revenue - refunds) / NULLIF(conversions, 0)',
  newCustomers: 'new_customers',
  activeAdvocates: 'active_advocates',
  kFactor: 'new_customers / NULLIF(active_advocates, 0)',
  ctaCompletions: 'cta_completions',
  ctaValue: 'cta_value',
  conversionsPerShare: 'conversions / NULLIF(shares, 0)',
  conversionsPerClick: 'conversions / NULLIF(clicks, 0)',
};
export const SORTABLE_KPIS = Object.keys(SORT_EXPRESSIONS) as SortableKpi[];

export interface BreakdownQuery {
  by: BreakdownDimension;
  sort: SortableKpi;
  order: 'asc' | 'desc';
  limit: number;
  /** Keyset: the last row's exact sort value (null: the row had none) and group key. */
  after?: { value: string | null; key: string };
}

/** One group's sums (text, as PostgreSQL returns them) and labels. */
export type BreakdownRow = Record<string, string | null>;

const SUMS = [
  'clicks',
  'bot_clicks',
  'reach',
  'shares',
  'shares_reach',
  'impressions',
  'signups',
  'conversions',
  'revenue',
  'refunds',
  'new_customers',
  'cta_completions',
  'cta_value',
];

const REWARDS = `FROM rewards w
         JOIN programs p ON p.id = w.program_id AND p.brand_id = w.brand_id
        WHERE w.brand_id = $1 AND w.program_id = $2
          AND w.clawback_of IS NULL AND w.status IN ('pending', 'approved', 'paid')
          AND w.currency = p.currency AND w.occurred_at >= $3 AND w.occurred_at < $4`;

// Per dimension: the rollup sums, the reward cost and the active advocates of each group.
function groupSources(by: BreakdownDimension): string {
  if (by === 'advocate') {
    // Whole UTC weeks from the weekly rows, the whole days around them from the daily rows,
    // the hours around those from the hourly rows.
    return `r AS (
       SELECT advocate_id AS k, ${rollupSums('reach_advocate', 'numeric')},
              (sum(clicks) > 0 OR sum(shares) > 0)::int::numeric AS active_advocates
         FROM kpi_rollups
        WHERE program_id = $2 AND brand_id = $1
          AND (grain = 'w' AND bucket >= $6 AND bucket < $7
               OR grain = 'd' AND (bucket >= $8 AND bucket < $9 OR bucket >= $10 AND bucket < $11)
               OR grain = 'h' AND (bucket >= $12 AND bucket < $13 OR bucket >= $14 AND bucket < $15))
        GROUP BY advocate_id),
     w AS (SELECT w.advocate_id AS k, ${REWARD_COST_SUM}::numeric AS reward_cost ${REWARDS}
            GROUP BY w.advocate_id),
     a AS (SELECT k, active_advocates FROM r)`;
  }
  const column = by === 'channel' ? 'channel' : 'cta_id';
  const reach = by === 'channel' ? 'reach_channel' : 'reach_cta';
  return `r AS (
       SELECT ${column} AS k, ${rollupSums(reach, 'numeric')}
         FROM kpi_rollups
        WHERE program_id = $2 AND grain = 'c' AND bucket >= $3 AND bucket < $4 AND brand_id = $1
        GROUP BY ${column}),
     w AS (SELECT COALESCE(e.${column}, '') AS k, ${REWARD_COST_SUM}::numeric AS reward_cost
             ${REWARDS.replace('WHERE', `LEFT JOIN events e ON e.id = w.event_id AND e.brand_id = w.brand_id\n        WHERE`)}
            GROUP BY 1),
     ${periodMasksCte('$3::timestamptz', '$4::timestamptz')},
     a AS (
       SELECT k, count(*)::numeric AS active_advocates
         FROM (SELECT DISTINCT r.${column} AS k, r.advocate_id
                 FROM kpi_rollups r CROSS JOIN period_masks pm
                WHERE r.program_id = $2 AND r.grain = 'd' AND r.bucket >= pm.d1 AND r.bucket < $4
                  AND r.brand_id = $1 AND ${ACTIVE_IN_PERIOD}) active
        GROUP BY k)`;
}

function labels(by: BreakdownDimension): { select: string; join: string } {
  switch (by) {
    case 'advocate':
      return {
        select: 'ad.external_id AS external_id, ad.name AS name',
        join: 'LEFT JOIN advocates ad ON ad.id = s.k AND ad.brand_id = $1',
      };
    case 'cta':
      return {
        select: 'c.key AS cta_key, c.label AS cta_label, c.channel AS cta_channel',
        join: 'LEFT JOIN ctas c ON c.id = s.k AND c.brand_id = $1',
      };
    case 'channel':
      return { select: '', join: '' };
  }
}

/**
 * Breakdowns of one program's KPIs by channel, CTA or advocate (the leaderboard), sorted by any
 * KPI in SQL and paged with a keyset on (sort value, group key): nulls last in either order,
 * ties by key in byte order (COLLATE "C": the same on every server).
 */
@Injectable()
export class KpiBreakdownRepository {
  constructor(private readonly dataSource: DataSource) {}

  async page(
    brandId: string,
    programId: string,
    p: KpiPeriod,
    q: BreakdownQuery,
  ): Promise<BreakdownRow[]> {
    const params: unknown[] = [brandId, programId, p.from, p.to, q.limit + 1];
    if (q.by === 'advocate') {
      const split = splitByWholeWeeks(p);
      params.push(...split.weeks, ...split.days[0], ...split.days[1]);
      params.push(...split.hours[0], ...split.hours[1]);
    }
    const desc = q.order === 'desc';
    let keyset = 'true';
    if (q.after) {
      params.push(q.after.key);
      const key = `s.k COLLATE "C" > $${params.length}`;
      if (q.after.value === null) keyset = `s.sv IS NULL AND ${key}`;
      else {
        params.push(q.after.value);
        const v = `$${params.length}::numeric`;
        keyset = `(s.sv IS NULL OR s.sv ${desc ? '<' : '>'} ${v} OR s.sv = ${v} AND ${key})`;
      }
    }
    const l = labels(q.by);
    return this.dataSource.query(
      `WITH ${groupSources(q.by)},
       g AS (
         SELECT COALESCE(r.k, w.k) AS k,
                ${SUMS.map((c) => `COALESCE(r.${c}, 0) AS ${c}`).join(', ')},
                COALESCE(w.reward_cost, 0) AS reward_cost,
                COALESCE(a.active_advocates, 0) AS active_advocates
           FROM r FULL JOIN w ON w.k = r.k
           LEFT JOIN a ON a.k = COALESCE(r.k, w.k)),
       s AS (SELECT g.*, (${SORT_EXPRESSIONS[q.sort]})::numeric AS sv FROM g)
       SELECT s.k, s.sv::text AS sv,
              ${[...SUMS, 'reward_cost', 'active_advocates'].map((c) => `s.${c}::text AS ${c}`).join(', ')}
              ${l.select ? `, ${l.select}` : ''}
         FROM s ${l.join}
        WHERE ${keyset}
        ORDER BY s.sv IS NULL, s.sv ${desc ? 'DESC' : 'ASC'}, s.k COLLATE "C"
        LIMIT $5`,
      params,
    );
  }
}
