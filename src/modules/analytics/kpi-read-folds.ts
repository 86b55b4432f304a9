import { Injectable } from '@nestjs/common';
import { KpiFoldRepository } from '@/modules/analytics/kpi-fold.repository';
import { KpiRewardCostFolder } from '@/modules/analytics/kpi-reward-cost.folder';

/**
 * What a KPI read does first: fold its brand's queued events and reward cost changes into the
 * rollups, so every figure it shows counts everything committed before it — and all alike (a
 * purchase's revenue and its rewards' cost arrive together, never one without the other).
 */
@Injectable()
export class KpiReadFolds {
  constructor(
    private readonly events: KpiFoldRepository,
    private readonly rewardCosts: KpiRewardCostFolder,
  ) {}

  async beforeRead(brandId: string): Promise<void> {
    await this.events.foldBrand(brandId);
    await this.rewardCosts.foldBrand(brandId);
  }
}
