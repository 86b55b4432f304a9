import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const KPI_FOLD_KINDS = ['conversion', 'refund'] as const;
export type KpiFoldKind = (typeof KPI_FOLD_KINDS)[number];

/**
 * Events whose KPI counts are still to be added to kpi_rollups. The event transaction inserts
 * one row per recorded event (so the rows commit or roll back with the event) instead of
 * updating the rollups itself: the program's hourly counter row would be locked by every
 * purchase until its commit reached the disk, and events of a program would pass one at a
 * time. The fold job (kpi-fold.job.ts) deletes rows and adds their counts in one statement,
 * so each is counted exactly once. No foreign key and no other index: written on the hot path.
 */
@Entity('kpi_fold_queue')
export class KpiFoldQueueEntity {
  /** Insertion order: folded oldest first. */
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column('text')
  brandId: string;

  /** `conversion`: a signup, purchase or custom event; `refund`: a refund event. */
  @Column('text')
  kind: KpiFoldKind;

  /** The event's row id (`evt_…`). */
  @Column('text')
  eventId: string;
}
