import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  conversionFacts,
  refundFacts,
  ROLLUP_UPSERT,
  shareFacts,
} from '@/modules/analytics/kpi-rollup.sql';
import { preparedQuery } from '@/database/prepared-query';

const ADD_CONVERSIONS = `WITH facts AS (
  ${conversionFacts('e.brand_id = $1 AND e.id = ANY($2::text[])')}
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
    await preparedQuery(em, 'tandem_kpi_conversions', ADD_CONVERSIONS, [brandId, eventIds]);
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
