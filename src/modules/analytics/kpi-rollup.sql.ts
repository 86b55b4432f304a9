/**
 * The SQL that turns raw rows into KPI rollup deltas, shared by every write path (click flush,
 * events, refunds, shares) and by the recomputation from raw rows (rebuild, verification), so
 * both count with the same definitions.
 *
 * A "fact" is one raw row's contribution: its keys, its time and its counters. `factSelect`
 * builds a SELECT with every fact column (absent counters are 0); `ROLLUP_UPSERT` fans facts
 * out to the four grains, sums them and adds them to kpi_rollups in primary-key order.
 */

/** Key columns of a fact, then its counters (the kpi_rollups column they add to). */
const FACT_KEYS = ['brand_id', 'program_id', 'cta_id', 'channel', 'advocate_id', 'at'] as const;
const COUNTERS = [
  'clicks',
  'bot_clicks',
  'reach_program',
  'reach_channel',
  'reach_cta',
  'reach_advocate',
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
] as const;
type FactKey = (typeof FACT_KEYS)[number];
type Counter = (typeof COUNTERS)[number];
/**
 * `active`: the fact shows the advocate at work (a human click, a share). `scope`: the grains
 * it goes to — `all`, or for reach facts `c` (program, channel and CTA reach live on `c` rows)
 * or `hd` (advocate reach lives on the `h`, `d`, `a` and `w` rows).
 */
export type FactColumns = Record<FactKey, string> &
  Partial<Record<Counter | 'active' | 'scope', string>>;

/** `SELECT <every fact column> <from>`: a fact source for a `facts` CTE (UNION ALL them). */
export function factSelect(columns: FactColumns, from: string): string {
  const exprs = [
    ...FACT_KEYS.map((k) => `${columns[k]} AS ${k}`),
    ...COUNTERS.map((c) => `${columns[c] ?? '0'} AS ${c}`),
    `${columns.active ?? 'false'} AS active`,
    `${columns.scope ?? "'all'"} AS scope`,
  ];
  return `SELECT ${exprs.join(', ')}\n ${from}`;
}

/**
 * Facts summed per key and UTC hour before they are fanned out: the recomputation of a whole
 * program reads millions of raw rows, this keeps what is grouped afterwards small.
 */
export function preAggregated(source: string): string {
  return `SELECT ${FACT_KEYS.slice(0, 5).join(', ')}, ${utcHour('at')} AS at,
         ${COUNTERS.map((c) => `sum(${c}) AS ${c}`).join(', ')}, bool_or(active) AS active, scope
    FROM (${source}) pre
   GROUP BY ${FACT_KEYS.slice(0, 5).join(', ')}, 6, scope`;
}

// UTC hours and days by arithmetic (date_bin), not by time zone rules: cheaper per row.
const UTC_ORIGIN = "timestamptz '2000-01-01 00:00:00+00'";
export const utcHour = (t: string) => `date_bin('1 hour', ${t}, ${UTC_ORIGIN})`;
export const utcDay = (t: string) => `date_bin('1 day', ${t}, ${UTC_ORIGIN})`;
// 2000-01-03 was a Monday: weeks run Monday to Monday, UTC.
export const utcWeek = (t: string) =>
  `date_bin('7 days', ${t}, timestamptz '2000-01-03 00:00:00+00')`;

const KEY_COLUMNS = 'program_id, grain, bucket, cta_id, channel, advocate_id';

const counterSum = (c: Counter) => `sum(f.${c})`;

const ACTIVE_BIT = `bit_or(CASE WHEN g.grain IN ('d', 'a') AND f.active
      THEN 1 << extract(hour FROM f.at - ${utcDay('f.at')})::int ELSE 0 END)`;

// Only `c` and `d` rows keep the CTA and channel; the advocate rows `h`, `a` and `w` fold them
// into '' (the leaderboard groups by advocate: fewer, shorter rows to read).
const FAN_OUT = `FROM facts f
 CROSS JOIN LATERAL (VALUES
        ('c', ${utcHour('f.at')}, f.cta_id, f.channel, ''),
        ('h', ${utcHour('f.at')}, '', '', f.advocate_id),
        ('d', ${utcDay('f.at')}, f.cta_id, f.channel, f.advocate_id),
        ('a', ${utcDay('f.at')}, '', '', f.advocate_id),
        ('w', ${utcWeek('f.at')}, '', '', f.advocate_id)) AS g(grain, bucket, cta_id, channel, advocate_id)
 WHERE f.scope = 'all' OR (f.scope = 'c') = (g.grain = 'c')
 GROUP BY f.program_id, g.grain, g.bucket, g.cta_id, g.channel, g.advocate_id
HAVING ${COUNTERS.map((c) => `${counterSum(c)} <> 0`).join(' OR ')} OR ${ACTIVE_BIT} <> 0`;

/**
 * Adds the `facts` CTE to kpi_rollups. Rows are sorted by the primary key so that concurrent
 * writers (click flushes, event transactions) take their row locks in one order: no deadlock
 * between them. A group whose deltas cancel out (a reach count moving within one hour) is
 * skipped.
 */
export const ROLLUP_UPSERT = `INSERT INTO kpi_rollups AS r (${KEY_COLUMNS}, brand_id, ${COUNTERS.join(', ')}, active_hours)
SELECT f.program_id, g.grain, g.bucket, g.cta_id, g.channel, g.advocate_id, min(f.brand_id),
       ${COUNTERS.map(counterSum).join(',\n       ')},
       ${ACTIVE_BIT}
  ${FAN_OUT}
 ORDER BY f.program_id, g.grain, g.bucket, g.cta_id, g.channel, g.advocate_id
    ON CONFLICT (${KEY_COLUMNS}) DO UPDATE SET
       ${COUNTERS.map((c) => `${c} = r.${c} + excluded.${c}`).join(',\n       ')},
       active_hours = r.active_hours | excluded.active_hours`;

/** Rollup rows computed from facts without writing them (verification against raw rows). */
export const ROLLUP_SELECT = `SELECT f.program_id, g.grain, g.bucket, g.cta_id, g.channel, g.advocate_id,
       ${COUNTERS.map((c) => `${counterSum(c)}::bigint AS ${c}`).join(',\n       ')},
       ${ACTIVE_BIT} AS active_hours
  ${FAN_OUT}`;

export const ROLLUP_COUNTERS = COUNTERS;

// ---------------------------------------------------------------------------------------------
// Fact sources. `where` filters the raw table (aliased as in each function) and must bind the
// brand; `$1` is the brand id in every statement here.

/** The key columns of a click fact (`clicks k`, or its hourly counts `k`). */
const CLICK_KEYS = {
  brand_id: 'k.brand_id',
  program_id: 'k.program_id',
  cta_id: 'k.cta_id',
  channel: 'k.channel',
  advocate_id: 'k.advocate_id',
};

/** Every click counts (humans and bots apart); human clicks mark the advocate active. */
export function clickFacts(from: string): string {
  return factSelect(
    {
      ...CLICK_KEYS,
      at: 'k.clicked_at',
      clicks: '(NOT k.is_bot)::int',
      bot_clicks: 'k.is_bot::int',
      active: 'NOT k.is_bot',
    },
    from,
  );
}

/**
 * Clicks counted per key and UTC hour, as facts (`where` filters `clicks k`): for the
 * recomputation of a whole program, where a per-click fact would be grouped with every counter.
 */
export function hourlyClickFacts(where: string): string {
  return factSelect(
    {
      ...CLICK_KEYS,
      at: 'k.at',
      clicks: 'k.clicks',
      bot_clicks: 'k.bot_clicks',
      active: 'k.clicks > 0',
    },
    `FROM (SELECT k.brand_id, k.program_id, k.cta_id, k.channel, k.advocate_id,
                 ${utcHour('k.clicked_at')} AS at,
                 count(*) FILTER (WHERE NOT k.is_bot)::int AS clicks,
                 count(*) FILTER (WHERE k.is_bot)::int AS bot_clicks
            FROM clicks k WHERE ${where}
           GROUP BY 1, 2, 3, 4, 5, 6) k`,
  );
}

/**
 * Reach facts from visitor keys (rows of `dim`, first_at, cta_id, channel, advocate_id): +1 where
 * the key is now; with `withPrevious`, -1 where a moved key was before.
 */
export function reachFacts(from: string, withPrevious: boolean): string {
  const place = withPrevious
    ? `CROSS JOIN LATERAL (VALUES (v.first_at, v.cta_id, v.channel, v.advocate_id, 1),
                                  (v.prev_at, v.prev_cta_id, v.prev_channel, v.prev_advocate_id, -1))
                     AS x(at, cta_id, channel, advocate_id, sign)
       WHERE x.at IS NOT NULL`
    : `CROSS JOIN LATERAL (VALUES (v.first_at, v.cta_id, v.channel, v.advocate_id, 1))
                     AS x(at, cta_id, channel, advocate_id, sign)`;
  return factSelect(
    {
      brand_id: 'v.brand_id',
      program_id: 'v.program_id',
      cta_id: 'x.cta_id',
      channel: 'x.channel',
      advocate_id: 'x.advocate_id',
      at: 'x.at',
      reach_program: "x.sign * (v.dim = 'p')::int",
      reach_channel: "x.sign * (v.dim LIKE 'c:%')::int",
      reach_cta: "x.sign * (v.dim LIKE 't:%')::int",
      reach_advocate: "x.sign * (v.dim LIKE 'a:%')::int",
      scope: "CASE WHEN v.dim LIKE 'a:%' THEN 'hd' ELSE 'c' END",
    },
    `${from}\n ${place}`,
  );
}

/**
 * The visitor keys of human clicks (`source` yields clicks as `h` with a `day` date column):
 * per (day, program, visitor, dim) the earliest click by (clicked_at, id). Texts compare byte
 * by byte (COLLATE "C", as the flush compares click ids): the same order on every server, and
 * a sort several times faster than by the database's collation.
 */
export function visitorKeysOf(source: string): string {
  return `SELECT DISTINCT ON (h.day, h.program_id, h.visitor_hash COLLATE "C", d.dim COLLATE "C")
         h.day, h.program_id, h.visitor_hash, d.dim, h.brand_id, h.clicked_at AS first_at,
         h.id AS first_click_id, h.cta_id, h.channel, h.advocate_id
    FROM ${source}
   CROSS JOIN LATERAL (VALUES ('p'), ('c:' || h.channel), ('t:' || h.cta_id),
                              ('a:' || h.advocate_id)) AS d(dim)
   ORDER BY h.day, h.program_id, h.visitor_hash COLLATE "C", d.dim COLLATE "C", h.clicked_at,
            h.id COLLATE "C"`;
}

export function shareFacts(where: string): string {
  return factSelect(
    {
      brand_id: 's.brand_id',
      program_id: 's.program_id',
      cta_id: 's.cta_id',
      channel: 's.channel',
      advocate_id: 's.advocate_id',
      at: 's.shared_at',
      shares: '1',
      shares_reach: 'COALESCE(s.reach, 0)',
      impressions: 'COALESCE(s.impressions, 0)',
      active: 'true',
    },
    `FROM shares s WHERE ${where}`,
  );
}

/**
 * Attributed signups, purchases and custom events (`e`). Revenue counts orders in the program
 * currency; a CTA completion is a signup on a signup CTA, or a custom event on a CTA whose
 * action is neither purchase nor signup, valued at the CTA's value; a new customer is a
 * referral of a customer new to the brand that this purchase converted. The referral is joined
 * by its primary key only (the brand compared with IS NOT DISTINCT FROM, which no index
 * serves): with `=`, the brand's referrals index was a candidate, and on statistics that lag a
 * fast-growing table the planner walked all of the brand's referrals once per event (3.4 s for
 * a batch of 500 after ~2,000 referrals in the events bench).
 */
export function conversionFacts(where: string): string {
  const completes = `(c.action = 'signup' AND e.type = 'signup'
                   OR c.action NOT IN ('purchase', 'signup') AND e.type = 'custom')`;
  return factSelect(
    {
      brand_id: 'e.brand_id',
      program_id: 'e.program_id',
      cta_id: "COALESCE(e.cta_id, '')",
      channel: "COALESCE(e.channel, '')",
      advocate_id: 'e.advocate_id',
      at: 'e.occurred_at',
      signups: "(e.type = 'signup')::int",
      conversions: "(e.type = 'purchase')::int",
      revenue: `CASE WHEN e.type = 'purchase' AND e.order_currency = p.currency
                     THEN e.order_amount ELSE 0 END`,
      new_customers: `(e.type = 'purchase' AND rf.converted_event_id IS NOT DISTINCT FROM e.id
                       AND rf.new_customer IS TRUE)::int`,
      cta_completions: `CASE WHEN ${completes} THEN 1 ELSE 0 END`,
      cta_value: `CASE WHEN ${completes} THEN c.value_amount ELSE 0 END`,
    },
    `FROM events e
    JOIN programs p ON p.id = e.program_id AND p.brand_id = e.brand_id
    LEFT JOIN ctas c ON c.id = e.cta_id AND c.brand_id = e.brand_id
    LEFT JOIN referrals rf
           ON rf.id = e.referral_id AND rf.brand_id IS NOT DISTINCT FROM e.brand_id
   WHERE e.status = 'attributed' AND e.type IN ('signup', 'purchase', 'custom') AND ${where}`,
  );
}

/**
 * Attributed refunds (`rf`, events of type refund) taken off their order's revenue, at the
 * purchase's hour, CTA, channel and advocate. The purchase is the first recorded purchase of
 * the order, as the refund recorder chooses it; only orders in the program currency had revenue.
 */
export function refundFacts(where: string): string {
  return factSelect(
    {
      brand_id: 'pu.brand_id',
      program_id: 'pu.program_id',
      cta_id: "COALESCE(pu.cta_id, '')",
      channel: "COALESCE(pu.channel, '')",
      advocate_id: 'pu.advocate_id',
      at: 'pu.occurred_at',
      refunds: 'rf.order_amount',
    },
    `FROM events rf
   CROSS JOIN LATERAL (
         SELECT pe.brand_id, pe.program_id, pe.cta_id, pe.channel, pe.advocate_id, pe.occurred_at,
                pe.order_currency, pe.status
           FROM events pe
          WHERE pe.brand_id = rf.brand_id AND pe.order_id = rf.order_id AND pe.type = 'purchase'
            AND pe.status IS NOT NULL
          ORDER BY pe.received_at, pe.id
          LIMIT 1) pu
    JOIN programs p ON p.id = pu.program_id AND p.brand_id = pu.brand_id
   WHERE rf.type = 'refund' AND rf.status = 'attributed' AND pu.status = 'attributed'
     AND pu.order_currency = p.currency AND ${where}`,
  );
}

/**
 * What a reward costs the program, as the KPI reads count it: pending, approved and paid
 * rewards net of what refunds reversed; held, rejected and reversed ones cost nothing, and a
 * clawback is the reversal being collected (not counted again). `w` is a rewards row (or a
 * trigger's transition row). Only rewards in the program currency count (checked by the facts).
 */
export const rewardCost = (w: string) =>
  `CASE WHEN ${w}.clawback_of IS NULL AND ${w}.status IN ('pending', 'approved', 'paid')
        THEN COALESCE(${w}.amount, 0) - ${w}.reversed_amount ELSE 0 END`;

/**
 * Reward cost facts from rows `d` of (brand_id, program_id, advocate_id, event_id, occurred_at,
 * currency, cost): at the reward's time and advocate, and the CTA and channel of the event
 * that earned it ('' when none), as the breakdowns group them.
 */
export function rewardCostFacts(from: string): string {
  return factSelect(
    {
      brand_id: 'd.brand_id',
      program_id: 'd.program_id',
      cta_id: "COALESCE(e.cta_id, '')",
      channel: "COALESCE(e.channel, '')",
      advocate_id: 'd.advocate_id',
      at: 'd.occurred_at',
      reward_cost: 'd.cost',
    },
    `FROM ${from}
    JOIN programs p ON p.id = d.program_id AND p.brand_id = d.brand_id AND p.currency = d.currency
    LEFT JOIN events e ON e.id = d.event_id AND e.brand_id = d.brand_id
   WHERE d.cost <> 0`,
  );
}

/** Reward cost facts of one program's rewards ($1 brand, $2 program): the recomputation. */
export const PROGRAM_REWARD_COST_FACTS = rewardCostFacts(
  `(SELECT w.brand_id, w.program_id, w.advocate_id, w.event_id, w.occurred_at, w.currency,
           ${rewardCost('w')} AS cost
      FROM rewards w WHERE w.brand_id = $1 AND w.program_id = $2) d`,
);

/**
 * Folds queued reward cost changes (kpi_reward_cost_deltas, written by triggers on rewards)
 * into the rollups in one statement: the rows it deletes are the rows it adds, so each change
 * counts once whatever fails. `$1`: the brand, or null for all; `$2`: how many rows at most.
 * With `skipLocked`, rows another fold holds are left to it (background runs on several
 * instances); without, it waits for them, so a read that folds first sees every change made
 * before it. Answers `folded`: the number of queued rows it took.
 */
export function foldRewardCosts(skipLocked: boolean): string {
  return `WITH d AS (
  DELETE FROM kpi_reward_cost_deltas
   WHERE id IN (SELECT id FROM kpi_reward_cost_deltas
                 WHERE $1::text IS NULL OR brand_id = $1
                 ORDER BY id LIMIT $2
                   FOR UPDATE${skipLocked ? ' SKIP LOCKED' : ''})
  RETURNING brand_id, program_id, advocate_id, event_id, occurred_at, currency, delta AS cost
),
facts AS (
  ${rewardCostFacts('d')}
),
rollups AS (
  ${ROLLUP_UPSERT}
)
SELECT count(*)::int AS folded FROM d`;
}
