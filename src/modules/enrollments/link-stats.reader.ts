import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface LinkStats {
  clicks: number;
  uniqueVisitors: number;
  shares: number;
}

/** Per-link counters for the advocate's link list: non-bot clicks, distinct visitors, shares. */
@Injectable()
export class LinkStatsReader {
  constructor(private readonly dataSource: DataSource) {}

  async statsForLinks(brandId: string, linkIds: string[]): Promise<Map<string, LinkStats>> {
    const stats = new Map<string, LinkStats>();
    if (linkIds.length === 0) return stats;
    const rows: { id: string; clicks: string; unique_visitors: string; shares: string }[] =
      await this.dataSource.query(
        `SELECT l.id,
              (SELECT count(*) FROM clicks k WHERE k.link_id = l.id AND NOT k.is_bot) AS clicks,
              (SELECT count(DISTINCT k.visitor_hash) FROM clicks k WHERE k.link_id = l.id AND NOT k.is_bot) AS unique_visitors,
              (SELECT count(*) FROM shares s
                WHERE s.brand_id = l.brand_id AND s.advocate_id = l.advocate_id AND s.cta_id = l.cta_id) AS shares
         FROM links l
        WHERE l.brand_id = $1 AND l.id = ANY($2::text[])`,
        [brandId, linkIds],
      );
    for (const r of rows) {
      stats.set(r.id, {
        clicks: Number(r.clicks),
        uniqueVisitors: Number(r.unique_visitors),
        shares: Number(r.shares),
      });
    }
    return stats;
  }
}
