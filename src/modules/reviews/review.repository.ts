import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CursorPosition } from '@/common/pagination/pagination';
import type { ReviewType } from '@/modules/reviews/dto/review.dto';

/** Rejected referrals and held rewards of a brand, newest flag first, in one keyset order. */
@Injectable()
export class ReviewRepository {
  constructor(private readonly dataSource: DataSource) {}

  listByBrand(
    brandId: string,
    type: ReviewType | undefined,
    limit: number,
    after?: CursorPosition,
  ): Promise<Record<string, any>[]> {
    return this.dataSource.query(
      `SELECT x.*, x.flagged_at::text AS cursor_at FROM (
         SELECT 'referral' AS type, r.id, r.status, r.reason, r.program_id, r.advocate_id,
                c.external_id AS customer_external_id, r.first_event_id AS event_id,
                NULL::text AS recipient, NULL::text AS kind, NULL::bigint AS amount,
                NULL::text AS currency, r.rejected_at AS flagged_at
           FROM referrals r LEFT JOIN customers c ON c.id = r.customer_id AND c.brand_id = r.brand_id
          WHERE r.brand_id = $1 AND r.status = 'rejected' AND ($2::text IS NULL OR $2 = 'referral')
         UNION ALL
         SELECT 'reward', w.id, w.status, w.reason, w.program_id, w.advocate_id,
                c.external_id, w.event_id, w.recipient, w.kind, w.amount, w.currency, w.created_at
           FROM rewards w LEFT JOIN customers c ON c.id = w.customer_id AND c.brand_id = w.brand_id
          WHERE w.brand_id = $1 AND w.status = 'held' AND ($2::text IS NULL OR $2 = 'reward')
       ) x
       WHERE ($3::timestamptz IS NULL OR (x.flagged_at, x.id) < ($3::timestamptz, $4::text))
       ORDER BY x.flagged_at DESC, x.id DESC
       LIMIT $5`,
      [brandId, type ?? null, after?.k ?? null, after?.id ?? null, limit + 1],
    );
  }
}
