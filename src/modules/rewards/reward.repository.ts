import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { CursorPosition } from '@/common/pagination/pagination';
import { waitForPayoutBatchCreation } from '@/modules/payouts/payout-policy';
import type { Recipient, RewardKind } from '@/modules/programs/reward-rule.entity';
import type { RewardStatus } from '@/modules/rewards/reward.entity';

export interface RewardFilters {
  status?: RewardStatus;
  advocateId?: string;
  programId?: string;
  recipient?: Recipient;
  kind?: RewardKind;
  eventId?: string;
  from?: string;
  to?: string;
}

// payout_batch_id: set on the reward when its batch is paid; while the batch is open, the
// batch's items hold it. payout_amount: what that batch pays (or paid) for the reward, the
// item's amount, fixed when the batch took it. Both come from the reward's one unreleased item
// (payout_batch_items_reward_key): scalar subqueries, which PostgreSQL evaluates after the sort
// and limit, so a page costs a probe or two per row it returns, whatever the filters.
const COLUMNS = `w.id, w.program_id, w.rule_id, w.event_id, w.referral_id, w.advocate_id, w.recipient,
  w.kind, w.amount, w.reversed_amount, w.currency, w.percent::text AS percent, w.coupon_code,
  w.status, w.reason, w.occurred_at, w.available_at, w.approved_at, w.paid_at, w.reversed_at,
  w.rejected_at,
  coalesce(w.payout_batch_id, (SELECT i.batch_id FROM payout_batch_items i
                                WHERE i.reward_id = w.id AND NOT i.released)) AS payout_batch_id,
  (SELECT i.amount::text FROM payout_batch_items i
    WHERE i.reward_id = w.id AND NOT i.released) AS payout_amount,
  w.clawback_of, w.created_at, c.external_id AS customer_external_id`;
const FROM = `rewards w LEFT JOIN customers c ON c.id = w.customer_id AND c.brand_id = w.brand_id`;

@Injectable()
export class RewardRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Newest first, keyset on (created_at, id); `cursor_at` is created_at as PostgreSQL text. */
  listByBrand(
    brandId: string,
    filters: RewardFilters,
    limit: number,
    after?: CursorPosition,
  ): Promise<Record<string, any>[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS}, w.created_at::text AS cursor_at
         FROM ${FROM}
        WHERE w.brand_id = $1
          AND ($2::text IS NULL OR w.status = $2)
          AND ($3::text IS NULL OR w.advocate_id = $3)
          AND ($4::text IS NULL OR w.program_id = $4)
          AND ($5::text IS NULL OR w.recipient = $5)
          AND ($6::text IS NULL OR w.kind = $6)
          AND ($7::text IS NULL OR w.event_id = $7)
          AND ($8::timestamptz IS NULL OR w.created_at >= $8)
          AND ($9::timestamptz IS NULL OR w.created_at < $9)
          AND ($10::timestamptz IS NULL OR (w.created_at, w.id) < ($10::timestamptz, $11::text))
        ORDER BY w.created_at DESC, w.id DESC
        LIMIT $12`,
      [
        brandId,
        filters.status ?? null,
        filters.advocateId ?? null,
        filters.programId ?? null,
        filters.recipient ?? null,
        filters.kind ?? null,
        filters.eventId ?? null,
        filters.from ?? null,
        filters.to ?? null,
        after?.k ?? null,
        after?.id ?? null,
        limit + 1,
      ],
    );
  }

  async findByIdForBrand(
    brandId: string,
    id: string,
    em?: EntityManager,
    lock = false,
  ): Promise<Record<string, any> | undefined> {
    const rows: Record<string, any>[] = await (em ?? this.dataSource.manager).query(
      `SELECT ${COLUMNS} FROM ${FROM} WHERE w.brand_id = $1 AND w.id = $2${lock ? ' FOR UPDATE OF w' : ''}`,
      [brandId, id],
    );
    return rows[0];
  }

  /**
   * Waits for a payout batch being created for the brand to commit (and keeps new ones from
   * starting until this transaction ends): the lock PayoutLedgerRepository takes exclusively.
   */
  async lockAgainstPayoutBatchCreation(em: EntityManager, brandId: string): Promise<void> {
    await waitForPayoutBatchCreation(em, brandId);
  }

  /** Whether the reward's referral is held for review (its fraud-held rewards go with it). */
  async isReferralHeld(em: EntityManager, brandId: string, referralId: string): Promise<boolean> {
    const rows: unknown[] = await em.query(
      `SELECT 1 FROM referrals WHERE brand_id = $1 AND id = $2 AND review_status = 'held'
          AND status <> 'rejected'`,
      [brandId, referralId],
    );
    return rows.length > 0;
  }

  async approve(em: EntityManager, brandId: string, id: string): Promise<void> {
    await em.query(
      `UPDATE rewards SET status = 'approved', approved_at = now(), updated_at = now()
        WHERE brand_id = $1 AND id = $2`,
      [brandId, id],
    );
  }

  async reject(em: EntityManager, brandId: string, id: string, reason: string): Promise<void> {
    await em.query(
      `UPDATE rewards SET status = 'rejected', reason = $3, rejected_at = now(), updated_at = now()
        WHERE brand_id = $1 AND id = $2`,
      [brandId, id, reason],
    );
  }

  /** Relative change of budget tallies (only rows that exist: see RewardTallyEntity). */
  async adjustTallies(
    em: EntityManager,
    brandId: string,
    keys: string[],
    count: number,
    amount: number,
  ): Promise<void> {
    await em.query(
      `UPDATE reward_tallies SET count = count + $3, amount = amount + $4, updated_at = now()
        WHERE brand_id = $1 AND key = ANY($2::text[])`,
      [brandId, keys, count, amount],
    );
  }

  /**
   * Approves up to `limit` pending rewards whose hold period is over (held rewards are never
   * touched: only status pending qualifies). SKIP LOCKED: several instances run this at once
   * without waiting for, or approving twice, the same rows. Returns the approved rewards.
   */
  async approveDue(em: EntityManager, limit: number): Promise<{ id: string; brand_id: string }[]> {
    const rows: unknown[] = await em.query(
      `UPDATE rewards SET status = 'approved', approved_at = now(), updated_at = now()
        WHERE id IN (SELECT id FROM rewards
                      WHERE status = 'pending' AND available_at <= now()
                      ORDER BY available_at
                      LIMIT $1
                        FOR UPDATE SKIP LOCKED)
       RETURNING id, brand_id`,
      [limit],
    );
    // pg answers an UPDATE … RETURNING as [rows, count] through TypeORM.
    return (Array.isArray(rows[0]) ? rows[0] : rows) as { id: string; brand_id: string }[];
  }
}
