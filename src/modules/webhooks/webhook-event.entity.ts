import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { WebhookEventType } from '@/modules/webhooks/webhook-event-types';

/**
 * The outbox: one row per change worth telling, written in the transaction of the change
 * itself (so it exists exactly when the change committed). Only written when at least one
 * enabled endpoint of the brand subscribes to the type; its deliveries are written with it.
 */
@Entity('webhook_events')
// Retention: old events are deleted with their deliveries and attempts.
@Index('webhook_events_created_idx', ['createdAt'])
export class WebhookEventEntity {
  /** `wev_…`: the Tandem-Event-Id header, the receiver's de-duplication key. */
  @PrimaryColumn('text')
  id: string;

  @Column('text')
  brandId: string;

  @Column('text')
  type: WebhookEventType;

  /** Deliveries of one key to one endpoint go out in order (the referral id for referral and reward events). */
  @Column('text')
  orderingKey: string;

  /** The `data` of the body: the object's state when the change committed. */
  @Column('jsonb')
  payload: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
