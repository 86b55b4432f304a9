import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Reach bookkeeping: the first human click of a visitor on a program, channel, CTA or advocate
 * (`dim`: `p`, `c:<channel>`, `t:<ctaId>`, `a:<advocateId>`) on one UTC day. Only recent days
 * are kept (KPI_VISITOR_KEY_DAYS; the maintenance job prunes older ones): visitor hashes change
 * every day, and a click older than that (a long outage) is handled by recomputing its day.
 * When an earlier click arrives later, the key moves to it and `prev*` keeps where it was, so
 * the click flush can move the count in the same statement.
 */
@Entity('kpi_visitors')
export class KpiVisitorEntity {
  @PrimaryColumn('date')
  day: string;

  @PrimaryColumn('text')
  programId: string;

  @PrimaryColumn('text')
  visitorHash: string;

  @PrimaryColumn('text')
  dim: string;

  @Column('text')
  brandId: string;

  @Column('timestamptz')
  firstAt: Date;

  @Column('text')
  firstClickId: string;

  @Column('text')
  ctaId: string;

  @Column('text')
  channel: string;

  @Column('text')
  advocateId: string;

  @Column('timestamptz', { nullable: true })
  prevAt: Date | null;

  @Column('text', { nullable: true })
  prevCtaId: string | null;

  @Column('text', { nullable: true })
  prevChannel: string | null;

  @Column('text', { nullable: true })
  prevAdvocateId: string | null;
}
