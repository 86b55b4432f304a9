import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { looksLikeId } from '@/common/ids';
import type { CursorPosition } from '@/common/pagination/pagination';
import type { DeliveryStatus } from '@/modules/webhooks/webhook-delivery.entity';
import type { WebhookEventType } from '@/modules/webhooks/webhook-event-types';

export interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: WebhookEventType;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  locked_until: Date | null;
  delivered_at: Date | null;
  failed_at: Date | null;
  created_at: Date;
  /** Insertion order, as text (bigint). */
  seq: string;
}

export interface AttemptRow {
  delivery_id: string;
  attempt: number;
  started_at: Date;
  duration_ms: number;
  status_code: number | null;
  response_excerpt: string | null;
  error: string | null;
  success: boolean;
}

const COLUMNS = `d.id, d.endpoint_id, d.event_id, d.event_type, d.status, d.attempts, d.next_attempt_at,
  d.locked_until, d.delivered_at, d.failed_at, d.created_at, d.seq::text AS seq`;

/** Reading deliveries for the API, and the manual retry. */
@Injectable()
export class WebhookDeliveryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Newest first: keyset on seq, the insertion order (deliveries of one transaction share created_at). */
  listByEndpoint(
    brandId: string,
    endpointId: string,
    filters: { status?: DeliveryStatus; eventType?: WebhookEventType },
    limit: number,
    after?: CursorPosition,
  ): Promise<DeliveryRow[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM webhook_deliveries d
        WHERE d.brand_id = $1 AND d.endpoint_id = $2
          AND ($3::text IS NULL OR d.status = $3) AND ($4::text IS NULL OR d.event_type = $4)
          AND ($5::bigint IS NULL OR d.seq < $5::bigint)
        ORDER BY d.seq DESC
        LIMIT $6`,
      [
        brandId,
        endpointId,
        filters.status ?? null,
        filters.eventType ?? null,
        after?.k ?? null,
        limit + 1,
      ],
    );
  }

  async findWithBody(
    brandId: string,
    endpointId: string,
    id: string,
    em?: EntityManager,
    lock = false,
  ): Promise<(DeliveryRow & { body: Record<string, unknown> }) | undefined> {
    if (!looksLikeId('delivery', id)) return undefined;
    const rows: (DeliveryRow & { body: Record<string, unknown> })[] = await (
      em ?? this.dataSource.manager
    ).query(
      `SELECT ${COLUMNS}, json_build_object('id', ev.id, 'type', ev.type,
              'createdAt', to_char(ev.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
              'data', ev.payload) AS body
         FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id
        WHERE d.brand_id = $1 AND d.endpoint_id = $2 AND d.id = $3${lock ? ' FOR UPDATE OF d' : ''}`,
      [brandId, endpointId, id],
    );
    return rows[0];
  }

  async attemptsOf(brandId: string, deliveryIds: string[]): Promise<Map<string, AttemptRow[]>> {
    const out = new Map<string, AttemptRow[]>();
    if (deliveryIds.length === 0) return out;
    const rows: AttemptRow[] = await this.dataSource.query(
      `SELECT delivery_id, attempt, started_at, duration_ms, status_code, response_excerpt, error, success
         FROM webhook_attempts WHERE brand_id = $1 AND delivery_id = ANY($2::text[])
        ORDER BY delivery_id, attempt, started_at`,
      [brandId, deliveryIds],
    );
    for (const r of rows) out.set(r.delivery_id, [...(out.get(r.delivery_id) ?? []), r]);
    return out;
  }

  /**
   * Due now: a delivered or failed delivery gets exactly one more attempt (its retry window is
   * closed at now), a pending one is brought forward and keeps its window.
   */
  async scheduleNow(em: EntityManager, brandId: string, id: string): Promise<void> {
    await em.query(
      `UPDATE webhook_deliveries
          SET retry_until = CASE WHEN status = 'pending' THEN retry_until ELSE now() END,
              status = 'pending', next_attempt_at = now(), failed_at = NULL, updated_at = now()
        WHERE brand_id = $1 AND id = $2`,
      [brandId, id],
    );
  }
}
