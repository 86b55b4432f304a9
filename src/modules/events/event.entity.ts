import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintAmount } from '@/common/money/money';

export const EVENT_TYPES = ['signup', 'purchase', 'custom', 'refund'] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export const EVENT_STATUSES = ['attributed', 'unattributed', 'rejected'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];
export const ATTRIBUTION_METHODS = ['click', 'code', 'referral'] as const;
export type AttributionMethod = (typeof ATTRIBUTION_METHODS)[number];

/**
 * A conversion event as the brand sent it, with what Tandem decided. (brand_id, event_id) is the
 * idempotency key: the request hash and the stored answer replay a retry exactly. No foreign
 * keys: the table is written in bulk on the hot path and is the audit log of every decision.
 * The decision is written by an UPDATE right after the insert; no index covers the columns it
 * sets, and the table keeps free room per page (fillfactor 80, in the migration) so that the
 * update can be HOT (no new index entries). The stored answer makes a row grow from about 0.5 to
 * 1.7 kB, so only about one update in four still finds that room (bench:events, 2026-11-28);
 * fillfactor 30 made three in four HOT, on a heap a third larger, with no gain that showed
 * above the run-to-run noise.
 * Indexes for KPIs belong to the analytics work.
 */
@Entity('events')
@Index('events_brand_event_id_key', ['brandId', 'eventId'], { unique: true })
// Earlier click ids of a customer (first/last touch).
@Index('events_brand_customer_click_idx', ['brandId', 'customerExternalId'], {
  where: '"click_id" IS NOT NULL',
})
// One purchase per order: a second purchase event naming the order is refused (409), so a
// refund always finds the one purchase whose rewards it reverses.
@Index('events_brand_purchase_order_key', ['brandId', 'orderId'], {
  unique: true,
  where: `"type" = 'purchase'`,
})
// A refund adds up what its order had refunded before.
@Index('events_brand_refund_order_idx', ['brandId', 'orderId'], { where: `"type" = 'refund'` })
export class EventEntity {
  /** Our id (`evt_…`). */
  @PrimaryColumn('text')
  id: string;

  @Column('text')
  brandId: string;

  /** The brand's own event id. */
  @Column('text')
  eventId: string;

  @Column('text')
  type: EventType;

  /** The custom event name. */
  @Column('text', { nullable: true })
  name: string | null;

  @Column('timestamptz')
  occurredAt: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  receivedAt: Date;

  @Column('text', { nullable: true })
  customerExternalId: string | null;

  @Column('text', { nullable: true })
  orderId: string | null;

  @Column('bigint', { nullable: true, transformer: bigintAmount })
  orderAmount: number | null;

  @Column('char', { length: 3, nullable: true })
  orderCurrency: string | null;

  /** As sent (verified again whenever it is read). */
  @Column('text', { nullable: true })
  clickId: string | null;

  @Column('text', { nullable: true })
  code: string | null;

  @Column('text', { nullable: true })
  ctaKey: string | null;

  @Column('jsonb', { nullable: true })
  metadata: Record<string, unknown> | null;

  /** SHA-256 (hex) of the canonical request body: same id + other body → 409. */
  @Column('char', { length: 64 })
  requestHash: string;

  /** Null only inside the transaction that records the event. */
  @Column('text', { nullable: true })
  status: EventStatus | null;

  @Column('text', { nullable: true })
  reason: string | null;

  @Column('text', { nullable: true })
  method: AttributionMethod | null;

  @Column('text', { nullable: true })
  programId: string | null;

  @Column('text', { nullable: true })
  advocateId: string | null;

  @Column('text', { nullable: true })
  ctaId: string | null;

  @Column('text', { nullable: true })
  channel: string | null;

  @Column('text', { nullable: true })
  referralId: string | null;

  @Column('timestamptz', { nullable: true })
  clickedAt: Date | null;

  /** The answer given the first time, replayed to retries. */
  @Column('jsonb', { nullable: true })
  answer: Record<string, unknown> | null;
}
