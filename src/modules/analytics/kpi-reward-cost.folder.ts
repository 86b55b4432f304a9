import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { PeriodicRun } from '@/common/jobs/periodic-run';
import { APP_CONFIG } from '@/config/config.module';
import { AppConfig } from '@/config/env';
import { foldRewardCosts } from '@/modules/analytics/kpi-rollup.sql';

const CHUNK = 10_000;
const FOLD_WAITING = foldRewardCosts(false);
const FOLD_SKIPPING = foldRewardCosts(true);

/**
 * Folds every reward cost change of a brand queued so far (or of all brands: null) into the
 * rollups, waiting for a concurrent fold of the same rows to commit: afterwards the rollups
 * hold every change committed before the call. One chunk per statement (each one atomic).
 */
export async function foldQueuedRewardCosts(
  db: DataSource | EntityManager,
  brandId: string | null,
): Promise<void> {
  for (;;) {
    const [row]: { folded: number }[] = await db.query(FOLD_WAITING, [brandId, CHUNK]);
    if ((row?.folded ?? 0) < CHUNK) return;
  }
}

/**
 * Keeps kpi_rollups.reward_cost current. Triggers on `rewards` queue each change of a reward's
 * cost (kpi_reward_cost_deltas, append-only: no event, refund, review or payout transaction
 * waits on a shared counter row for it); every KPI read that shows a reward cost folds its
 * brand's queue first (exact, no lag), and this job folds the rest every
 * KPI_FOLD_INTERVAL_MS so the queue stays short. Several instances share the queue (SKIP LOCKED).
 */
@Injectable()
export class KpiRewardCostFolder implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(KpiRewardCostFolder.name);
  private readonly job = new PeriodicRun(this.logger, 'KPI reward cost fold', () => this.work());

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.job.start(this.config.kpiFoldIntervalMs);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.job.stop();
  }

  /** Before a read of the brand's reward costs. */
  foldBrand(brandId: string): Promise<void> {
    return foldQueuedRewardCosts(this.dataSource, brandId);
  }

  runOnce(): Promise<void> {
    return this.job.runNow();
  }

  // Chunks until one takes less than a chunk (rows another fold holds are left to it).
  private async work(): Promise<void> {
    for (;;) {
      const [row]: { folded: number }[] = await this.dataSource.query(FOLD_SKIPPING, [null, CHUNK]);
      if ((row?.folded ?? 0) < CHUNK) return;
    }
  }
}
