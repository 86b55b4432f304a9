import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { BrandEntity } from '@/modules/brands/brand.entity';
import type { WebhookEventType } from '@/modules/webhooks/webhook-event-types';

export const DISABLED_REASONS = ['manual', 'failing'] as const;
export type DisabledReason = (typeof DISABLED_REASONS)[number];

/**
 * Where a brand receives webhooks. The signing secret is kept encrypted (AES-256-GCM under a key
 * derived from TANDEM_SECRET, see WebhookSecretBox): Tandem needs it back to sign every delivery,
 * so a one-way hash cannot do.
 */
@Entity('webhook_endpoints')
@Index('webhook_endpoints_brand_created_idx', ['brandId', 'createdAt', 'id'])
// The outbox fans an event out to the brand's enabled endpoints.
@Index('webhook_endpoints_brand_enabled_idx', ['brandId'], { where: '"enabled"' })
export class WebhookEndpointEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('text')
  brandId: string;

  @ManyToOne(() => BrandEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: BrandEntity;

  @Column('text')
  url: string;

  @Column('text', { nullable: true })
  description: string | null;

  @Column('text', { array: true })
  eventTypes: WebhookEventType[];

  /** `v1.` + base64url(iv | ciphertext | tag); the endpoint id is the associated data. */
  @Column('text')
  secretCiphertext: string;

  /** The secret's last four characters, to tell secrets apart. */
  @Column('text')
  secretHint: string;

  @Column('boolean', { default: true })
  enabled: boolean;

  @Column('text', { nullable: true })
  disabledReason: DisabledReason | null;

  @Column('timestamptz', { nullable: true })
  disabledAt: Date | null;

  /** Deliveries that failed for good since the last successful attempt. */
  @Column('int', { default: 0 })
  consecutiveFailures: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
