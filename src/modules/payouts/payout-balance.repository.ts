import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PAYABLE_REWARD_KINDS, PAYOUT_RECIPIENT } from '@/modules/payouts/payout-policy';

/** Signed sums in minor units, as PostgreSQL text (exact bigints). */
export interface BalanceFigures {
  pending: string;
  held: string;
  approved_unpaid: string;
  in_open_batches: string;
  paid: string;
  clawbacks_outstanding: string;
}

export interface AdvocateBalanceRow extends BalanceFigures {
  advocate_id: string;
  external_id: string | null;
}

export interface BalanceTotalsRow extends BalanceFigures {
  advocates: number;
}

const FIGURES = [
  'pending',
  'held',
  'approved_unpaid',
  'in_open_batches',
  'paid',
  'clawbacks_outstanding',
] as const;

/**
 * Per advocate, from the rewards ledger: pending, held, approved and in no batch, clawbacks
 * approved and in no batch; from payout batches: what open batches hold and what paid batches
 * paid (their per-advocate lines, one per advocate and batch, each the sum of its items).
 * $1 brand, $2 currency; `extra` adds a condition on advocate_id.
 */
function perAdvocateSql(extra: string): string {
  return `
    WITH open_items AS (
      SELECT i.reward_id
        FROM payout_batches pb
        JOIN payout_batch_items i ON i.batch_id = pb.id AND i.brand_id = pb.brand_id
       WHERE pb.brand_id = $1 AND pb.currency = $2 AND pb.status IN ('created', 'exported')
         AND NOT i.released
    ),
    r AS (
      SELECT w.advocate_id,
             sum(w.amount - w.reversed_amount) FILTER (WHERE w.status = 'pending') AS pending,
             sum(w.amount - w.reversed_amount) FILTER (WHERE w.status = 'held') AS held,
             sum(w.amount - w.reversed_amount) FILTER (
               WHERE w.status = 'approved' AND w.clawback_of IS NULL
                 AND o.reward_id IS NULL) AS approved_unpaid,
             sum(w.amount) FILTER (
               WHERE w.status = 'approved' AND w.clawback_of IS NOT NULL
                 AND o.reward_id IS NULL) AS clawbacks_outstanding
        FROM rewards w
        LEFT JOIN open_items o ON o.reward_id = w.id
       WHERE w.brand_id = $1 AND w.currency = $2 AND w.recipient = '${PAYOUT_RECIPIENT}'
         AND w.kind = ANY($3::text[]) AND w.amount IS NOT NULL
         AND w.status IN ('pending', 'held', 'approved') ${extra.replace(/@/g, 'w.advocate_id')}
       GROUP BY w.advocate_id
    ),
    b AS (
      SELECT l.advocate_id,
             sum(l.amount) FILTER (WHERE pb.status IN ('created', 'exported')) AS in_open_batches,
             sum(l.amount) FILTER (WHERE pb.status = 'paid') AS paid
        FROM payout_batches pb
        JOIN payout_batch_advocates l ON l.batch_id = pb.id AND l.brand_id = pb.brand_id
       WHERE pb.brand_id = $1 AND pb.currency = $2 AND pb.status <> 'canceled'
         ${extra.replace(/@/g, 'l.advocate_id')}
       GROUP BY l.advocate_id
    )
    SELECT advocate_id,
           ${FIGURES.map((f) => `coalesce(${f}, 0) AS ${f}`).join(', ')}
      FROM r FULL JOIN b USING (advocate_id)`;
}

@Injectable()
export class PayoutBalanceRepository {
  constructor(private readonly dataSource: DataSource) {}

  async advocateExists(brandId: string, advocateId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      'SELECT 1 FROM advocates WHERE brand_id = $1 AND id = $2',
      [brandId, advocateId],
    );
    return rows.length > 0;
  }

  /** A page of advocates in advocate id order (keyset), or one advocate. */
  listByAdvocate(
    brandId: string,
    currency: string,
    filters: { advocateId?: string; afterAdvocateId?: string },
    limit: number,
  ): Promise<AdvocateBalanceRow[]> {
    const params: unknown[] = [brandId, currency, PAYABLE_REWARD_KINDS];
    let extra = '';
    if (filters.advocateId !== undefined) {
      params.push(filters.advocateId);
      extra += ` AND @ = $${params.length}`;
    }
    if (filters.afterAdvocateId !== undefined) {
      params.push(filters.afterAdvocateId);
      extra += ` AND @ > $${params.length}`;
    }
    params.push(limit + 1);
    return this.dataSource.query(
      `SELECT x.advocate_id, a.external_id,
              ${FIGURES.map((f) => `x.${f}::text AS ${f}`).join(', ')}
         FROM (${perAdvocateSql(extra)} ORDER BY advocate_id LIMIT $${params.length}) x
         LEFT JOIN advocates a ON a.id = x.advocate_id AND a.brand_id = $1
        ORDER BY x.advocate_id`,
      params,
    );
  }

  /** The same figures summed over every advocate of the brand in the currency. */
  async totals(brandId: string, currency: string): Promise<BalanceTotalsRow> {
    const rows: BalanceTotalsRow[] = await this.dataSource.query(
      `SELECT count(*)::int AS advocates,
              ${FIGURES.map((f) => `coalesce(sum(${f}), 0)::text AS ${f}`).join(', ')}
         FROM (${perAdvocateSql('')}) x`,
      [brandId, currency, PAYABLE_REWARD_KINDS],
    );
    return rows[0]!;
  }
}
