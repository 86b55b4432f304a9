import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { preparedQuery } from '@/database/prepared-query';
import type { KpiFoldKind } from '@/modules/analytics/kpi-fold-queue.entity';
import {
  conversionFacts,
  foldRewardCosts,
  refundFacts,
  ROLLUP_UPSERT,
} from '@/modules/analytics/kpi-rollup.sql';

const ENQUEUE = `INSERT INTO kpi_fold_queue (brand_id, kind, event_id)
SELECT $1, $2, unnest($3::text[])`;

/**
 * The same as a part of a bigger statement (the event recorders' outcome statement: one
 * statement fewer per event): $1 the brand, $X a jsonb array of {kind, event_id}.
 */
export const KPI_QUEUE_INSERT = `INSERT INTO kpi_fold_queue (brand_id, kind, event_id)
      SELECT $1, q.kind, q.event_id FROM jsonb_to_recordset($X::jsonb) AS q(kind text, event_id text)`;

/**
 * Claims up to $1 queued events, oldest first (rows another folder holds are skipped), deletes
 * them by key (an id array: with `IN (subquery)` the planner read the whole queue to hash-join
 * it) and adds their counts to the rollups, in ONE statement: the counts and the deletion
 * commit together, so an event is counted exactly once, whichever instance folds it and even
 * if a fold fails (nothing happened) or several run at once. Each fact is joined with its
 * queue row's brand, compared as an expression (`brand_id || ''`) so that only the primary key
 * can find the event: with the bare column the planner may walk the brand's events index for
 * every queued event (seen on a small table; the walk grows with the brand's events). All facts go through one upsert sorted by the rollups' primary key (the
 * same lock order as the click flush: no deadlock between them).
 */
const foldStatement = (claim: string) => `WITH claimed AS (
  DELETE FROM kpi_fold_queue q
   WHERE q.id = ANY(ARRAY(${claim}))
  RETURNING q.brand_id, q.kind, q.event_id
), facts AS (
  ${conversionFacts(`(e.id, e.brand_id || '') IN (SELECT event_id, brand_id FROM claimed WHERE kind = 'conversion')`)}
  UNION ALL
  ${refundFacts(`(rf.id, rf.brand_id || '') IN (SELECT event_id, brand_id FROM claimed WHERE kind = 'refund')`)}
), added AS (
  ${ROLLUP_UPSERT}
  RETURNING 1
)
SELECT (SELECT count(*) FROM claimed)::int AS claimed, (SELECT count(*) FROM added)::int AS rows`;

const FOLD = foldStatement(
  'SELECT id FROM kpi_fold_queue ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED',
);

/**
 * A KPI read's fold of its brand ($2): it waits for rows another fold holds (then finds them
 * gone), so afterwards the rollups hold every event of the brand committed before it. The
 * queue is short (folded every KPI_FOLD_INTERVAL_MS): no index on the brand.
 */
const FOLD_BRAND = foldStatement(
  'SELECT id FROM kpi_fold_queue WHERE brand_id = $2 ORDER BY id LIMIT $1 FOR UPDATE',
);

// Reward cost changes (kpi_reward_cost_deltas, queued by triggers on rewards): the same fold,
// waiting for rows another fold holds (a read) or skipping them (the job).
const FOLD_REWARD_COSTS_WAITING = foldRewardCosts(false);
const FOLD_REWARD_COSTS_SKIPPING = foldRewardCosts(true);
const REWARD_COST_CHUNK = 10_000;

/**
 * Folds the reward cost changes of a brand (or of all brands: null) queued so far, waiting for
 * a concurrent fold of the same rows to commit: afterwards the rollups hold every change
 * committed before the call. One chunk per statement (each one atomic).
 */
export async function foldQueuedRewardCosts(
  db: DataSource | EntityManager,
  brandId: string | null,
): Promise<void> {
  for (;;) {
    const [row]: { folded: number }[] = await db.query(FOLD_REWARD_COSTS_WAITING, [
      brandId,
      REWARD_COST_CHUNK,
    ]);
    if ((row?.folded ?? 0) < REWARD_COST_CHUNK) return;
  }
}

/** Queued events per fold statement (a backlog is folded in several, each its own commit). */
export const FOLD_BATCH = 2_000;

export interface FoldRun {
  /** Queued events folded. */
  events: number;
  /** Queued reward cost changes folded. */
  rewardCostChanges: number;
  /** Rollup rows written (inserted or added to). */
  rollupRows: number;
}

/**
 * The KPI rollups' write side for events, in two steps: `enqueue` in the event transaction
 * (one cheap insert, committed with the events), `fold` afterwards (the fold job, on a timer,
 * at shutdown, on demand). Shares add their counts in their own transaction
 * (KpiRollupRepository); clicks in the click flush statement (click-rollup.sql.ts).
 */
@Injectable()
export class KpiFoldRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Queues events recorded now (our event ids, `evt_…`) in the caller's transaction. Sends its
   * statement before returning (it may be deferred: see deferStatements).
   */
  async enqueue(
    em: EntityManager,
    brandId: string,
    kind: KpiFoldKind,
    eventIds: string[],
  ): Promise<void> {
    if (eventIds.length === 0) return;
    await preparedQuery(em, 'tandem_kpi_enqueue', ENQUEUE, [brandId, kind, eventIds]);
  }

  /** Folds up to `limit` queued events, oldest first (planned per call: the batch varies). */
  async foldBatch(limit: number, em?: EntityManager): Promise<FoldRun> {
    const [row]: { claimed: number; rows: number }[] = await (em ?? this.dataSource).query(FOLD, [
      limit,
    ]);
    return { events: row?.claimed ?? 0, rewardCostChanges: 0, rollupRows: row?.rows ?? 0 };
  }

  /**
   * Before a KPI read: folds every event and reward cost change of the brand queued so far,
   * so the read counts everything committed before it, all alike (a purchase's revenue and its
   * rewards' cost arrive together).
   */
  async foldBrand(brandId: string, limit = FOLD_BATCH): Promise<void> {
    for (;;) {
      const [row]: { claimed: number }[] = await this.dataSource.query(FOLD_BRAND, [
        limit,
        brandId,
      ]);
      if ((row?.claimed ?? 0) < limit) break;
    }
    await foldQueuedRewardCosts(this.dataSource, brandId);
  }

  /** Folds both queues until empty (of rows no other folder holds). */
  async foldAll(limit = FOLD_BATCH): Promise<FoldRun> {
    const total: FoldRun = { events: 0, rewardCostChanges: 0, rollupRows: 0 };
    for (;;) {
      const run = await this.foldBatch(limit);
      total.events += run.events;
      total.rollupRows += run.rollupRows;
      if (run.events < limit) break;
    }
    for (;;) {
      const [row]: { folded: number }[] = await this.dataSource.query(FOLD_REWARD_COSTS_SKIPPING, [
        null,
        REWARD_COST_CHUNK,
      ]);
      total.rewardCostChanges += row?.folded ?? 0;
      if ((row?.folded ?? 0) < REWARD_COST_CHUNK) return total;
    }
  }
}
