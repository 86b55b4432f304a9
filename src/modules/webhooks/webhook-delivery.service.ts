import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError } from '@/common/errors/app-error';
import { decodeCursor, Page, toPage } from '@/common/pagination/pagination';
import type {
  ListDeliveriesQueryDto,
  WebhookAttemptDto,
  WebhookDeliveryDetailDto,
  WebhookDeliveryDto,
} from '@/modules/webhooks/dto/webhook-delivery.dto';
import {
  AttemptRow,
  DeliveryRow,
  WebhookDeliveryRepository,
} from '@/modules/webhooks/webhook-delivery.repository';
import { WebhookEndpointRepository } from '@/modules/webhooks/webhook-endpoint.repository';

const MAX_BIGINT = 9223372036854775807n;

/** The deliveries of an endpoint with every attempt, and the manual retry. */
@Injectable()
export class WebhookDeliveryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly endpoints: WebhookEndpointRepository,
    private readonly deliveries: WebhookDeliveryRepository,
  ) {}

  async list(
    brandId: string,
    endpointId: string,
    q: ListDeliveriesQueryDto,
    limit: number,
  ): Promise<Page<WebhookDeliveryDto>> {
    if (!(await this.endpoints.findByIdForBrand(brandId, endpointId))) {
      throw AppError.notFound('Webhook endpoint');
    }
    const filters = { status: q.status, eventType: q.eventType };
    const list = { list: 'webhook-deliveries', brandId, endpointId, ...filters };
    const after = decodeCursor(q.cursor, 'text', list);
    // a bigint: 19 digits may still be past its maximum (a failed cast: a 500)
    if (after && !(/^\d{1,19}$/.test(String(after.k)) && BigInt(after.k) <= MAX_BIGINT)) {
      throw AppError.field('cursor', 'is not a cursor returned by this API');
    }
    const rows = await this.deliveries.listByEndpoint(brandId, endpointId, filters, limit, after);
    const page = toPage(
      rows,
      limit,
      (r) => ({ k: r.seq, id: r.id }),
      (r) => r,
      list,
    );
    const attempts = await this.deliveries.attemptsOf(
      brandId,
      page.data.map((r) => r.id),
    );
    return {
      data: page.data.map((r) => toDeliveryDto(r, attempts.get(r.id) ?? [])),
      nextCursor: page.nextCursor,
    };
  }

  async get(brandId: string, endpointId: string, id: string): Promise<WebhookDeliveryDetailDto> {
    const row = await this.deliveries.findWithBody(brandId, endpointId, id);
    if (!row) throw AppError.notFound('Delivery');
    const attempts = await this.deliveries.attemptsOf(brandId, [id]);
    return { ...toDeliveryDto(row, attempts.get(id) ?? []), body: row.body };
  }

  /**
   * Sends the delivery again as soon as a dispatcher picks it up (within
   * WEBHOOKS_DISPATCH_INTERVAL_MS): one more attempt for a delivered or failed one, an earlier
   * attempt for a pending one. Same event id and body; a new signature.
   */
  async retry(brandId: string, endpointId: string, id: string): Promise<WebhookDeliveryDetailDto> {
    await this.dataSource.transaction(async (em) => {
      const endpoint = await this.endpoints.findByIdForBrand(brandId, endpointId, em);
      if (!endpoint) throw AppError.notFound('Webhook endpoint');
      const delivery = await this.deliveries.findWithBody(brandId, endpointId, id, em, true);
      if (!delivery) throw AppError.notFound('Delivery');
      if (!endpoint.enabled) {
        throw new AppError('conflict', 'The endpoint is disabled: enable it first', [
          { field: 'enabled', issue: 'is false' },
        ]);
      }
      if (delivery.locked_until && new Date(delivery.locked_until).getTime() > Date.now()) {
        throw new AppError('conflict', 'The delivery is being sent right now', [
          { field: 'status', issue: 'is being sent' },
        ]);
      }
      await this.deliveries.scheduleNow(em, brandId, id);
    });
    return this.get(brandId, endpointId, id);
  }
}

const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());

function toAttemptDto(a: AttemptRow): WebhookAttemptDto {
  return {
    attempt: a.attempt,
    startedAt: iso(a.started_at)!,
    durationMs: a.duration_ms,
    statusCode: a.status_code,
    responseExcerpt: a.response_excerpt,
    error: a.error,
    success: a.success,
  };
}

function toDeliveryDto(r: DeliveryRow, attempts: AttemptRow[]): WebhookDeliveryDto {
  return {
    id: r.id,
    endpointId: r.endpoint_id,
    eventId: r.event_id,
    eventType: r.event_type,
    status: r.status,
    attemptCount: r.attempts,
    nextAttemptAt: r.status === 'pending' ? iso(r.next_attempt_at) : null,
    deliveredAt: iso(r.delivered_at),
    failedAt: iso(r.failed_at),
    createdAt: iso(r.created_at)!,
    attempts: attempts.map(toAttemptDto),
  };
}
