import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Channel } from '@/modules/programs/cta.entity';

/**
 * One visit through a tracked link. An append-only log written in batches by the click
 * flusher: no foreign keys (they would cost a lookup per inserted row on the hot path, and the
 * history must outlive a deleted link). The visitor is a keyed, daily-salted hash; raw IPs are
 * never stored.
 */
@Entity('clicks')
// Per-link counts and unique visitors of human clicks (advocate link stats): index-only scans.
@Index('clicks_link_visitor_idx', ['linkId', 'brandId', 'visitorHash'], {
  where: '"is_bot" = false',
})
// Per-program time ranges (KPIs, timeseries, heatmap).
@Index('clicks_brand_program_clicked_idx', ['brandId', 'programId', 'clickedAt'])
export class ClickEntity {
  /** The signed click id (the `tclid` query parameter), time-ordered. */
  @PrimaryColumn('text')
  id: string;

  @Column('text')
  brandId: string;

  @Column('text')
  programId: string;

  @Column('text')
  ctaId: string;

  @Column('text')
  advocateId: string;

  @Column('text')
  linkId: string;

  @Column('text')
  channel: Channel;

  @Column('timestamptz')
  clickedAt: Date;

  /** Host of the Referer header only (no path or query). */
  @Column('text', { nullable: true })
  referrerHost: string | null;

  /** Browser or app family ('Chrome', 'Safari', 'Instagram in-app', 'bot', …). */
  @Column('text')
  uaFamily: string;

  @Column('boolean')
  isBot: boolean;

  /** False when the same visitor clicked the same link within the repeat window. */
  @Column('boolean')
  isFirstVisit: boolean;

  /** HMAC of IP + user agent under a salt that rotates daily (UTC). */
  @Column('text')
  visitorHash: string;
}
