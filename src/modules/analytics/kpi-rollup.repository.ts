import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  conversionFacts,
  refundFacts,
  ROLLUP_UPSERT,
  shareFacts,
} from '@/modules/analytics/kpi-rollup.sql';
import { preparedQuery, unpreparedQuery } from '@/database/prepared-query';

const ADD_CONVERSIONS = `WITH facts AS (
  ${conversionFacts('e.brand_id = $1 AND e.id = ANY($2::text[])')}
)
${ROLLUP_UPSERT}`;

// One event, by primary key: an equality on the key is the cheapest plan whatever the
// statistics say, and the brand (compared with IS NOT DISTINCT FROM, which no index serves)
// cannot lead the planner to the brand's events index (a walk of all the brand's events per
// event, ~1.3 ms at 1,200 events, growing with them, seen on a young table).
const ADD_ONE_CONVERSION = `WITH facts AS (
  ${conversionFacts('e.id = $2 AND e.brand_id IS NOT DISTINCT FROM $1')}
)
${ROLLUP_UPSERT}`;

const ADD_REFUNDS = `WITH facts AS (
  ${refundFacts('rf.brand_id = $1 AND rf.id = ANY($2::text[])')}
)
${ROLLUP_UPSERT}`;

const ADD_SHARE = `WITH facts AS (
  ${shareFacts('s.brand_id = $1 AND s.id = $2')}
)
${ROLLUP_UPSERT}`;

/**
 * The KPI rollups' write side for events and shares: one statement per write site, run inside
 * the transaction that recorded the rows (so the counts commit or roll back with them), and
 * given only the rows that transaction inserted (a replayed event id adds nothing). Clicks are
 * added by the click flush statement itself (click-rollup.sql.ts).
 */
@Injectable()
export class KpiRollupRepository {
  /** Signups, purchases and custom events recorded now (our event ids, `evt_…`). */
  async addConversions(em: EntityManager, brandId: string, eventIds: string[]): Promise<void> {
    if (eventIds.length === 0) return;
    // A batch's statement is planned per call: the generic plan (statistics lagging a
    // fast-growing table) compared every event of the brand with every id of the batch, ~700 ms
    // per batch of 500 after 12,000 events; with the ids a constant array they are looked up by
    // hash or by primary key. A single event keeps a prepared statement (planning it would cost
    // more than it saves).
    if (eventIds.length === 1) {
      await preparedQuery(em, 'tandem_kpi_conversion', ADD_ONE_CONVERSION, [brandId, eventIds[0]]);
    } else await unpreparedQuery(em, ADD_CONVERSIONS, [brandId, eventIds]);
  }

  /** Refund events recorded now: their amounts come off their orders' revenue. */
  async addRefunds(em: EntityManager, brandId: string, eventIds: string[]): Promise<void> {
    if (eventIds.length === 0) return;
    await preparedQuery(em, 'tandem_kpi_refunds', ADD_REFUNDS, [brandId, eventIds]);
  }

  async addShare(em: EntityManager, brandId: string, shareId: string): Promise<void> {
    await em.query(ADD_SHARE, [brandId, shareId]);
  }
}
