import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AdvocateLineRow, RewardLineRow } from '@/modules/payouts/payout-export-format';

// ISO-8601 UTC with milliseconds, formatted by PostgreSQL: no Date object per row in Node.
const iso = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export interface RewardLinePosition {
  advocateId: string;
  rewardId: string;
}

/**
 * Pages of a batch's lines in export order, keyset on the items' primary key, so a batch of any
 * size is read a page at a time and never held in memory. Items never change once written, so
 * the pages add up to the batch exactly.
 */
@Injectable()
export class PayoutExportRepository {
  constructor(private readonly dataSource: DataSource) {}

  advocateLinesPage(
    brandId: string,
    batchId: string,
    afterAdvocateId: string | null,
    limit: number,
  ): Promise<AdvocateLineRow[]> {
    return this.dataSource.query(
      `SELECT l.advocate_id, a.external_id, a.email, a.name, l.amount::text AS amount,
              l.reward_count, l.clawback_amount::text AS clawback_amount,
              ${iso('l.period_start')} AS period_start, ${iso('l.period_end')} AS period_end
         FROM payout_batch_advocates l
         LEFT JOIN advocates a ON a.id = l.advocate_id AND a.brand_id = l.brand_id
        WHERE l.batch_id = $2 AND l.brand_id = $1
          ${afterAdvocateId === null ? '' : 'AND l.advocate_id > $4'}
        ORDER BY l.advocate_id
        LIMIT $3`,
      afterAdvocateId === null
        ? [brandId, batchId, limit]
        : [brandId, batchId, limit, afterAdvocateId],
    );
  }

  /**
   * A clawback's line carries the refund as eventId/orderId, and the CTA and channel of the
   * conversion it claws back.
   */
  rewardLinesPage(
    brandId: string,
    batchId: string,
    after: RewardLinePosition | null,
    limit: number,
  ): Promise<RewardLineRow[]> {
    return this.dataSource.query(
      `SELECT i.reward_id, i.advocate_id, i.amount::text AS amount, w.event_id, e.order_id,
              w.program_id, c.key AS cta_key, coalesce(oe.channel, e.channel) AS channel,
              w.kind, w.recipient, ${iso('w.occurred_at')} AS earned_at,
              ${iso('w.approved_at')} AS approved_at, w.clawback_of
         FROM payout_batch_items i
         JOIN rewards w ON w.id = i.reward_id
         LEFT JOIN events e ON e.id = w.event_id
         LEFT JOIN rewards o ON o.id = w.clawback_of
         LEFT JOIN events oe ON oe.id = o.event_id
         LEFT JOIN ctas c ON c.id = coalesce(oe.cta_id, e.cta_id)
        WHERE i.batch_id = $2 AND i.brand_id = $1
          ${after === null ? '' : 'AND (i.advocate_id, i.reward_id) > ($4, $5)'}
        ORDER BY i.advocate_id, i.reward_id
        LIMIT $3`,
      after === null
        ? [brandId, batchId, limit]
        : [brandId, batchId, limit, after.advocateId, after.rewardId],
    );
  }
}
