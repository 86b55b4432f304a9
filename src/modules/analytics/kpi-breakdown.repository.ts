import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { KpiValues } from '@/modules/analytics/kpi-math';
import { KpiPeriod, splitByWholeWeeks } from '@/modules/analytics/kpi-period';
import {
  ACTIVE_IN_PERIOD,
  periodMasksCte,
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

/** The rollup sums of a group, as advocateGroupsSql and the other sources name them. */
export const GROUP_SUMS = [
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
  'reward_cost',
];

/**
 * Each advocate's rollup sums in one program over a period, one row per advocate with any (`k`:
 * the advocate id), and whether the advocate was active (clicks or shares). Whole UTC weeks come
 * from the weekly rows, the whole days around them from the daily rows, the hours around those
 * from the hourly rows: all three per advocate only, all inside the period, one SELECT per grain
 * (each reads its partition through its own index). `brand`, `program` and the period's
 * `from` and `to` are placeholders already bound; `param` binds a value and answers its
 * placeholder.
 */
export function advocateGroupsSql(
  { brand, program, from, to }: { brand: string; program: string; from: string; to: string },
  p: KpiPeriod,
  param: (value: unknown) => string,
): string {
  const split = splitByWholeWeeks(p);
  const rows = (grain: string, ranges: [Date, Date][]) =>
    `SELECT * FROM kpi_rollups
      WHERE program_id = ${program} AND grain = '${grain}' AND brand_id = ${brand}
        AND bucket >= ${from} AND bucket < ${to}
        AND (${ranges.map(([a, b]) => `bucket >= ${param(a)} AND bucket < ${param(b)}`).join(' OR ')})`;
  return `SELECT advocate_id AS k, ${rollupSums('reach_advocate', 'numeric')},
            (sum(clicks) > 0 OR sum(shares) > 0)::int::numeric AS active_advocates
       FROM (${rows('w', [split.weeks])}
             UNION ALL ${rows('a', split.days)}
             UNION ALL ${rows('h', split.hours)}) x
      GROUP BY advocate_id`;
}

// Per dimension, `g`: each group's key `k`, rollup sums and active advocates.
function groupSources(
  by: BreakdownDimension,
  p: KpiPeriod,
  param: (value: unknown) => string,
): string {
  if (by === 'advocate') {
    const refs = { brand: '$1', program: '$2', from: '$3', to: '$4' };
    return `g AS (${advocateGroupsSql(refs, p, param)})`;
  }
  const column = by === 'channel' ? 'channel' : 'cta_id';
  const reach = by === 'channel' ? 'reach_channel' : 'reach_cta';
  return `r AS (
       SELECT ${column} AS k, ${rollupSums(reach, 'numeric')}
         FROM kpi_rollups
        WHERE program_id = $2 AND grain = 'c' AND bucket >= $3 AND bucket < $4 AND brand_id = $1
        GROUP BY ${column}),
     ${periodMasksCte('$3::timestamptz', '$4::timestamptz')},
     a AS (
       SELECT k, count(*)::numeric AS active_advocates
         FROM (SELECT DISTINCT r.${column} AS k, r.advocate_id
                 FROM kpi_rollups r CROSS JOIN period_masks pm
                WHERE r.program_id = $2 AND r.grain = 'd' AND r.bucket >= pm.d1 AND r.bucket < $4
                  AND r.brand_id = $1 AND ${ACTIVE_IN_PERIOD}) active
        GROUP BY k),
     g AS (
       SELECT r.*, COALESCE(a.active_advocates, 0) AS active_advocates
         FROM r LEFT JOIN a ON a.k = r.k)`;
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
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const groups = groupSources(q.by, p, param);
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
    const order = `s.sv IS NULL, s.sv ${desc ? 'DESC' : 'ASC'}, s.k COLLATE "C"`;
    // The page is cut before its rows get their labels: ~50 lookups, not one per group. One
    // process: on 2 cores the parallel plan of the 90-day leaderboard (10,000 advocates) took
    // ~1.8× as long as the serial one (bench:kpis).
    return this.dataSource.transaction(async (em) => {
      await em.query('SET LOCAL max_parallel_workers_per_gather = 0');
      return em.query(
        `WITH ${groups},
       s AS (SELECT g.*, (${SORT_EXPRESSIONS[q.sort]})::numeric AS sv FROM g),
       page AS (SELECT * FROM s WHERE ${keyset} ORDER BY ${order} LIMIT $5)
       SELECT s.k, s.sv::text AS sv,
              ${[...GROUP_SUMS, 'active_advocates'].map((c) => `s.${c}::text AS ${c}`).join(', ')}
              ${l.select ? `, ${l.select}` : ''}
         FROM page s ${l.join}
        ORDER BY ${order}`,
        params,
      );
    });
  }
}
