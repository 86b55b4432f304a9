import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  conversionFacts,
  hourlyClickFacts,
  preAggregated,
  PROGRAM_REWARD_COST_FACTS,
  reachFacts,
  refundFacts,
  ROLLUP_COUNTERS,
  ROLLUP_SELECT,
  ROLLUP_UPSERT,
  shareFacts,
  utcWeek,
  visitorKeysOf,
} from '@/modules/analytics/kpi-rollup.sql';
import { foldQueuedRewardCosts } from '@/modules/analytics/kpi-fold.repository';

export interface DirtyDay {
  brandId: string;
  programId: string;
  /** YYYY-MM-DD (UTC). */
  day: string;
  version: string;
}

/** A rollup row that differs from its recomputation (`stored` or `raw` null: missing there). */
export interface RollupDifference {
  key: { grain: string; bucket: string; ctaId: string; channel: string; advocateId: string };
  stored: Record<string, string> | null;
  raw: Record<string, string> | null;
}

// The columns visitor keys need (a narrow sort).
const KEY_SOURCE_COLUMNS = `c.id, c.brand_id, c.program_id, c.cta_id, c.channel, c.advocate_id,
       c.clicked_at, c.visitor_hash, (c.clicked_at AT TIME ZONE 'UTC')::date AS day`;

const HUMAN_CLICKS_OF_PROGRAM = `(SELECT ${KEY_SOURCE_COLUMNS}
      FROM clicks c WHERE c.brand_id = $1 AND c.program_id = $2 AND NOT c.is_bot) h`;

/** The program's clicks counted per key and hour, into a table (see rebuildProgram). */
const HOURLY_CLICKS = `CREATE TEMPORARY TABLE kpi_rebuild_clicks ON COMMIT DROP AS
  ${hourlyClickFacts('k.brand_id = $1 AND k.program_id = $2')}`;

const OTHER_COUNTER_FACTS = `
  ${shareFacts('s.brand_id = $1 AND s.program_id = $2')}
  UNION ALL
  ${conversionFacts('e.brand_id = $1 AND e.program_id = $2')}
  UNION ALL
  ${refundFacts('rf.brand_id = $1 AND rf.program_id = $2')}
  UNION ALL
  ${PROGRAM_REWARD_COST_FACTS}`;

/** Every fact of one program ($1 brand, $2 program) but reach, recomputed from raw tables. */
const COUNTER_FACTS = `
  ${hourlyClickFacts('k.brand_id = $1 AND k.program_id = $2')}
  UNION ALL
  ${shareFacts('s.brand_id = $1 AND s.program_id = $2')}
  UNION ALL
  ${conversionFacts('e.brand_id = $1 AND e.program_id = $2')}
  UNION ALL
  ${refundFacts('rf.brand_id = $1 AND rf.program_id = $2')}
  UNION ALL
  ${PROGRAM_REWARD_COST_FACTS}`;

/** Every fact of one program, reach included (one statement: for checks). */
const PROGRAM_FACTS = `facts AS (
  ${COUNTER_FACTS}
  UNION ALL
  ${preAggregated(reachFacts(`FROM (${visitorKeysOf(HUMAN_CLICKS_OF_PROGRAM)}) v`, false))}
)`;

/** Reach of one program-day ($1 brand, $2 program, $3 day) from its raw human clicks. */
const DAY_REACH_FACTS = `facts AS (
  ${reachFacts(
    `FROM (${visitorKeysOf(`(SELECT ${KEY_SOURCE_COLUMNS} FROM clicks c
        WHERE c.brand_id = $1 AND c.program_id = $2 AND NOT c.is_bot
          AND c.clicked_at >= $3::date::timestamp AT TIME ZONE 'UTC'
          AND c.clicked_at < ($3::date + 1)::timestamp AT TIME ZONE 'UTC') h`)}) v`,
    false,
  )}
)`;

const COLUMNS = [...ROLLUP_COUNTERS, 'active_hours'];

/**
 * For statements over a whole program's raw rows: no JIT compilation (seconds of compiling for
 * a statement that runs once), and memory to group and sort in (256 MB: the ~1 M key-hours of
 * a 10 M-click program hash in one batch).
 */
async function bulkSettings(em: EntityManager): Promise<void> {
  await em.query(`SET LOCAL work_mem = '256MB'`);
  await em.query('SET LOCAL jit = off');
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/**
 * Upkeep and repair of the KPI rollups: pruning reach bookkeeping, recomputing days hit by late
 * clicks, rebuilding a program from its raw rows, and checking the rollups against them.
 */
@Injectable()
export class KpiMaintenanceRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Deletes visitor keys the click flush no longer reads: it uses the last `keepDays` UTC days;
   * one more day is kept so a flush that began before midnight still finds its keys.
   */
  async pruneVisitorKeys(keepDays: number, batch = 10_000): Promise<number> {
    let total = 0;
    for (;;) {
      const [, deleted]: [unknown, number] = await this.dataSource.query(
        `DELETE FROM kpi_visitors WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM kpi_visitors
            WHERE day < (now() AT TIME ZONE 'UTC')::date - $1::int LIMIT $2))`,
        [keepDays, batch],
      );
      total += deleted;
      if (deleted < batch) return total;
    }
  }

  async findDirtyDays(limit: number): Promise<DirtyDay[]> {
    const rows: { brand_id: string; program_id: string; day: string; version: string }[] =
      await this.dataSource.query(
        `SELECT brand_id, program_id, day::text AS day, version::text AS version
           FROM kpi_dirty_days ORDER BY day, program_id LIMIT $1`,
        [limit],
      );
    return rows.map((r) => ({
      brandId: r.brand_id,
      programId: r.program_id,
      day: r.day,
      version: r.version,
    }));
  }

  /**
   * Recomputes the reach columns of one program-day from its raw clicks and clears its mark.
   * The mark is locked for the duration (another instance skips it; a late click arriving
   * meanwhile waits, then marks the day again). Returns false when another instance has it.
   */
  async recomputeDayReach(d: DirtyDay): Promise<boolean> {
    return this.dataSource.transaction(async (em) => {
      const locked: unknown[] = await em.query(
        `SELECT version FROM kpi_dirty_days
          WHERE program_id = $1 AND day = $2::date FOR UPDATE SKIP LOCKED`,
        [d.programId, d.day],
      );
      if (locked.length === 0) return false;
      // A weekly row sums its days: take this day's advocate reach (its `a` rows, before
      // they are zeroed below) off it; the day's recomputed reach is added back to both.
      await em.query(
        `UPDATE kpi_rollups w SET reach_advocate = w.reach_advocate - d.reach_advocate
           FROM kpi_rollups d
          WHERE d.program_id = $2 AND d.brand_id = $1 AND d.grain = 'a'
            AND d.bucket = $3::date::timestamp AT TIME ZONE 'UTC' AND d.reach_advocate <> 0
            AND w.program_id = $2 AND w.grain = 'w'
            AND w.bucket = ${utcWeek("($3::date::timestamp AT TIME ZONE 'UTC')")}
            AND w.cta_id = '' AND w.channel = '' AND w.advocate_id = d.advocate_id`,
        [d.brandId, d.programId, d.day],
      );
      await em.query(
        `UPDATE kpi_rollups
            SET reach_program = 0, reach_channel = 0, reach_cta = 0, reach_advocate = 0
          WHERE program_id = $2 AND brand_id = $1
            AND (reach_program <> 0 OR reach_channel <> 0 OR reach_cta <> 0 OR reach_advocate <> 0)
            AND (grain IN ('c', 'h')
                   AND bucket >= $3::date::timestamp AT TIME ZONE 'UTC'
                   AND bucket < ($3::date + 1)::timestamp AT TIME ZONE 'UTC'
                 OR grain IN ('d', 'a') AND bucket = $3::date::timestamp AT TIME ZONE 'UTC')`,
        [d.brandId, d.programId, d.day],
      );
      await em.query(`WITH ${DAY_REACH_FACTS}\n${ROLLUP_UPSERT}`, [d.brandId, d.programId, d.day]);
      await em.query(`DELETE FROM kpi_dirty_days WHERE program_id = $1 AND day = $2::date`, [
        d.programId,
        d.day,
      ]);
      return true;
    });
  }

  /**
   * Replaces a program's rollups and visitor keys by a recomputation from its raw clicks,
   * shares and events (queued events of the program included, so their queue rows go). Locks
   * the KPI tables for its duration (click flushes, event transactions and folds wait), so no
   * concurrent write is counted twice or lost. Returns the number of
   * rollup rows written. `onPhase` hears how long each phase took (the benchmark prints it).
   */
  async rebuildProgram(
    brandId: string,
    programId: string,
    keepDays: number,
    onPhase: (phase: string, ms: number) => void = () => undefined,
  ): Promise<number> {
    return this.dataSource.transaction(async (em) => {
      let t0 = Date.now();
      const phase = (name: string) => {
        onPhase(name, Date.now() - t0);
        t0 = Date.now();
      };
      // Reward changes (their queued costs) and the events' fold queue wait too: the rewards
      // are read below; an event transaction that queued its events has committed before the
      // lock is granted, one that has not yet waits for the rebuild's commit (its events are
      // then folded on top of it).
      await em.query(
        `LOCK TABLE kpi_rollups, kpi_visitors, kpi_dirty_days, kpi_reward_cost_deltas,
                    kpi_fold_queue
           IN SHARE ROW EXCLUSIVE MODE`,
      );
      await bulkSettings(em);
      await em.query('DELETE FROM kpi_rollups WHERE program_id = $2 AND brand_id = $1', [
        brandId,
        programId,
      ]);
      await em.query('DELETE FROM kpi_reward_cost_deltas WHERE program_id = $2 AND brand_id = $1', [
        brandId,
        programId,
      ]);
      // Queued events of the program are counted by the recomputation below: not again.
      await em.query(
        `DELETE FROM kpi_fold_queue q USING events e
          WHERE e.id = q.event_id AND e.brand_id = q.brand_id AND q.brand_id = $1
            AND e.program_id = $2`,
        [brandId, programId],
      );
      phase('delete');
      // The clicks' key-hours first, into a table: grouped by hashing (the planner would
      // expect ~10 M groups for 10 M clicks and sort them on disk; there are ~1 M), and
      // counted exactly (ANALYZE) for the fan-out that follows.
      await em.query('SET LOCAL enable_sort = off');
      await em.query(HOURLY_CLICKS, [brandId, programId]);
      await em.query('SET LOCAL enable_sort = on');
      await em.query('ANALYZE kpi_rebuild_clicks');
      phase('clicks per hour');
      await em.query(
        `WITH facts AS (SELECT * FROM kpi_rebuild_clicks UNION ALL ${OTHER_COUNTER_FACTS})
         ${ROLLUP_UPSERT}`,
        [brandId, programId],
      );
      phase('counters');
      // Reach day by day: each day's visitor keys are sorted on their own, in memory.
      const [range]: { first: string | null; last: string | null }[] = await em.query(
        `SELECT (min(clicked_at) AT TIME ZONE 'UTC')::date::text AS first,
                (max(clicked_at) AT TIME ZONE 'UTC')::date::text AS last
           FROM clicks WHERE brand_id = $1 AND program_id = $2`,
        [brandId, programId],
      );
      if (range?.first && range.last) {
        for (let day = range.first; day <= range.last; day = nextDay(day)) {
          await em.query(`WITH ${DAY_REACH_FACTS}\n${ROLLUP_UPSERT}`, [brandId, programId, day]);
        }
      }
      phase('reach');
      await this.rebuildVisitorKeys(em, brandId, programId, keepDays);
      phase('visitor keys');
      await em.query('DELETE FROM kpi_dirty_days WHERE program_id = $2 AND brand_id = $1', [
        brandId,
        programId,
      ]);
      const [count]: { n: string }[] = await em.query(
        'SELECT count(*)::text AS n FROM kpi_rollups WHERE program_id = $2 AND brand_id = $1',
        [brandId, programId],
      );
      return Number(count!.n);
    });
  }

  /** The program's rollup rows that differ from a recomputation from raw rows (none: exact). */
  async diffAgainstRaw(brandId: string, programId: string): Promise<RollupDifference[]> {
    // The rollups as a read sees them: reward cost changes queued so far folded in.
    await foldQueuedRewardCosts(this.dataSource, brandId);
    const rows: Record<string, string | null>[] = await this.dataSource.transaction(async (em) => {
      await bulkSettings(em);
      return em.query(
        `WITH ${PROGRAM_FACTS},
       raw AS (${ROLLUP_SELECT}),
       stored AS (
         SELECT program_id, grain::text AS grain, bucket, cta_id, channel, advocate_id,
                ${COLUMNS.join(', ')}
           FROM kpi_rollups WHERE program_id = $2 AND brand_id = $1)
       SELECT grain, bucket::text AS bucket, cta_id, channel, advocate_id,
              ${COLUMNS.map((c) => `s.${c}::text AS "s_${c}", x.${c}::text AS "x_${c}"`).join(', ')},
              s.program_id IS NOT NULL AS in_stored, x.program_id IS NOT NULL AS in_raw
         FROM stored s FULL JOIN raw x
              USING (program_id, grain, bucket, cta_id, channel, advocate_id)
        WHERE ${COLUMNS.map((c) => `s.${c} IS DISTINCT FROM x.${c}`).join(' OR ')}
        ORDER BY grain, bucket, cta_id, channel, advocate_id`,
        [brandId, programId],
      );
    });
    const pick = (r: Record<string, string | null>, prefix: string) =>
      Object.fromEntries(COLUMNS.map((c) => [c, r[`${prefix}${c}`] ?? '']));
    return rows.map((r) => ({
      key: {
        grain: r.grain!,
        bucket: r.bucket!,
        ctaId: r.cta_id!,
        channel: r.channel!,
        advocateId: r.advocate_id!,
      },
      stored: (r.in_stored as unknown as boolean) ? pick(r, 's_') : null,
      raw: (r.in_raw as unknown as boolean) ? pick(r, 'x_') : null,
    }));
  }

  private async rebuildVisitorKeys(
    em: EntityManager,
    brandId: string,
    programId: string,
    keepDays: number,
  ): Promise<void> {
    await em.query('DELETE FROM kpi_visitors WHERE program_id = $2 AND brand_id = $1', [
      brandId,
      programId,
    ]);
    await em.query(
      `INSERT INTO kpi_visitors (day, program_id, visitor_hash, dim, brand_id, first_at,
                                 first_click_id, cta_id, channel, advocate_id)
       SELECT day, program_id, visitor_hash, dim, brand_id, first_at, first_click_id, cta_id,
              channel, advocate_id
         FROM (${visitorKeysOf(`(SELECT ${KEY_SOURCE_COLUMNS}
                 FROM clicks c
                WHERE c.brand_id = $1 AND c.program_id = $2 AND NOT c.is_bot
                  AND c.clicked_at >= ((now() AT TIME ZONE 'UTC')::date - ($3::int - 1))::timestamp
                                      AT TIME ZONE 'UTC') h`)}) k`,
      [brandId, programId, keepDays],
    );
  }
}
