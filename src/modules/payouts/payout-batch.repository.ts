import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { looksLikeId } from '@/common/ids';
import type { CursorPosition } from '@/common/pagination/pagination';
import type { PayoutBatchStatus } from '@/modules/payouts/payout-batch.entity';

/** A payout_batches row as read here: snake_case, bigints and counts as text/number. */
export interface PayoutBatchRow {
  id: string;
  brand_id: string;
  status: PayoutBatchStatus;
  currency: string;
  cutoff: Date;
  program_id: string | null;
  minimum_amount: string | null;
  idempotency_key: string | null;
  request_hash: string;
  advocate_count: number;
  reward_count: number;
  total_amount: string;
  clawback_amount: string;
  carried_advocate_count: number;
  carried_amount: string;
  banned_advocate_count: number;
  banned_amount: string;
  reference: string | null;
  exported_at: Date | null;
  paid_at: Date | null;
  canceled_at: Date | null;
  created_at: Date;
  updated_at: Date;
  /** created_at as PostgreSQL text, exact to the microsecond, for keyset cursors. */
  cursor_at: string;
}

export interface NewPayoutBatch {
  id: string;
  currency: string;
  cutoff: Date;
  programId: string | null;
  minimumAmount: number | null;
  idempotencyKey: string | null;
  requestHash: string;
}

export interface PayoutBatchTotals {
  advocates: number;
  rewards: number;
  amount: string;
  clawbackAmount: string;
  carriedAdvocates: number;
  carriedAmount: string;
  bannedAdvocates: number;
  bannedAmount: string;
}

export interface PayoutBatchFilters {
  status?: PayoutBatchStatus;
  currency?: string;
}

const SELECT = `SELECT b.*, b.created_at::text AS cursor_at FROM payout_batches b`;

/** Payout batch rows: creation under an idempotency key, reads, and status changes. */
@Injectable()
export class PayoutBatchRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Inserts the batch unless the brand already used its Idempotency-Key: false then. A
   * concurrent request with the same key waits here until the first one commits or rolls back.
   */
  async insertUnlessKeyUsed(
    em: EntityManager,
    brandId: string,
    batch: NewPayoutBatch,
  ): Promise<boolean> {
    const rows: unknown[] = await em.query(
      `INSERT INTO payout_batches (id, brand_id, status, currency, cutoff, program_id,
                                   minimum_amount, idempotency_key, request_hash)
       VALUES ($2, $1, 'created', $3, $4, $5, $6, $7, $8)
       ON CONFLICT (brand_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
       RETURNING id`,
      [
        brandId,
        batch.id,
        batch.currency,
        batch.cutoff,
        batch.programId,
        batch.minimumAmount,
        batch.idempotencyKey,
        batch.requestHash,
      ],
    );
    return rows.length === 1;
  }

  async findByIdempotencyKey(
    em: EntityManager,
    brandId: string,
    key: string,
  ): Promise<PayoutBatchRow | undefined> {
    const rows: PayoutBatchRow[] = await em.query(
      `${SELECT} WHERE b.brand_id = $1 AND b.idempotency_key = $2`,
      [brandId, key],
    );
    return rows[0];
  }

  /** Another brand's batch is not found, exactly like a missing one. */
  async findByIdForBrand(
    brandId: string,
    id: string,
    em?: EntityManager,
    lock = false,
  ): Promise<PayoutBatchRow | undefined> {
    if (!looksLikeId('payoutBatch', id)) return undefined;
    const rows: PayoutBatchRow[] = await (em ?? this.dataSource.manager).query(
      `${SELECT} WHERE b.brand_id = $1 AND b.id = $2${lock ? ' FOR UPDATE' : ''}`,
      [brandId, id],
    );
    return rows[0];
  }

  /** The currency of the brand's program, or undefined when the brand has no such program. */
  async findProgramCurrency(brandId: string, programId: string): Promise<string | undefined> {
    if (!looksLikeId('program', programId)) return undefined;
    const rows: { currency: string }[] = await this.dataSource.query(
      'SELECT currency FROM programs WHERE brand_id = $1 AND id = $2',
      [brandId, programId],
    );
    return rows[0]?.currency;
  }

  /** For the operator's export CLI, which has database access and no API key. */
  async findBrandOfBatch(id: string): Promise<string | undefined> {
    if (!looksLikeId('payoutBatch', id)) return undefined;
    const rows: { brand_id: string }[] = await this.dataSource.query(
      'SELECT brand_id FROM payout_batches WHERE id = $1',
      [id],
    );
    return rows[0]?.brand_id;
  }

  /** Newest first, keyset on (created_at, id). */
  listByBrand(
    brandId: string,
    filters: PayoutBatchFilters,
    limit: number,
    after?: CursorPosition,
  ): Promise<PayoutBatchRow[]> {
    return this.dataSource.query(
      `${SELECT}
        WHERE b.brand_id = $1
          AND ($2::text IS NULL OR b.status = $2)
          AND ($3::text IS NULL OR b.currency = $3)
          AND ($4::timestamptz IS NULL OR (b.created_at, b.id) < ($4::timestamptz, $5::text))
        ORDER BY b.created_at DESC, b.id DESC
        LIMIT $6`,
      [
        brandId,
        filters.status ?? null,
        filters.currency ?? null,
        after?.k ?? null,
        after?.id ?? null,
        limit + 1,
      ],
    );
  }

  async setTotals(
    em: EntityManager,
    brandId: string,
    id: string,
    totals: PayoutBatchTotals,
  ): Promise<void> {
    await em.query(
      `UPDATE payout_batches
          SET advocate_count = $3, reward_count = $4, total_amount = $5, clawback_amount = $6,
              carried_advocate_count = $7, carried_amount = $8, banned_advocate_count = $9,
              banned_amount = $10, updated_at = now()
        WHERE brand_id = $1 AND id = $2`,
      [
        brandId,
        id,
        totals.advocates,
        totals.rewards,
        totals.amount,
        totals.clawbackAmount,
        totals.carriedAdvocates,
        totals.carriedAmount,
        totals.bannedAdvocates,
        totals.bannedAmount,
      ],
    );
  }

  /** created → exported on the first export; later exports change nothing. */
  async markExported(brandId: string, id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE payout_batches SET status = 'exported', exported_at = now(), updated_at = now()
        WHERE brand_id = $1 AND id = $2 AND status = 'created'`,
      [brandId, id],
    );
  }

  async markPaid(
    em: EntityManager,
    brandId: string,
    id: string,
    paidAt: Date,
    reference: string | null,
  ): Promise<void> {
    await em.query(
      `UPDATE payout_batches SET status = 'paid', paid_at = $3, reference = $4, updated_at = now()
        WHERE brand_id = $1 AND id = $2`,
      [brandId, id, paidAt, reference],
    );
  }

  async markCanceled(em: EntityManager, brandId: string, id: string): Promise<void> {
    await em.query(
      `UPDATE payout_batches SET status = 'canceled', canceled_at = now(), updated_at = now()
        WHERE brand_id = $1 AND id = $2`,
      [brandId, id],
    );
  }
}
