import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG } from '@/config/config.module';
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
  private timer?: NodeJS.Timeout;
  private running?: Promise<KpiMaintenanceRun>;

  constructor(
    private readonly maintenance: KpiMaintenanceRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.kpiMaintenanceIntervalMs;
    if (every <= 0) return;
    this.timer = setInterval(() => {
      if (this.running) return; // a slow run is never doubled on one instance
      this.runOnce().catch((err: unknown) =>
        this.logger.error({ err }, 'KPI maintenance run failed'),
      );
    }, every);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  runOnce(): Promise<KpiMaintenanceRun> {
    const run = (async () => {
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
    })();
    this.running = run;
    const clear = () => {
      if (this.running === run) this.running = undefined;
    };
    run.then(clear, clear);
    return run;
  }
}
