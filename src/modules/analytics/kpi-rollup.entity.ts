import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAmount } from '@/common/money/money';

/**
 * The five grains of a KPI rollup row. `c`: one row per program × CTA × channel × UTC hour
 * (program, channel and CTA figures, timeseries, heatmap); `d`: per advocate × CTA × channel ×
 * UTC day (which advocates were active in a channel or CTA, hour by hour, through
 * `activeHours`). The advocate rows fold CTA and channel into `''`: `h` per UTC hour (the
 * partial days at the edges of the leaderboard), `a` per UTC day (the whole days at its edges,
 * and which advocates were active, hour by hour, for the summary and the series), `w` per UTC
 * week starting Monday (the whole weeks of the leaderboard: a 90-day period reads ~13 rows per
 * advocate).
 */
export const KPI_GRAINS = ['c', 'h', 'd', 'a', 'w'] as const;
export type KpiGrain = (typeof KPI_GRAINS)[number];

/**
 * Hourly and daily KPI counters, maintained incrementally by the writes they count (the click
 * flush, the event and refund transactions, share creation): every writer adds deltas with one
 * `INSERT … ON CONFLICT DO UPDATE` sorted by the primary key, so concurrent writers lock rows in
 * the same order. Counted only from rows a statement really inserted, so a replayed batch or
 * event adds nothing. `''` stands for "none" in key columns (a conversion through a code
 * without a CTA; the advocate of a `c` row). No foreign keys: written in bulk on hot paths.
 * The table is partitioned by grain (in the migration), so reading one grain scans only it.
 */
@Entity('kpi_rollups')
export class KpiRollupEntity {
  @PrimaryColumn('text')
  programId: string;

  @PrimaryColumn('char', { length: 1 })
  grain: KpiGrain;

  /** Start of the UTC hour (`c`, `h`), UTC day (`d`, `a`) or UTC week from Monday (`w`). */
  @PrimaryColumn('timestamptz')
  bucket: Date;

  @PrimaryColumn('text')
  ctaId: string;

  @PrimaryColumn('text')
  channel: string;

  @PrimaryColumn('text')
  advocateId: string;

  @Column('text')
  brandId: string;

  /** Human clicks. */
  @Column('int', { default: 0 })
  clicks: number;

  @Column('int', { default: 0 })
  botClicks: number;

  /**
   * Unique visitors: a visitor counts once per UTC day (the visitor hash's salt rotates daily),
   * at their first human click of that day on the program (`reachProgram`), channel, CTA
   * (`c` rows) or advocate (`reachAdvocate`, `h`, `d` and `w` rows: a `w` row sums its days).
   */
  @Column('int', { default: 0 })
  reachProgram: number;

  @Column('int', { default: 0 })
  reachChannel: number;

  @Column('int', { default: 0 })
  reachCta: number;

  @Column('int', { default: 0 })
  reachAdvocate: number;

  /** `d` and `a` rows: bit h set when the advocate had a human click or a share in UTC hour h. */
  @Column('int', { default: 0 })
  activeHours: number;

  @Column('int', { default: 0 })
  shares: number;

  /** Reach and impressions the widget reported with the shares. */
  @Column('bigint', { default: 0, transformer: bigintAmount })
  sharesReach: number;

  @Column('bigint', { default: 0, transformer: bigintAmount })
  impressions: number;

  /** Attributed signup events. */
  @Column('int', { default: 0 })
  signups: number;

  /** Attributed purchase events. */
  @Column('int', { default: 0 })
  conversions: number;

  /** Order amounts of those purchases in the program currency, minor units. */
  @Column('bigint', { default: 0, transformer: bigintAmount })
  revenue: number;

  /** Refunded amounts of those orders, counted at the purchase (hour, CTA, advocate). */
  @Column('bigint', { default: 0, transformer: bigintAmount })
  refunds: number;

  /** Referrals of customers new to the brand converted by their first attributed purchase. */
  @Column('int', { default: 0 })
  newCustomers: number;

  /** Attributed completions of non-purchase CTAs (signup CTA: signups; others: custom events). */
  @Column('int', { default: 0 })
  ctaCompletions: number;

  /** Σ the CTA's value at each completion, minor units of the program currency. */
  @Column('bigint', { default: 0, transformer: bigintAmount })
  ctaValue: number;

  /**
   * What the program's rewards cost (pending, approved and paid, net of reversals; in the
   * program currency), at the reward's time and advocate and its event's CTA and channel.
   * Folded in from kpi_reward_cost_deltas (KpiRewardCostDeltaEntity).
   */
  @Column('bigint', { default: 0, transformer: bigintAmount })
  rewardCost: number;
}
