import {
  clickFacts,
  reachFacts,
  ROLLUP_UPSERT,
  visitorKeysOf,
} from '@/modules/analytics/kpi-rollup.sql';

/** Columns the click insert must return (the rows it really inserted). */
export const CLICK_RETURNING =
  'id, brand_id, program_id, cta_id, channel, advocate_id, clicked_at, is_bot, is_first_visit, visitor_hash';

/**
 * The click flush as ONE statement: the insert (`insertClicks`, an `INSERT INTO clicks … ON
 * CONFLICT (id) DO NOTHING RETURNING ${CLICK_RETURNING}`) and the KPI rollups of the rows it
 * inserted — a retried batch adds nothing twice.
 *
 * Reach: each human click offers its visitor keys (program, channel, CTA, advocate × UTC day);
 * a new key counts +1 at its click; a key that gets an earlier click moves there (-1 where it
 * was). Days older than the kept visitor keys ($keepDaysParam days, today included) cannot be
 * decided here: they are marked for the maintenance job, which recomputes them from raw clicks.
 *
 * A repeat visit (is_first_visit false) offers no keys: the click writer flags a repeat only when
 * the same visitor clicked the same link earlier — an earlier millisecond, the same UTC day (the
 * visitor hash changes at midnight), through this same process, so already in this batch or an
 * earlier one — and that click offered the same four keys at an earlier time. Skipping them
 * changes no count, only work: the recomputation from raw clicks, which reads every click,
 * finds the same first clicks.
 */
export function clickInsertWithRollups(insertClicks: string, keepDaysParam: number): string {
  const horizon = `(now() AT TIME ZONE 'UTC')::date - ($${keepDaysParam}::int - 1)`;
  return `WITH ins AS (
  ${insertClicks}
),
human AS (
  SELECT i.*, (i.clicked_at AT TIME ZONE 'UTC')::date AS day FROM ins i WHERE NOT i.is_bot
),
seen AS (
  INSERT INTO kpi_visitors AS v (day, program_id, visitor_hash, dim, brand_id, first_at,
                                 first_click_id, cta_id, channel, advocate_id)
  SELECT day, program_id, visitor_hash, dim, brand_id, first_at, first_click_id, cta_id,
         channel, advocate_id
    FROM (${visitorKeysOf(`(SELECT * FROM human WHERE day >= ${horizon} AND is_first_visit) h`)}) k
  ON CONFLICT (day, program_id, visitor_hash, dim) DO UPDATE
     SET first_at = excluded.first_at, first_click_id = excluded.first_click_id,
         cta_id = excluded.cta_id, channel = excluded.channel, advocate_id = excluded.advocate_id,
         prev_at = v.first_at, prev_cta_id = v.cta_id, prev_channel = v.channel,
         prev_advocate_id = v.advocate_id
   WHERE excluded.first_at < v.first_at
      OR excluded.first_at = v.first_at
         AND excluded.first_click_id COLLATE "C" < v.first_click_id COLLATE "C"
  RETURNING v.*
),
late AS (
  INSERT INTO kpi_dirty_days AS dd (program_id, day, brand_id)
  SELECT DISTINCT program_id, day, brand_id FROM human WHERE day < ${horizon}
   ORDER BY program_id, day
  ON CONFLICT (program_id, day) DO UPDATE SET version = dd.version + 1
),
facts AS (
  ${clickFacts('FROM ins k')}
  UNION ALL
  ${reachFacts('FROM seen v', true)}
)
${ROLLUP_UPSERT}`;
}
