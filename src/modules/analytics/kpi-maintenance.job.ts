import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG } from '@/config/config.module';
import { PeriodicRun } from '@/common/jobs/periodic-run';
import { AppConfig } from '@/config/env';
import { KpiMaintenanceRepository } from '@/modules/analytics/kpi-maintenance.repository';

const DIRTY_DAYS_PER_RUN = 100;

export interface KpiMaintenanceRun {
  prunedVisitorKeys: number;
  recomputedDays: number;
}

/**
 * Keeps the reach bookkeeping small and exact: prunes visitor keys of days the click flush no
 * longer reads, and recomputes from raw clicks the reach of days a late click arrived for.
 * A plain timer per instance; dirty days are claimed with SKIP LOCKED, so instances share them.
 */
@Injectable()
export class KpiMaintenanceJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(KpiMaintenanceJob.name);
  private readonly job = new PeriodicRun(this.logger, 'KPI maintenance run', () => this.work());

  constructor(
    private readonly maintenance: KpiMaintenanceRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.job.start(this.config.kpiMaintenanceIntervalMs);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.job.stop();
  }

  runOnce(): Promise<KpiMaintenanceRun> {
    return this.job.runNow();
  }

  private async work(): Promise<KpiMaintenanceRun> {
    const prunedVisitorKeys = await this.maintenance.pruneVisitorKeys(
      this.config.kpiVisitorKeyDays,
    );
    let recomputedDays = 0;
    for (const day of await this.maintenance.findDirtyDays(DIRTY_DAYS_PER_RUN)) {
      if (await this.maintenance.recomputeDayReach(day)) recomputedDays += 1;
    }
    if (recomputedDays > 0) {
      this.logger.log({ recomputedDays }, 'recomputed the reach of days with late clicks');
    }
    return { prunedVisitorKeys, recomputedDays };
  }
}
