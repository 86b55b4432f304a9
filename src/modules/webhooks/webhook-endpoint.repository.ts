import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { looksLikeId } from '@/common/ids';
import { returnedRows } from '@/database/returned-rows';
import type { CursorPosition } from '@/common/pagination/pagination';
import type { DisabledReason } from '@/modules/webhooks/webhook-endpoint.entity';
import type { WebhookEventType } from '@/modules/webhooks/webhook-event-types';

export interface EndpointRow {
  id: string;
  url: string;
  description: string | null;
  event_types: WebhookEventType[];
  secret_hint: string;
  enabled: boolean;
  disabled_reason: DisabledReason | null;
  disabled_at: Date | null;
  consecutive_failures: number;
  created_at: Date;
  updated_at: Date;
  cursor_at?: string;
}

const COLUMNS = `id, url, description, event_types, secret_hint, enabled, disabled_reason,
  disabled_at, consecutive_failures, created_at, updated_at`;

export interface EndpointChanges {
  url?: string;
  description?: string | null;
  eventTypes?: WebhookEventType[];
  enabled?: boolean;
  secret?: { ciphertext: string; hint: string };
}

@Injectable()
export class WebhookEndpointRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(
    brandId: string,
    e: {
      id: string;
      url: string;
      description: string | null;
      eventTypes: WebhookEventType[];
      enabled: boolean;
      secretCiphertext: string;
      secretHint: string;
    },
  ): Promise<EndpointRow> {
    const rows: EndpointRow[] = await this.dataSource.query(
      `INSERT INTO webhook_endpoints (id, brand_id, url, description, event_types, enabled,
                                      disabled_reason, disabled_at, secret_ciphertext, secret_hint)
       VALUES ($1, $2, $3, $4, $5::text[], $6, CASE WHEN $6 THEN NULL ELSE 'manual' END,
               CASE WHEN $6 THEN NULL ELSE now() END, $7, $8)
       RETURNING ${COLUMNS}`,
      [
        e.id,
        brandId,
        e.url,
        e.description,
        e.eventTypes,
        e.enabled,
        e.secretCiphertext,
        e.secretHint,
      ],
    );
    return rows[0]!;
  }

  async findByIdForBrand(
    brandId: string,
    id: string,
    em?: EntityManager,
    lock = false,
  ): Promise<EndpointRow | undefined> {
    if (!looksLikeId('webhookEndpoint', id)) return undefined;
    const rows: EndpointRow[] = await (em ?? this.dataSource.manager).query(
      `SELECT ${COLUMNS} FROM webhook_endpoints WHERE brand_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`,
      [brandId, id],
    );
    return rows[0];
  }

  /** Newest first, keyset on (created_at, id). */
  listByBrand(brandId: string, limit: number, after?: CursorPosition): Promise<EndpointRow[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS}, created_at::text AS cursor_at FROM webhook_endpoints
        WHERE brand_id = $1
          AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::text))
        ORDER BY created_at DESC, id DESC
        LIMIT $4`,
      [brandId, after?.k ?? null, after?.id ?? null, limit + 1],
    );
  }

  /**
   * Applies the changes sent. Enabling clears the failure count and reason; disabling by hand
   * records reason manual.
   */
  async update(
    em: EntityManager,
    brandId: string,
    id: string,
    c: EndpointChanges,
  ): Promise<EndpointRow> {
    const result: unknown = await em.query(
      `UPDATE webhook_endpoints SET
          url = coalesce($3, url),
          description = CASE WHEN $4::boolean THEN $5 ELSE description END,
          event_types = coalesce($6::text[], event_types),
          enabled = coalesce($7, enabled),
          disabled_reason = CASE WHEN $7 IS NULL OR $7 = enabled THEN disabled_reason
                                 WHEN $7 THEN NULL ELSE 'manual' END,
          disabled_at = CASE WHEN $7 IS NULL OR $7 = enabled THEN disabled_at
                             WHEN $7 THEN NULL ELSE now() END,
          consecutive_failures = CASE WHEN $7 AND NOT enabled THEN 0 ELSE consecutive_failures END,
          secret_ciphertext = coalesce($8, secret_ciphertext),
          secret_hint = coalesce($9, secret_hint),
          updated_at = now()
        WHERE brand_id = $1 AND id = $2
       RETURNING ${COLUMNS}`,
      [
        brandId,
        id,
        c.url ?? null,
        c.description !== undefined,
        c.description ?? null,
        c.eventTypes ?? null,
        c.enabled ?? null,
        c.secret?.ciphertext ?? null,
        c.secret?.hint ?? null,
      ],
    );
    return returnedRows<EndpointRow>(result)[0]!;
  }

  /** Deletes the endpoint with its deliveries and their attempts (foreign keys cascade). */
  async delete(brandId: string, id: string): Promise<boolean> {
    if (!looksLikeId('webhookEndpoint', id)) return false;
    const result: unknown = await this.dataSource.query(
      `DELETE FROM webhook_endpoints WHERE brand_id = $1 AND id = $2 RETURNING id`,
      [brandId, id],
    );
    return returnedRows(result).length > 0;
  }
}
