import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { newId } from '@/common/ids';
import { APP_CONFIG } from '@/config/config.module';
import { AppConfig } from '@/config/env';
import type { WebhookEventType } from '@/modules/webhooks/webhook-event-types';
import { OutboxRow, WebhookOutboxRepository } from '@/modules/webhooks/webhook-outbox.repository';

/** A referral or reward event whose payload is the row's state at the end of the transaction. */
export interface SubjectEvent {
  type: WebhookEventType;
  subject: 'referral' | 'reward';
  id: string;
}

/**
 * The webhook outbox: the ONE way to announce a change to brands. Call it with the
 * EntityManager of the transaction that makes the change; the event then exists exactly when
 * the change committed (never for a change that rolled back, never lost for one that
 * committed), and the dispatcher delivers it afterwards, signed, with retries. Exported by the
 * global WebhooksModule, so any provider can inject it.
 *
 *   await dataSource.transaction(async (em) => {
 *     … create the payout batch …
 *     await outbox.enqueue(em, brandId, 'payout_batch.created', batchDto, { orderingKey: batch.id });
 *   });
 *
 * Events of one ordering key reach an endpoint in the order they were enqueued: a later one
 * waits until the earlier one was delivered or failed for good. Costs one statement per call,
 * whatever the number of events; nothing is stored when no enabled endpoint wants the type.
 */
@Injectable()
export class WebhookOutbox {
  constructor(
    private readonly repository: WebhookOutboxRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Records one event with the given payload (the `data` of the body): a JSON object, e.g. the
   * API's DTO of the changed object. orderingKey: events sharing it are delivered in order
   * (default: none).
   */
  enqueue(
    em: EntityManager,
    brandId: string,
    type: WebhookEventType,
    payload: Record<string, unknown>,
    options: { orderingKey?: string } = {},
  ): Promise<void> {
    return this.enqueueMany(em, brandId, [{ type, payload, orderingKey: options.orderingKey }]);
  }

  /** Several events with given payloads, in this order, in one statement. */
  enqueueMany(
    em: EntityManager,
    brandId: string,
    events: { type: WebhookEventType; payload: Record<string, unknown>; orderingKey?: string }[],
  ): Promise<void> {
    return this.repository.insert(
      em,
      events.map((e): OutboxRow => ({
        id: newId('webhookEvent'),
        brandId,
        type: e.type,
        subject: null,
        subjectId: null,
        payload: e.payload,
        orderingKey: e.orderingKey ?? null,
      })),
      this.config.webhooks.retryWindowMs,
    );
  }

  /**
   * Referral and reward events, in this order; the payload is built from the row (the same
   * shape whoever emits it), and the ordering key is the referral. Duplicates (same type and
   * id) are sent once.
   */
  enqueueSubjects(em: EntityManager, brandId: string, events: SubjectEvent[]): Promise<void> {
    return this.insertSubjects(
      em,
      events.map((e) => ({ ...e, brandId })),
    );
  }

  /**
   * The same for background jobs working across brands (the reward approval job): each event
   * belongs to the brand given with it, which must be the row's.
   */
  enqueueSubjectsOfBrands(
    em: EntityManager,
    events: (SubjectEvent & { brandId: string })[],
  ): Promise<void> {
    return this.insertSubjects(em, events);
  }

  private insertSubjects(
    em: EntityManager,
    events: (SubjectEvent & { brandId: string })[],
  ): Promise<void> {
    const seen = new Set<string>();
    const rows: OutboxRow[] = [];
    for (const e of events) {
      const key = `${e.type}|${e.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push({
        id: newId('webhookEvent'),
        brandId: e.brandId,
        type: e.type,
        subject: e.subject,
        subjectId: e.id,
        payload: null,
        orderingKey: null,
      });
    }
    return this.repository.insert(em, rows, this.config.webhooks.retryWindowMs);
  }
}
