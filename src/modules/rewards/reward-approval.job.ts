import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '@/config/config.module';
import { PeriodicRun } from '@/common/jobs/periodic-run';
import { AppConfig } from '@/config/env';
import { RewardRepository } from '@/modules/rewards/reward.repository';
import { WebhookOutbox } from '@/modules/webhooks/webhook-outbox';

const BATCH = 500;

/**
 * Approves pending rewards once their hold period is over (held rewards wait for a person).
 * A plain timer per instance; the claim query's SKIP LOCKED makes any number of instances safe.
 */
@Injectable()
export class RewardApprovalJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RewardApprovalJob.name);
  private readonly job = new PeriodicRun(this.logger, 'reward approval run', () => this.work());

  constructor(
    private readonly rewards: RewardRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly webhooks: WebhookOutbox,
  ) {}

  onApplicationBootstrap(): void {
    this.job.start(this.config.rewardApprovalIntervalMs);
  }

  /** Stops the timer and lets a run in progress finish before the pool closes. */
  beforeApplicationShutdown(): Promise<void> {
    return this.job.stop();
  }

  /** Approves every due pending reward, 500 per statement; returns how many. */
  approveDue(): Promise<number> {
    return this.job.runNow();
  }

  private async work(): Promise<number> {
    let total = 0;
    for (;;) {
      const approved = await this.approveBatch();
      total += approved;
      if (approved < BATCH) return total;
    }
  }

  /** One statement's worth, with its reward.approved webhooks in the same transaction. */
  private approveBatch(): Promise<number> {
    return this.dataSource.transaction(async (em) => {
      const approved = await this.rewards.approveDue(em, BATCH);
      await this.webhooks.enqueueSubjectsOfBrands(
        em,
        approved.map((r) => ({
          type: 'reward.approved',
          subject: 'reward',
          id: r.id,
          brandId: r.brand_id,
        })),
      );
      return approved.length;
    });
  }
}
