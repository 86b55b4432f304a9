import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A change of what one reward costs, queued for the KPI rollups. Written by triggers on
 * `rewards` (in the migration) in the statement that changed the reward, wherever it ran
 * (events, refunds, reviews, fraud holds, manual approve/reject, payouts), so no module has to
 * remember the KPIs; folded into kpi_rollups.reward_cost by KpiFoldRepository, before every KPI
 * read and in the background. Append-only: writers never wait on each other here.
 */
@Entity('kpi_reward_cost_deltas')
@Index('kpi_reward_cost_deltas_brand_idx', ['brandId', 'id'])
export class KpiRewardCostDeltaEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column('text')
  brandId: string;

  @Column('text')
  programId: string;

  @Column('text')
  advocateId: string;

  @Column('text')
  eventId: string;

  @Column('timestamptz')
  occurredAt: Date;

  @Column('char', { length: 3, nullable: true })
  currency: string | null;

  /** Minor units: the new cost minus the old. */
  @Column('bigint')
  delta: string;
}
