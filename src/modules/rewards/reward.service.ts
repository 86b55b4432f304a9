import { toSafeInteger } from '@/common/money/money';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError } from '@/common/errors/app-error';
import { FRAUD_HOLD_REASON, heldWithReferral } from '@/modules/fraud/fraud-hold.repository';
import { article } from '@/common/errors/article';
import { decodeCursor, Page, toPage } from '@/common/pagination/pagination';
import { RewardDto, toRewardDto } from '@/modules/rewards/dto/reward.dto';
import { programTallyKey, ruleTallyKey } from '@/modules/rewards/reward-issuer';
import { RewardFilters, RewardRepository } from '@/modules/rewards/reward.repository';
import type { RewardStatus } from '@/modules/rewards/reward.entity';
import { WebhookOutbox } from '@/modules/webhooks/webhook-outbox';

const transitionError = (from: RewardStatus, to: string, why?: string) =>
  new AppError(
    'invalid_status_transition',
    `${article(from)} ${from} reward cannot be ${to}${why ? `: ${why}` : ''}`,
    [{ field: 'status', issue: `is ${from}${why ? ` (${why})` : ''}` }],
  );

/** Listing rewards, and the manual decisions: approve (pending or held) and reject. */
@Injectable()
export class RewardService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rewards: RewardRepository,
    private readonly webhooks: WebhookOutbox,
  ) {}

  async list(
    brandId: string,
    filters: RewardFilters,
    limit: number,
    cursor?: string,
  ): Promise<Page<RewardDto>> {
    const list = { list: 'rewards', brandId, ...filters };
    const after = decodeCursor(cursor, 'timestamp', list);
    const rows = await this.rewards.listByBrand(brandId, filters, limit, after);
    return toPage(rows, limit, (r) => ({ k: r.cursor_at, id: r.id }), toRewardDto, list);
  }

  async get(brandId: string, id: string): Promise<RewardDto> {
    const row = await this.rewards.findByIdForBrand(brandId, id);
    if (!row) throw AppError.notFound('Reward');
    return toRewardDto(row);
  }

  /**
   * pending | held → approved; approving an approved reward again changes nothing. A reward held
   * with its referral (fraud review) is decided through the referral: 409.
   */
  approve(brandId: string, id: string): Promise<RewardDto> {
    return this.dataSource.transaction(async (em) => {
      const row = await this.rewards.findByIdForBrand(brandId, id, em, true);
      if (!row) throw AppError.notFound('Reward');
      const status = row.status as RewardStatus;
      if (
        status === 'held' &&
        row.reason === FRAUD_HOLD_REASON &&
        row.referral_id &&
        (await this.rewards.isReferralHeld(em, brandId, row.referral_id))
      ) {
        throw heldWithReferral(row.referral_id);
      }
      if (status === 'pending' || status === 'held') {
        await this.rewards.approve(em, brandId, id);
        await this.webhooks.enqueueSubjects(em, brandId, [
          { type: 'reward.approved', subject: 'reward', id },
        ]);
      } else if (status !== 'approved') throw transitionError(status, 'approved');
      return toRewardDto((await this.rewards.findByIdForBrand(brandId, id, em))!);
    });
  }

  /**
   * pending | held | approved (not yet in a payout, not a clawback) → rejected, which frees its
   * room in the budgets; rejecting a rejected reward again changes nothing.
   */
  reject(brandId: string, id: string, reason: string): Promise<RewardDto> {
    return this.dataSource.transaction(async (em) => {
      // A batch being created may be taking this reward: wait for it, then see it.
      await this.rewards.lockAgainstPayoutBatchCreation(em, brandId);
      const row = await this.rewards.findByIdForBrand(brandId, id, em, true);
      if (!row) throw AppError.notFound('Reward');
      const status = row.status as RewardStatus;
      if (status === 'rejected') return toRewardDto(row);
      if (status !== 'pending' && status !== 'held' && status !== 'approved') {
        throw transitionError(status, 'rejected');
      }
      if (row.clawback_of) throw transitionError(status, 'rejected', 'it is a clawback');
      if (row.payout_batch_id) throw transitionError(status, 'rejected', 'it is in a payout batch');
      await this.rewards.reject(em, brandId, id, reason);
      const net = toSafeInteger(row.amount ?? 0) - toSafeInteger(row.reversed_amount);
      const keys = [ruleTallyKey(row.rule_id)];
      if (row.kind !== 'points' && row.currency !== null)
        keys.push(programTallyKey(row.program_id));
      await this.rewards.adjustTallies(em, brandId, keys, -1, -net);
      return toRewardDto((await this.rewards.findByIdForBrand(brandId, id, em))!);
    });
  }
}
