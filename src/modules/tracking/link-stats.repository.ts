import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface LinkStats {
  /** Human clicks (bots excluded). */
  clicks: number;
  /** Distinct visitors among the human clicks (daily-salted hashes: one per person per day). */
  uniqueVisitors: number;
  /** Shares the link's advocate reported for the link's CTA. */
  shares: number;
}

/** Per-link counts for GET /v1/advocates/:id/links. */
@Injectable()
export class LinkStatsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Every requested link gets an entry (zeros when nothing happened yet). */
  async statsForLinks(brandId: string, linkIds: string[]): Promise<Map<string, LinkStats>> {
    const stats = new Map<string, LinkStats>(
      linkIds.map((id) => [id, { clicks: 0, uniqueVisitors: 0, shares: 0 }]),
    );
    if (linkIds.length === 0) return stats;
    const [clicks, shares] = await Promise.all([
      this.dataSource.query(
        `SELECT link_id, count(*)::int AS clicks, count(DISTINCT visitor_hash)::int AS unique_visitors
           FROM clicks
          WHERE link_id = ANY($2::text[]) AND brand_id = $1 AND is_bot = false
          GROUP BY link_id`,
        [brandId, linkIds],
      ) as Promise<{ link_id: string; clicks: number; unique_visitors: number }[]>,
      this.dataSource.query(
        `SELECT l.id AS link_id, count(s.id)::int AS shares
           FROM links l
           JOIN shares s ON s.brand_id = l.brand_id AND s.advocate_id = l.advocate_id
                        AND s.cta_id = l.cta_id
          WHERE l.brand_id = $1 AND l.id = ANY($2::text[])
          GROUP BY l.id`,
        [brandId, linkIds],
      ) as Promise<{ link_id: string; shares: number }[]>,
    ]);
    for (const row of clicks) {
      const s = stats.get(row.link_id);
      if (s) {
        s.clicks = row.clicks;
        s.uniqueVisitors = row.unique_visitors;
      }
    }
    for (const row of shares) {
      const s = stats.get(row.link_id);
      if (s) s.shares = row.shares;
    }
    return stats;
  }
}
