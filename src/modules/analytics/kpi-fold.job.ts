import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '@/config/config.module';
import { PeriodicRun } from '@/common/jobs/periodic-run';
import { AppConfig } from '@/config/env';
import { DatabaseLifecycle } from '@/database/database.module';
import { FoldRun, KpiFoldRepository } from '@/modules/analytics/kpi-fold.repository';

/**
 * Adds the counts of queued events (kpi_fold_queue) and reward cost changes
 * (kpi_reward_cost_deltas) to the KPI rollups every `KPI_FOLD_INTERVAL_MS`, so the queues stay
 * short (every KPI read folds its brand's first, so reads never lag). A plain timer per
 * instance; the fold claims rows with SKIP LOCKED, so any number of instances share the queue.
 * On shutdown, after the server stopped taking requests, the queue is folded once more (what
 * is left, e.g. with the database gone, waits in the table for the next fold of any instance).
 */
@Injectable()
export class KpiFoldJob implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(KpiFoldJob.name);
  private readonly job = new PeriodicRun(this.logger, 'KPI fold', () => this.folds.foldAll());

  constructor(
    private readonly folds: KpiFoldRepository,
    private readonly lifecycle: DatabaseLifecycle,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    // A drain runs once the HTTP server is closed and before the pool is (database.module.ts).
    this.lifecycle.addDrain(() => this.drain());
  }

  onApplicationBootstrap(): void {
    this.job.start(this.config.kpiFoldIntervalMs);
  }

  /**
   * Folds the whole queue now, after a fold in progress on this instance ended, so the KPI
   * reads that follow see every event committed before the call (tests, scripts).
   */
  runOnce(): Promise<FoldRun> {
    return this.job.runAfterCurrent();
  }

  private async drain(): Promise<void> {
    await this.job.stop();
    try {
      const run = await this.folds.foldAll();
      if (run.events > 0) this.lifecycle.noteDrainProgress();
    } catch (err) {
      this.logger.error({ err }, 'KPI fold at shutdown failed; the queue is folded later');
    }
  }
}
