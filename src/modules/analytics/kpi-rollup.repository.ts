import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ROLLUP_UPSERT, shareFacts } from '@/modules/analytics/kpi-rollup.sql';

const ADD_SHARE = `WITH facts AS (
  ${shareFacts('s.brand_id = $1 AND s.id = $2')}
)
${ROLLUP_UPSERT}`;

/**
 * The KPI rollups' write side for shares: run inside the transaction that recorded the share
 * (so the counts commit or roll back with it). Events are queued and folded
 * (KpiFoldRepository); clicks are added by the click flush statement (click-rollup.sql.ts).
 */
@Injectable()
export class KpiRollupRepository {
  async addShare(em: EntityManager, brandId: string, shareId: string): Promise<void> {
    await em.query(ADD_SHARE, [brandId, shareId]);
  }
}
