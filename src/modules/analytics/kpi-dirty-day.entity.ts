import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A program's UTC day whose reach must be recomputed from its raw clicks: a click arrived after
 * the day's visitor keys were pruned. Each new late click bumps `version`, so the maintenance
 * job only clears the mark if nothing arrived while it recomputed.
 */
@Entity('kpi_dirty_days')
export class KpiDirtyDayEntity {
  @PrimaryColumn('text')
  programId: string;

  @PrimaryColumn('date')
  day: string;

  @Column('text')
  brandId: string;

  @Column('bigint', { default: 1 })
  version: string;
}
