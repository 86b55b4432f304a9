import {
  Column,
  CreateDateColumn,
  Entity,
  Generated,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { WebhookEndpointEntity } from '@/modules/webhooks/webhook-endpoint.entity';
import { WebhookEventEntity } from '@/modules/webhooks/webhook-event.entity';
import type { WebhookEventType } from '@/modules/webhooks/webhook-event-types';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One event to one endpoint: pending until an attempt gets a 2xx (delivered) or the retry
 * window is over (failed). The dispatcher claims due rows with FOR UPDATE SKIP LOCKED and leases
 * them (locked_until) while it sends, outside any transaction.
 */
@Entity('webhook_deliveries')
// The dispatcher's queue, in its claim order.
@Index('webhook_deliveries_due_idx', ['nextAttemptAt', 'seq'], { where: `"status" = 'pending'` })
// Per-key order: an earlier pending delivery of the same key holds the later ones back.
@Index('webhook_deliveries_order_idx', ['endpointId', 'orderingKey', 'seq'], {
  where: `"status" = 'pending'`,
})
// GET /v1/webhook-endpoints/:id/deliveries, newest first (seq: rows of one transaction share created_at).
@Index('webhook_deliveries_endpoint_seq_idx', ['endpointId', 'seq'])
@Index('webhook_deliveries_event_idx', ['eventId'])
export class WebhookDeliveryEntity {
  /** `dlv_…` (generated in SQL by the outbox's fan-out). */
  @PrimaryColumn('text')
  id: string;

  @Column('text')
  brandId: string;

  @Column('text')
  endpointId: string;

  @ManyToOne(() => WebhookEndpointEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'endpoint_id' })
  endpoint?: WebhookEndpointEntity;

  @Column('text')
  eventId: string;

  @ManyToOne(() => WebhookEventEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id' })
  event?: WebhookEventEntity;

  @Column('text')
  eventType: WebhookEventType;

  @Column('text')
  orderingKey: string;

  /** Insertion order: decides which delivery of a key goes first. */
  @Column('bigint')
  @Generated('increment')
  seq: string;

  @Column('text', { default: 'pending' })
  status: DeliveryStatus;

  @Column('int', { default: 0 })
  attempts: number;

  @Column('timestamptz')
  nextAttemptAt: Date;

  /** No retry is scheduled past this (a manual retry sets it to now: one more attempt). */
  @Column('timestamptz')
  retryUntil: Date;

  /** Set while an instance is sending it; a crashed sender's lease runs out and it is retried. */
  @Column('timestamptz', { nullable: true })
  lockedUntil: Date | null;

  @Column('timestamptz', { nullable: true })
  lastAttemptAt: Date | null;

  @Column('int', { nullable: true })
  lastStatusCode: number | null;

  @Column('text', { nullable: true })
  lastError: string | null;

  @Column('timestamptz', { nullable: true })
  deliveredAt: Date | null;

  @Column('timestamptz', { nullable: true })
  failedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
