import { toSafeInteger } from '@/common/money/money';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { emptyTotals, KpiTotals } from '@/modules/analytics/kpi-math';
import { utcDay, utcHour } from '@/modules/analytics/kpi-rollup.sql';
import { KpiPeriod, splitByWholeWeeks } from '@/modules/analytics/kpi-period';
import type { KpiWeights, ProgramGoal, ProgramStatus } from '@/modules/programs/program.entity';

export const KPI_INTERVALS = ['hour', 'day', 'week', 'month'] as const;
export type KpiInterval = (typeof KPI_INTERVALS)[number];

/** A bucket's `date`: its local day, or for hours its local day and hour (2026-03-02T14:00). */
const bucketLabel = (interval: KpiInterval) =>
  interval === 'hour' ? `'YYYY-MM-DD"T"HH24:00'` : `'YYYY-MM-DD'`;
export const HEATMAP_METRICS = ['clicks', 'conversions'] as const;
export type HeatmapMetric = (typeof HEATMAP_METRICS)[number];

export interface KpiProgram {
  id: string;
  name: string;
  goal: ProgramGoal;
  status: ProgramStatus;
  currency: string;
  startsAt: Date | null;
  endsAt: Date | null;
  createdAt: Date;
  programCostAmount: number | null;
  kpiWeights: KpiWeights | null;
}

export interface SeriesBucket {
  /** Local date of the bucket's first day (YYYY-MM-DD), its key. */
  date: string;
  /** The bucket's bounds as instants, cut to the period. */
  start: Date;
  end: Date;
}

type Row = Record<string, string | null>;

const SUM_COLUMNS = [
  'clicks',
  'bot_clicks',
  'reach_program',
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
 * Sums of the rollup counters; `reach` is the grain's own reach column. Every value is text:
 * counts are read as numbers, money as BigInt.
 */
export function rollupSums(reach: string, type: 'text' | 'numeric' = 'text'): string {
  const c = (name: string) => `COALESCE(sum(${name}), 0)::${type}`;
  return [
    `${c('clicks')} AS clicks`,
    `${c('bot_clicks')} AS bot_clicks`,
    `${c(reach)} AS reach`,
    `${c('shares')} AS shares`,
    `${c('shares_reach')} AS shares_reach`,
    `${c('impressions')} AS impressions`,
    `${c('signups')} AS signups`,
    `${c('conversions')} AS conversions`,
    `${c('revenue')} AS revenue`,
    `${c('refunds')} AS refunds`,
    `${c('new_customers')} AS new_customers`,
    `${c('cta_completions')} AS cta_completions`,
    `${c('cta_value')} AS cta_value`,
    `${c('reward_cost')} AS reward_cost`,
  ].join(', ');
}

/** Adds a row of rollupSums (and active_advocates if present) to totals. */
export function addSums(t: KpiTotals, r: Row): KpiTotals {
  const n = (k: string) => Number(r[k] ?? 0);
  const b = (k: string) => BigInt(r[k] ?? 0);
  return {
    clicks: t.clicks + n('clicks'),
    botClicks: t.botClicks + n('bot_clicks'),
    reach: t.reach + n('reach'),
    shares: t.shares + n('shares'),
    sharesReach: t.sharesReach + n('shares_reach'),
    impressions: t.impressions + n('impressions'),
    signups: t.signups + n('signups'),
    conversions: t.conversions + n('conversions'),
    revenue: t.revenue + b('revenue'),
    refunds: t.refunds + b('refunds'),
    newCustomers: t.newCustomers + n('new_customers'),
    ctaCompletions: t.ctaCompletions + n('cta_completions'),
    ctaValue: t.ctaValue + b('cta_value'),
    rewardCost: t.rewardCost + b('reward_cost'),
    activeAdvocates: t.activeAdvocates + n('active_advocates'),
  };
}

/**
 * Hour bits of each UTC day `d` inside [$from, $to): bit h set when hour h of the day is in
 * the period (both bounds are whole hours).
 */
export function periodHourMask(d: string, from: string, to: string): string {
  const hoursTo = (t: string) =>
    `LEAST(24, GREATEST(0, (extract(epoch FROM (${t} - ${d})) / 3600)::int))`;
  return `(((1 << ${hoursTo(to)}) - 1) - ((1 << ${hoursTo(from)}) - 1))`;
}

/**
 * The hour bits of the period's first and last UTC day (every other day is whole), computed
 * once per query: `period_masks` (d1, m1, d2, m2). Pair with ACTIVE_IN_PERIOD.
 */
export function periodMasksCte(from: string, to: string): string {
  const d1 = utcDay(from);
  const d2 = utcDay(`(${to} - interval '1 hour')`);
  return `period_masks AS MATERIALIZED (
         SELECT ${d1} AS d1, ${periodHourMask(d1, from, to)} AS m1,
                ${d2} AS d2, ${periodHourMask(d2, from, to)} AS m2)`;
}

/** A daily row (`r`, grain `d` or `a`) had a human click or a share in the period's hours. */
export const ACTIVE_IN_PERIOD = `r.active_hours
       & CASE WHEN r.bucket = pm.d1 THEN pm.m1 ELSE 16777215 END
       & CASE WHEN r.bucket = pm.d2 THEN pm.m2 ELSE 16777215 END <> 0`;

const DAY_MS = 86_400_000;
const utcDayOf = (t: Date) => new Date(Math.floor(t.getTime() / DAY_MS) * DAY_MS);

/** Program-level and time-bucketed KPI reads; breakdowns are in KpiBreakdownRepository. */
@Injectable()
export class KpiReadRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findProgram(brandId: string, programId: string): Promise<KpiProgram | undefined> {
    return (await this.programs(brandId, programId))[0];
  }

  /** Every program of the brand, oldest first. */
  listPrograms(brandId: string): Promise<KpiProgram[]> {
    return this.programs(brandId);
  }

  /** Per program: rollup sums, reach = program reach. */
  async sumByProgram(
    brandId: string,
    programIds: string[],
    p: KpiPeriod,
  ): Promise<Map<string, KpiTotals>> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT program_id, ${rollupSums('reach_program')}
         FROM kpi_rollups
        WHERE program_id = ANY($2::text[]) AND grain = 'c' AND bucket >= $3 AND bucket < $4
          AND brand_id = $1
        GROUP BY program_id`,
      [brandId, programIds, p.from, p.to],
    );
    return new Map(rows.map((r) => [r.program_id!, addSums(emptyTotals(), r)]));
  }

  /**
   * Per program: advocates with a human click or a share in the period (hour precision). Whole
   * UTC weeks are read from the weekly rows (a human click or a share that week), the days
   * around them from the daily advocate rows' hour bits: ~4 rows per advocate for 30 days.
   */
  async countActiveAdvocates(
    brandId: string,
    programIds: string[],
    p: KpiPeriod,
  ): Promise<Map<string, number>> {
    const { weeks } = splitByWholeWeeks(p);
    const rows: { program_id: string; n: string }[] = await this.dataSource.query(
      // UNION then count: a hash aggregate, where count(DISTINCT …) would sort; one SELECT per
      // grain, so each reads its partition through its own index.
      `WITH ${periodMasksCte('$3::timestamptz', '$4::timestamptz')}
       SELECT program_id, count(*)::text AS n
         FROM (SELECT r.program_id, r.advocate_id
                 FROM kpi_rollups r
                WHERE r.program_id = ANY($2::text[]) AND r.grain = 'w'
                  AND r.bucket >= $5 AND r.bucket < $6 AND r.brand_id = $1
                  AND (r.clicks > 0 OR r.shares > 0)
                UNION
               SELECT r.program_id, r.advocate_id
                 FROM kpi_rollups r CROSS JOIN period_masks pm
                WHERE r.program_id = ANY($2::text[]) AND r.grain = 'a' AND r.brand_id = $1
                  AND (r.bucket >= $7 AND r.bucket < $5 OR r.bucket >= $6 AND r.bucket < $4)
                  AND ${ACTIVE_IN_PERIOD}) active
        GROUP BY program_id`,
      // $7, the UTC day of the period's first hour, as a value: an index range on the days.
      [brandId, programIds, p.from, p.to, weeks[0], weeks[1], utcDayOf(p.from)],
    );
    return new Map(rows.map((r) => [r.program_id, Number(r.n)]));
  }

  /** Per program: advocates enrolled before `before`. */
  async countEnrolled(
    brandId: string,
    programIds: string[],
    before: Date,
  ): Promise<Map<string, number>> {
    const rows: { program_id: string; n: string }[] = await this.dataSource.query(
      `SELECT program_id, count(*)::text AS n FROM enrollments
        WHERE brand_id = $1 AND program_id = ANY($2::text[]) AND created_at < $3
        GROUP BY program_id`,
      [brandId, programIds, before],
    );
    return new Map(rows.map((r) => [r.program_id, Number(r.n)]));
  }

  // -------------------------------------------------------------------------------------------
  // Time buckets in the caller's time zone. A UTC hour belongs to the local bucket its start
  // falls in (in zones with a half-hour offset, a bucket's edges are off by that half hour).

  /** The local day/week/month buckets touching the period, in order. */
  async listBuckets(p: KpiPeriod, interval: KpiInterval): Promise<SeriesBucket[]> {
    const rows: { date: string; start: Date; end: Date }[] = await this.dataSource.query(
      `SELECT to_char(l, ${bucketLabel(interval)}) AS date,
              GREATEST(l AT TIME ZONE $3, $1::timestamptz) AS start,
              LEAST((l + ('1 ' || $4)::interval) AT TIME ZONE $3, $2::timestamptz) AS end
         FROM generate_series(date_trunc($4, $1::timestamptz AT TIME ZONE $3),
                              ($2::timestamptz - interval '1 hour') AT TIME ZONE $3,
                              ('1 ' || $4)::interval) AS l`,
      [p.from, p.to, p.timezone, interval],
    );
    return rows.map((r) => ({ date: r.date, start: r.start, end: r.end }));
  }

  async sumByBucket(
    brandId: string,
    programId: string,
    p: KpiPeriod,
    interval: KpiInterval,
  ): Promise<Map<string, KpiTotals>> {
    const rows: Row[] = await this.dataSource.query(
      // Summed per hour first: the time zone conversion then runs once per hour, not per row.
      `SELECT to_char(date_trunc($6, bucket AT TIME ZONE $5), ${bucketLabel(interval)}) AS date,
              ${rollupSums('reach_program')}
         FROM (SELECT bucket, ${SUM_COLUMNS.map((c) => `sum(${c}) AS ${c}`).join(', ')}
                 FROM kpi_rollups
                WHERE program_id = $2 AND grain = 'c' AND bucket >= $3 AND bucket < $4
                  AND brand_id = $1
                GROUP BY bucket) hourly
        GROUP BY 1`,
      [brandId, programId, p.from, p.to, p.timezone, interval],
    );
    return new Map(rows.map((r) => [r.date!, addSums(emptyTotals(), r)]));
  }

  /**
   * Active advocates per local bucket, from the daily advocate rows' hour bits: a UTC day spans
   * at most two local buckets, split at the hour the second one starts.
   */
  async countActiveAdvocatesByBucket(
    brandId: string,
    programId: string,
    p: KpiPeriod,
    interval: KpiInterval,
  ): Promise<Map<string, number>> {
    if (interval === 'hour') return this.countActiveAdvocatesByHour(brandId, programId, p);
    if (interval === 'day' && (await this.isUtcThroughout(p))) {
      return this.countActiveAdvocatesByUtcDay(brandId, programId, p);
    }
    const rows: { date: string; n: string }[] = await this.dataSource.query(
      `WITH days AS MATERIALIZED (
         SELECT d AS day, date_trunc($6, d AT TIME ZONE $5) AS a,
                date_trunc($6, (d + interval '23 hours') AT TIME ZONE $5) AS b,
                ${periodHourMask('d', '$3::timestamptz', '$4::timestamptz')} AS in_period
           FROM generate_series(${utcDay('$3::timestamptz')}, $4::timestamptz - interval '1 hour',
                                interval '24 hours') AS d),
       split AS MATERIALIZED (
         SELECT day, to_char(a, 'YYYY-MM-DD') AS a, to_char(b, 'YYYY-MM-DD') AS b,
                in_period & ((1 << s) - 1) AS hours_a,
                in_period & (16777215 # ((1 << s) - 1)) AS hours_b
           FROM (SELECT *, CASE WHEN a = b THEN 24
                                ELSE ceil(extract(epoch FROM ((b AT TIME ZONE $5) - day)) / 3600)::int
                           END AS s
                   FROM days) x)
       SELECT date, count(*)::text AS n
         FROM (SELECT DISTINCT x.local AS date, r.advocate_id
                 FROM kpi_rollups r
                 JOIN split sp ON sp.day = r.bucket
                CROSS JOIN LATERAL (VALUES (sp.a, sp.hours_a), (sp.b, sp.hours_b)) AS x(local, hours)
                WHERE r.program_id = $2 AND r.grain = 'a'
                  AND r.bucket >= ${utcDay('$3::timestamptz')} AND r.bucket < $4
                  AND r.brand_id = $1 AND r.active_hours & x.hours <> 0) active
        GROUP BY 1`,
      [brandId, programId, p.from, p.to, p.timezone, interval],
    );
    return new Map(rows.map((r) => [r.date, Number(r.n)]));
  }

  /**
   * Active advocates per local hour: each set hour bit of a daily advocate row inside the
   * period is one UTC hour, placed in its local hour (DISTINCT: when clocks go back, two UTC
   * hours share a local one).
   */
  private async countActiveAdvocatesByHour(
    brandId: string,
    programId: string,
    p: KpiPeriod,
  ): Promise<Map<string, number>> {
    const rows: { date: string; n: string }[] = await this.dataSource.query(
      `SELECT to_char(date_trunc('hour', x.at AT TIME ZONE $5), ${bucketLabel('hour')}) AS date,
              count(DISTINCT r.advocate_id)::text AS n
         FROM kpi_rollups r
        CROSS JOIN generate_series(0, 23) AS h
        CROSS JOIN LATERAL (SELECT r.bucket + h * interval '1 hour' AS at) x
        WHERE r.program_id = $2 AND r.grain = 'a'
          AND r.bucket >= ${utcDay('$3::timestamptz')} AND r.bucket < $4
          AND r.brand_id = $1 AND r.active_hours & (1 << h) <> 0
          AND x.at >= $3 AND x.at < $4
        GROUP BY 1`,
      [brandId, programId, p.from, p.to, p.timezone],
    );
    return new Map(rows.map((r) => [r.date, Number(r.n)]));
  }

  /** The period's time zone keeps UTC's clock throughout (UTC, or Europe/London in winter). */
  private async isUtcThroughout(p: KpiPeriod): Promise<boolean> {
    if (p.timezone === 'UTC') return true;
    const [row]: { utc: boolean }[] = await this.dataSource.query(
      `SELECT bool_and(d AT TIME ZONE $3 = d AT TIME ZONE 'UTC') AS utc
         FROM generate_series($1::timestamptz, $2::timestamptz, interval '1 hour') AS d`,
      [p.from, p.to, p.timezone],
    );
    return row?.utc === true;
  }

  /**
   * Active advocates per UTC day, when the local days are UTC days: an advocate's daily row is
   * the only row of the advocate in its bucket, so counting the rows active in the period's
   * hours is counting advocates (no DISTINCT; the daily rows are read once, in parallel).
   */
  private async countActiveAdvocatesByUtcDay(
    brandId: string,
    programId: string,
    p: KpiPeriod,
  ): Promise<Map<string, number>> {
    const rows: { date: string; n: string }[] = await this.dataSource.query(
      `WITH ${periodMasksCte('$3::timestamptz', '$4::timestamptz')}
       SELECT to_char(r.bucket AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS date, count(*)::text AS n
         FROM kpi_rollups r CROSS JOIN period_masks pm
        WHERE r.program_id = $2 AND r.grain = 'a' AND r.bucket >= pm.d1 AND r.bucket < $4
          AND r.brand_id = $1 AND ${ACTIVE_IN_PERIOD}
        GROUP BY r.bucket`,
      [brandId, programId, p.from, p.to],
    );
    return new Map(rows.map((r) => [r.date, Number(r.n)]));
  }

  /** Enrollments made before the period (key '') and in each local bucket of it. */
  async countEnrolledByBucket(
    brandId: string,
    programId: string,
    p: KpiPeriod,
    interval: KpiInterval,
  ): Promise<Map<string, number>> {
    const rows: { date: string; n: string }[] = await this.dataSource.query(
      `SELECT CASE WHEN created_at < $3 THEN ''
                   ELSE to_char(date_trunc($6, ${utcHour('created_at')} AT TIME ZONE $5),
                                ${bucketLabel(interval)}) END AS date,
              count(*)::text AS n
         FROM enrollments
        WHERE brand_id = $1 AND program_id = $2 AND created_at < $4
        GROUP BY 1`,
      [brandId, programId, p.from, p.to, p.timezone, interval],
    );
    return new Map(rows.map((r) => [r.date, Number(r.n)]));
  }

  /** Human clicks or attributed purchases by local ISO weekday (1 = Monday) × hour. */
  async sumByWeekdayHour(
    brandId: string,
    programId: string,
    p: KpiPeriod,
    metric: HeatmapMetric,
  ): Promise<{ weekday: number; hour: number; value: number }[]> {
    const column = metric === 'clicks' ? 'clicks' : 'conversions';
    const rows: { weekday: number; hour: number; value: string }[] = await this.dataSource.query(
      `SELECT extract(isodow FROM bucket AT TIME ZONE $5)::int AS weekday,
              extract(hour FROM bucket AT TIME ZONE $5)::int AS hour,
              sum(value)::text AS value
         FROM (SELECT bucket, sum(${column}) AS value
                 FROM kpi_rollups
                WHERE program_id = $2 AND grain = 'c' AND bucket >= $3 AND bucket < $4
                  AND brand_id = $1
                GROUP BY bucket) hourly
        GROUP BY 1, 2`,
      [brandId, programId, p.from, p.to, p.timezone],
    );
    return rows.map((r) => ({ weekday: r.weekday, hour: r.hour, value: Number(r.value) }));
  }

  /** Every time zone name PostgreSQL knows (what `AT TIME ZONE` accepts). */
  async listTimezoneNames(): Promise<string[]> {
    const rows: { name: string }[] = await this.dataSource.query(
      'SELECT name FROM pg_timezone_names',
    );
    return rows.map((r) => r.name);
  }

  /** Midnight of a calendar date (YYYY-MM-DD) in a time zone, as an instant. */
  async localMidnight(date: string, timezone: string): Promise<Date> {
    const rows: { at: Date }[] = await this.dataSource.query(
      'SELECT ($1::date::timestamp AT TIME ZONE $2) AS at',
      [date, timezone],
    );
    return rows[0]!.at;
  }

  private async programs(brandId: string, programId?: string): Promise<KpiProgram[]> {
    const rows: Record<string, any>[] = await this.dataSource.query(
      `SELECT id, name, goal, status, currency, starts_at, ends_at, created_at,
              program_cost_amount::text AS program_cost_amount, kpi_weights
         FROM programs
        WHERE brand_id = $1 ${programId ? 'AND id = $2' : ''}
        ORDER BY created_at, id`,
      programId ? [brandId, programId] : [brandId],
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      goal: r.goal,
      status: r.status,
      currency: r.currency,
      startsAt: r.starts_at,
      endsAt: r.ends_at,
      createdAt: r.created_at,
      programCostAmount:
        r.program_cost_amount === null ? null : toSafeInteger(r.program_cost_amount),
      kpiWeights: r.kpi_weights,
    }));
  }
}
