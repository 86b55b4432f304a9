import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { WebhookDeliveryEntity } from '@/modules/webhooks/webhook-delivery.entity';

/** One HTTP request of a delivery, with what came back (or why nothing did). */
@Entity('webhook_attempts')
@Index('webhook_attempts_delivery_idx', ['deliveryId', 'attempt'])
export class WebhookAttemptEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('text')
  brandId: string;

  @Column('text')
  deliveryId: string;

  @ManyToOne(() => WebhookDeliveryEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'delivery_id' })
  delivery?: WebhookDeliveryEntity;

  /** 1 for the first attempt of the delivery. */
  @Column('int')
  attempt: number;

  @Column('timestamptz')
  startedAt: Date;

  @Column('int')
  durationMs: number;

  /** The answer's status; null when none came (timeout, refused connection…). */
  @Column('int', { nullable: true })
  statusCode: number | null;

  /** The first 1,000 characters of the answer's body. */
  @Column('text', { nullable: true })
  responseExcerpt: string | null;

  @Column('text', { nullable: true })
  error: string | null;

  @Column('boolean')
  success: boolean;
}
