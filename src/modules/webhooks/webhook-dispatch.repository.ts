import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { newId } from '@/common/ids';
import { returnedRows } from '@/database/returned-rows';
import type { WebhookEventType } from '@/modules/webhooks/webhook-event-types';

export interface ClaimedDelivery {
  id: string;
  brandId: string;
  endpointId: string;
  eventId: string;
  /** This attempt's number (1 = first). */
  attempt: number;
  type: WebhookEventType;
  payload: Record<string, unknown>;
  eventCreatedAt: string;
  url: string;
  secretCiphertext: string;
}

export interface AttemptOutcome {
  delivery: ClaimedDelivery;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  responseExcerpt: string | null;
  error: string | null;
  success: boolean;
  /** On failure: wait before the next attempt (a failure past the retry window is final). */
  retryDelayMs: number;
  /** Disable the endpoint after this many consecutive final failures (0: never). */
  disableAfterFailures: number;
}

/**
 * The dispatcher's SQL. Claiming is a short transaction of its own (one statement): due
 * deliveries of enabled endpoints are locked with FOR UPDATE SKIP LOCKED, so instances never
 * claim the same row, and leased (locked_until) before the lock is released; the HTTP request
 * then runs outside any transaction (the embedded database runs one transaction at a time).
 * A delivery waits while an earlier pending delivery of its ordering key to the same endpoint
 * exists (in flight or retrying).
 */
@Injectable()
export class WebhookDispatchRepository {
  constructor(private readonly dataSource: DataSource) {}

  async claim(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const rows: {
      id: string;
      brand_id: string;
      endpoint_id: string;
      event_id: string;
      attempts: number;
      type: WebhookEventType;
      payload: Record<string, unknown>;
      event_created_at: string;
      url: string;
      secret_ciphertext: string;
    }[] = await this.dataSource.query(
      `WITH due AS (
         SELECT d.id FROM webhook_deliveries d
          WHERE d.status = 'pending' AND d.next_attempt_at <= now()
            AND (d.locked_until IS NULL OR d.locked_until < now())
            AND EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.id = d.endpoint_id AND e.enabled)
            AND NOT EXISTS (
              SELECT 1 FROM webhook_deliveries p
               WHERE p.endpoint_id = d.endpoint_id AND p.ordering_key = d.ordering_key
                 AND p.status = 'pending' AND p.seq < d.seq)
          ORDER BY d.next_attempt_at, d.seq
          LIMIT $1
            FOR UPDATE OF d SKIP LOCKED),
       claimed AS (
         UPDATE webhook_deliveries d
            SET attempts = d.attempts + 1, locked_until = now() + $2::bigint * interval '1 millisecond',
                updated_at = now()
           FROM due WHERE d.id = due.id
         RETURNING d.id, d.brand_id, d.endpoint_id, d.event_id, d.attempts, d.seq)
       SELECT c.id, c.brand_id, c.endpoint_id, c.event_id, c.attempts, ev.type, ev.payload,
              to_char(ev.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS event_created_at,
              e.url, e.secret_ciphertext
         FROM claimed c
         JOIN webhook_events ev ON ev.id = c.event_id
         JOIN webhook_endpoints e ON e.id = c.endpoint_id
        ORDER BY c.seq`,
      [limit, leaseMs],
    );
    return rows.map((r) => ({
      id: r.id,
      brandId: r.brand_id,
      endpointId: r.endpoint_id,
      eventId: r.event_id,
      attempt: r.attempts,
      type: r.type,
      payload: r.payload,
      eventCreatedAt: r.event_created_at,
      url: r.url,
      secretCiphertext: r.secret_ciphertext,
    }));
  }

  /**
   * Records an attempt and moves the delivery on, in one statement: delivered; or retried
   * later; or failed for good when the next attempt would be past the retry window — which
   * counts against the endpoint, disabled at the threshold. A success resets the endpoint's
   * count. Only the instance holding the current claim (same attempt number) moves the delivery.
   */
  async record(o: AttemptOutcome): Promise<{ finalFailure: boolean; endpointDisabled: boolean }> {
    const result: unknown = await this.dataSource.query(
      `WITH d AS (
         UPDATE webhook_deliveries
            SET status = CASE WHEN $5 THEN 'delivered'
                              WHEN now() + $9::bigint * interval '1 millisecond' > retry_until THEN 'failed'
                              ELSE 'pending' END,
                delivered_at = CASE WHEN $5 THEN now() ELSE delivered_at END,
                failed_at = CASE WHEN NOT $5 AND now() + $9::bigint * interval '1 millisecond' > retry_until
                                 THEN now() END,
                next_attempt_at = CASE WHEN $5 THEN next_attempt_at
                                       ELSE now() + $9::bigint * interval '1 millisecond' END,
                locked_until = NULL, last_attempt_at = $4, last_status_code = $6, last_error = $8,
                updated_at = now()
          WHERE id = $2 AND attempts = $3 AND status = 'pending'
          RETURNING endpoint_id, status),
       ok AS (
         UPDATE webhook_endpoints e SET consecutive_failures = 0
           FROM d WHERE e.id = d.endpoint_id AND d.status = 'delivered' AND e.consecutive_failures <> 0),
       bad AS (
         UPDATE webhook_endpoints e
            SET consecutive_failures = e.consecutive_failures + 1,
                enabled = e.enabled AND NOT ($11 > 0 AND e.consecutive_failures + 1 >= $11),
                disabled_reason = CASE WHEN e.enabled AND $11 > 0 AND e.consecutive_failures + 1 >= $11
                                       THEN 'failing' ELSE e.disabled_reason END,
                disabled_at = CASE WHEN e.enabled AND $11 > 0 AND e.consecutive_failures + 1 >= $11
                                   THEN now() ELSE e.disabled_at END,
                updated_at = now()
           FROM d WHERE e.id = d.endpoint_id AND d.status = 'failed'
         RETURNING e.enabled),
       att AS (
         INSERT INTO webhook_attempts (id, brand_id, delivery_id, attempt, started_at, duration_ms,
                                       status_code, response_excerpt, error, success)
         SELECT $1, $12, $2, $3, $4, $7, $6, $10, $8, $5
          WHERE EXISTS (SELECT 1 FROM webhook_deliveries WHERE id = $2))
       SELECT (SELECT status FROM d) AS status, (SELECT NOT enabled FROM bad) AS disabled`,
      [
        newId('webhookAttempt'),
        o.delivery.id,
        o.delivery.attempt,
        o.startedAt,
        o.success,
        o.statusCode,
        o.durationMs,
        o.error,
        o.retryDelayMs,
        o.responseExcerpt,
        o.disableAfterFailures,
        o.delivery.brandId,
      ],
    );
    const row = returnedRows<{ status: string | null; disabled: boolean | null }>(result)[0];
    return { finalFailure: row?.status === 'failed', endpointDisabled: row?.disabled === true };
  }

  /** Deletes up to `limit` events older than the retention with nothing pending (cascades). */
  async prune(retentionDays: number, limit: number): Promise<number> {
    const result: unknown = await this.dataSource.query(
      `DELETE FROM webhook_events WHERE id IN (
         SELECT ev.id FROM webhook_events ev
          WHERE ev.created_at < now() - $1::int * interval '1 day'
            AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d
                             WHERE d.event_id = ev.id AND d.status = 'pending')
          LIMIT $2)
       RETURNING id`,
      [retentionDays, limit],
    );
    return returnedRows(result).length;
  }
}
