import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { toSafeInteger } from '@/common/money/money';
import {
  PAYABLE_REWARD_KINDS,
  PAYOUT_RECIPIENT,
  payoutLockKey,
} from '@/modules/payouts/payout-policy';
import type { PayoutBatchTotals } from '@/modules/payouts/payout-batch.repository';

/**
 * Memory for the batch statement's sort and hash tables: a million candidates sort in memory
 * (~100 MB) instead of in temp files.
 */
const TAKE_WORK_MEM = '128MB';

export interface PayableCriteria {
  currency: string;
  cutoff: Date;
  programId: string | null;
  /** The batch's minimum; null: the largest minimum payout of the advocate's programs. */
  minimumAmount: number | null;
}

export interface TakenRewards extends PayoutBatchTotals {
  /** Items written: must equal `rewards`, the sum of the advocates' line counts. */
  items: number;
}

/** A reward of the batch that a refund reduced after the batch took it. */
export interface RefundShortfall {
  rewardId: string;
  shortfall: number;
  refundEventId: string;
  refundOccurredAt: Date;
}

export interface NewClawback {
  id: string;
  rewardId: string;
  amount: number;
  eventId: string;
  occurredAt: Date;
}

/**
 * The SQL that moves rewards in and out of payout batches. Only this repository writes
 * payout_batch_items and payout_batch_advocates, and the rewards' payout fields (status paid,
 * paidAt, payoutBatchId, set when the batch is paid) and payout clawbacks.
 */
@Injectable()
export class PayoutLedgerRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Batch creation for a brand runs one at a time (a transaction-level advisory lock, held to
   * commit): the second of two concurrent requests sees the first one's batch, committed.
   * Rejecting a reward takes the same lock shared (RewardService), so a reward cannot be
   * rejected while a batch that takes it is being written.
   */
  async lockBatchCreation(em: EntityManager, brandId: string): Promise<void> {
    await em.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      payoutLockKey(brandId),
    ]);
  }

  /**
   * One statement takes every payable reward into the batch: approved advocate rewards of a
   * payable kind and the currency, available at or before the cutoff (availableAt, or approvedAt
   * for a reward approved by hand before its hold ended), in no open batch, plus the outstanding
   * clawbacks (whatever their date: the money is owed back now). Per advocate the lines are
   * summed; advocates whose net is not above 0 or below the minimum keep their rewards for a
   * later batch (carried), and so do advocates banned now, whatever their net (a brand bans for
   * fraud: the money stops, and comes back in the first batch after they are unbanned). Rewards
   * are not updated here (1M index updates would take minutes): the items
   * are the record of an open batch, and their unique index (reward_id WHERE NOT released)
   * makes a second batch holding the same reward impossible, whatever this code does. Each
   * item keeps the amount it pays (amount − reversedAmount now), so a refund that comes later
   * changes neither the batch nor its export (see findRefundShortfalls).
   * The items are inserted in primary-key order (advocate, reward): each lands on the index's
   * rightmost page instead of a random one of a ~100 MB index (at a million items, fewer pages
   * dirtied and written twice, ~10× fewer full-page images in the WAL); the sort of the
   * candidates gets the memory to stay out of temp files (this transaction only; batch
   * creation runs one at a time per brand).
   */
  async takePayableRewards(
    em: EntityManager,
    brandId: string,
    batchId: string,
    criteria: PayableCriteria,
  ): Promise<TakenRewards> {
    await em.query(`SET LOCAL work_mem = '${TAKE_WORK_MEM}'`);
    const rows: Record<string, string | number>[] = await em.query(
      `WITH open_items AS (
         SELECT i.reward_id
           FROM payout_batches b
           JOIN payout_batch_items i ON i.batch_id = b.id AND i.brand_id = b.brand_id
          WHERE b.brand_id = $1 AND b.currency = $2 AND b.status IN ('created', 'exported')
            AND NOT i.released
       ),
       candidates AS MATERIALIZED (
         SELECT w.id, w.advocate_id, w.program_id, w.amount - w.reversed_amount AS net,
                w.clawback_of IS NOT NULL AS is_clawback, w.occurred_at
           FROM rewards w
          WHERE w.brand_id = $1 AND w.currency = $2 AND w.status = 'approved'
            AND w.recipient = $5 AND w.kind = ANY($6::text[]) AND w.amount IS NOT NULL
            AND ($4::text IS NULL OR w.program_id = $4)
            AND (w.clawback_of IS NOT NULL OR least(w.available_at, w.approved_at) <= $3)
            AND NOT EXISTS (SELECT 1 FROM open_items o WHERE o.reward_id = w.id)
       ),
       minimums AS (
         SELECT id, minimum_payout_amount AS minimum FROM programs
          WHERE brand_id = $1 AND currency = $2 AND minimum_payout_amount IS NOT NULL
       ),
       per_advocate AS (
         SELECT c.advocate_id, sum(c.net) AS total, count(*) AS lines,
                coalesce(sum(c.net) FILTER (WHERE c.is_clawback), 0) AS clawbacks,
                min(c.occurred_at) AS period_start, max(c.occurred_at) AS period_end,
                coalesce($7::bigint, max(m.minimum), 0) AS minimum
           FROM candidates c
           LEFT JOIN minimums m ON m.id = c.program_id AND NOT c.is_clawback
          GROUP BY c.advocate_id
       ),
       judged AS (
         SELECT p.*, coalesce(a.status = 'banned', false) AS banned,
                NOT coalesce(a.status = 'banned', false) AND p.total > 0 AND p.total >= p.minimum
                  AS paid
           FROM per_advocate p
           LEFT JOIN advocates a ON a.id = p.advocate_id AND a.brand_id = $1
       ),
       chosen AS (SELECT * FROM judged WHERE paid),
       lines AS (
         INSERT INTO payout_batch_advocates (batch_id, advocate_id, brand_id, amount, reward_count,
                                             clawback_amount, period_start, period_end)
         SELECT $8, advocate_id, $1, total, lines, clawbacks, period_start, period_end FROM chosen
       ),
       items AS (
         INSERT INTO payout_batch_items (batch_id, advocate_id, reward_id, brand_id, amount)
         SELECT $8, c.advocate_id, c.id, $1, c.net FROM candidates c JOIN chosen USING (advocate_id)
          ORDER BY c.advocate_id, c.id
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM items)::int AS items,
              (SELECT count(*) FROM chosen)::int AS advocates,
              (SELECT coalesce(sum(lines), 0) FROM chosen)::int AS rewards,
              (SELECT coalesce(sum(total), 0) FROM chosen)::text AS amount,
              (SELECT coalesce(sum(clawbacks), 0) FROM chosen)::text AS clawback_amount,
              (SELECT count(*) FROM judged WHERE NOT paid AND NOT banned)::int AS carried_advocates,
              (SELECT coalesce(sum(total), 0) FROM judged
                WHERE NOT paid AND NOT banned)::text AS carried_amount,
              (SELECT count(*) FROM judged WHERE banned)::int AS banned_advocates,
              (SELECT coalesce(sum(total), 0) FROM judged WHERE banned)::text AS banned_amount`,
      [
        brandId,
        criteria.currency,
        criteria.cutoff,
        criteria.programId,
        PAYOUT_RECIPIENT,
        PAYABLE_REWARD_KINDS,
        criteria.minimumAmount,
        batchId,
      ],
    );
    const r = rows[0]!;
    return {
      items: Number(r.items),
      advocates: Number(r.advocates),
      rewards: Number(r.rewards),
      amount: String(r.amount),
      clawbackAmount: String(r.clawback_amount),
      carriedAdvocates: Number(r.carried_advocates),
      carriedAmount: String(r.carried_amount),
      bannedAdvocates: Number(r.banned_advocates),
      bannedAmount: String(r.banned_amount),
    };
  }

  /**
   * Fresh planner statistics after a big batch: the export pages are keyset reads that must
   * come off the items' primary key in order, and the rewards COPY must see the batch's size to
   * choose hash joins; a planner that believes the table is tiny sorts the whole rest of the
   * batch for every page, or probes an index per line. A small sample (3,000 rows, not the
   * default 30,000) is enough for that and costs ~0.1 s instead of ~1–3 s on the creation's
   * response time; autovacuum's ANALYZE later uses the full sample.
   */
  async refreshStatistics(): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await em.query('SET LOCAL default_statistics_target = 10');
      await em.query('ANALYZE payout_batch_items, payout_batch_advocates');
    });
  }

  /**
   * Every reward (and clawback) of the batch becomes paid and records its batch; rows stay
   * locked until commit, so a refund waits and then claws back.
   */
  async markRewardsPaid(
    em: EntityManager,
    brandId: string,
    batchId: string,
    paidAt: Date,
  ): Promise<number> {
    const result: [unknown[], number] = await em.query(
      `UPDATE rewards w SET status = 'paid', paid_at = $3, payout_batch_id = $2, updated_at = now()
         FROM payout_batch_items i
        WHERE i.batch_id = $2 AND i.brand_id = $1 AND w.id = i.reward_id AND w.brand_id = $1`,
      [brandId, batchId, paidAt],
    );
    return result[1];
  }

  /**
   * Rewards a refund reduced while they sat in the batch (still approved then, so the refund
   * reversed them): the batch pays what it took, so the difference is owed back, like any
   * refund after payment. Read after markRewardsPaid locked the rows: no refund can slip in.
   * The clawback points at the order's latest refund.
   */
  async findRefundShortfalls(
    em: EntityManager,
    brandId: string,
    batchId: string,
  ): Promise<RefundShortfall[]> {
    const rows: Record<string, any>[] = await em.query(
      `SELECT i.reward_id, (i.amount - (w.amount - w.reversed_amount))::text AS shortfall,
              coalesce(r.id, w.event_id) AS refund_event_id,
              coalesce(r.occurred_at, w.reversed_at, now()) AS refund_occurred_at
         FROM payout_batch_items i
         JOIN rewards w ON w.id = i.reward_id
         LEFT JOIN events p ON p.id = w.event_id
         LEFT JOIN LATERAL (
           SELECT e.id, e.occurred_at FROM events e
            WHERE e.brand_id = p.brand_id AND e.order_id = p.order_id AND e.type = 'refund'
              AND e.order_currency = p.order_currency AND e.status IS NOT NULL
            ORDER BY e.received_at DESC, e.id DESC
            LIMIT 1) r ON true
        WHERE i.batch_id = $2 AND i.brand_id = $1 AND w.clawback_of IS NULL
          AND i.amount > w.amount - w.reversed_amount
        ORDER BY i.reward_id`,
      [brandId, batchId],
    );
    return rows.map((r) => ({
      rewardId: r.reward_id,
      shortfall: toSafeInteger(r.shortfall),
      refundEventId: r.refund_event_id,
      refundOccurredAt: new Date(r.refund_occurred_at),
    }));
  }

  /** Negative approved rewards pointing at the paid reward, as the refund flow writes them. */
  async insertClawbacks(em: EntityManager, brandId: string, clawbacks: NewClawback[]) {
    if (clawbacks.length === 0) return;
    await em.query(
      `INSERT INTO rewards (id, brand_id, program_id, rule_id, event_id, referral_id, advocate_id,
                            customer_id, recipient, kind, amount, currency, status, reason,
                            occurred_at, available_at, approved_at, clawback_of)
       SELECT c.id, w.brand_id, w.program_id, w.rule_id, c.event_id, w.referral_id, w.advocate_id,
              w.customer_id, w.recipient, w.kind, c.amount, w.currency, 'approved', 'clawback',
              c.occurred_at, now(), now(), w.id
         FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::timestamptz[])
              AS c(id, reward_id, amount, event_id, occurred_at)
         JOIN rewards w ON w.id = c.reward_id AND w.brand_id = $1`,
      [
        brandId,
        clawbacks.map((c) => c.id),
        clawbacks.map((c) => c.rewardId),
        clawbacks.map((c) => String(c.amount)),
        clawbacks.map((c) => c.eventId),
        clawbacks.map((c) => c.occurredAt),
      ],
    );
  }

  /** A canceled batch lets go of its rewards: the next batch can take them. */
  async releaseRewards(em: EntityManager, brandId: string, batchId: string): Promise<number> {
    const result: [unknown[], number] = await em.query(
      `UPDATE payout_batch_items SET released = true WHERE batch_id = $2 AND brand_id = $1`,
      [brandId, batchId],
    );
    return result[1];
  }
}
