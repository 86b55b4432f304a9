import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '@/config/config.module';
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
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    private readonly rewards: RewardRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly webhooks: WebhookOutbox,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.rewardApprovalIntervalMs;
    if (every <= 0) return;
    this.timer = setInterval(() => {
      if (this.running) return; // a slow run is never doubled on one instance
      this.approveDue().catch((err: unknown) =>
        this.logger.error({ err }, 'reward approval run failed'),
      );
    }, every);
    this.timer.unref();
  }

  /** Stops the timer and lets a run in progress finish before the pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Approves every due pending reward, 500 per statement; returns how many. */
  approveDue(): Promise<number> {
    const run = (async () => {
      let total = 0;
      for (;;) {
        const approved = await this.approveBatch();
        total += approved;
        if (approved < BATCH) return total;
      }
    })();
    this.running = run;
    const clear = () => {
      if (this.running === run) this.running = undefined;
    };
    run.then(clear, clear);
    return run;
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
