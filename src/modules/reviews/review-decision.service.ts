import { toSafeInteger } from '@/common/money/money';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppError } from '@/common/errors/app-error';
import { FRAUD_HOLD_REASON, heldWithReferral } from '@/modules/fraud/fraud-hold.repository';
import type { ReviewDecisionDto } from '@/modules/reviews/dto/review.dto';
import {
  RejectedReward,
  ReviewDecisionRepository,
} from '@/modules/reviews/review-decision.repository';
import { programTallyKey, ruleTallyKey } from '@/modules/rewards/reward-issuer';
import { WebhookOutbox } from '@/modules/webhooks/webhook-outbox';

const notHeld = (what: string, status: string) =>
  new AppError('invalid_status_transition', `The ${what} is not held for review`, [
    { field: 'status', issue: `is ${status}` },
  ]);

/**
 * POST /v1/reviews/:id/approve|reject, each one transaction: the decision, the rewards it
 * releases or rejects, the budgets it frees and the webhooks it announces commit together.
 * `id` is a referral held by fraud rules (ref_…) or a reward held on its own (rwd_…, e.g. a
 * paused advocate's). Repeating a decision already taken answers the same; the opposite one is
 * a 409.
 */
@Injectable()
export class ReviewDecisionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: ReviewDecisionRepository,
    private readonly webhooks: WebhookOutbox,
  ) {}

  decide(
    brandId: string,
    id: string,
    decision: 'approved' | 'rejected',
    note: string | null,
  ): Promise<ReviewDecisionDto> {
    return this.dataSource.transaction(async (em) => {
      if (id.startsWith('ref_')) return this.decideReferral(em, brandId, id, decision, note);
      if (id.startsWith('rwd_')) return this.decideReward(em, brandId, id, decision, note);
      throw AppError.notFound('Review');
    });
  }

  private async decideReferral(
    em: EntityManager,
    brandId: string,
    id: string,
    decision: 'approved' | 'rejected',
    note: string | null,
  ): Promise<ReviewDecisionDto> {
    const referral = await this.repository.lockReferral(em, brandId, id);
    if (!referral) throw AppError.notFound('Review');
    if (referral.review_status !== decision) {
      if (referral.review_status !== 'held' || referral.status === 'rejected') {
        throw notHeld('referral', referral.review_status ?? referral.status);
      }
      if (decision === 'approved') {
        const released = await this.repository.approveReferral(em, brandId, id, note);
        await this.announceApprovals(em, brandId, released);
      } else {
        const rejected = await this.repository.rejectReferral(em, brandId, id, note);
        await this.repository.adjustTallies(em, brandId, tallyDeltas(rejected));
        await this.webhooks.enqueueSubjects(em, brandId, [
          { type: 'referral.rejected', subject: 'referral', id },
        ]);
      }
    }
    const after = (await this.repository.lockReferral(em, brandId, id))!;
    return {
      id,
      type: 'referral',
      decision,
      note: after.review_note,
      reviewedAt: after.reviewed_at ? new Date(after.reviewed_at).toISOString() : null,
      rewards: await this.statuses(em, brandId, { referralId: id }),
    };
  }

  private async decideReward(
    em: EntityManager,
    brandId: string,
    id: string,
    decision: 'approved' | 'rejected',
    note: string | null,
  ): Promise<ReviewDecisionDto> {
    const reward = await this.repository.lockReward(em, brandId, id);
    if (!reward) throw AppError.notFound('Review');
    if (reward.status === 'held' && reward.reason === FRAUD_HOLD_REASON && reward.referral_held) {
      throw heldWithReferral(reward.referral_id!);
    }
    if (reward.review_decision !== decision) {
      if (reward.review_decision !== null) throw notHeld('reward', reward.status);
      if (decision === 'rejected' && reward.status === 'rejected') {
        // rejected otherwise (POST /v1/rewards/:id/reject): what was asked is so
      } else if (reward.status !== 'held') {
        throw notHeld('reward', reward.status);
      } else if (decision === 'approved') {
        const released = await this.repository.releaseReward(em, brandId, id, note);
        await this.announceApprovals(em, brandId, released);
      } else {
        const rejected = await this.repository.rejectReward(em, brandId, id, note);
        await this.repository.adjustTallies(em, brandId, tallyDeltas(rejected));
      }
    }
    // The decision as recorded: a repeated one answers the first one's note and time.
    const after = (await this.repository.lockReward(em, brandId, id))!;
    return {
      id,
      type: 'reward',
      decision,
      note: after.review_decision ? after.review_note : note,
      reviewedAt: after.reviewed_at ? new Date(after.reviewed_at).toISOString() : null,
      rewards: await this.statuses(em, brandId, { rewardId: id }),
    };
  }

  /** reward.approved for the rewards a release approved at once (their hold period was over). */
  private async announceApprovals(
    em: EntityManager,
    brandId: string,
    released: { id: string; status: string }[],
  ): Promise<void> {
    const approvedNow = released.filter((r) => r.status === 'approved');
    if (approvedNow.length === 0) return;
    await this.webhooks.enqueueSubjects(
      em,
      brandId,
      approvedNow.map((r) => ({ type: 'reward.approved', subject: 'reward', id: r.id })),
    );
  }

  private async statuses(
    em: EntityManager,
    brandId: string,
    by: { referralId: string } | { rewardId: string },
  ) {
    return (await this.repository.rewardStatuses(em, brandId, by)).map((r) => ({
      id: r.id,
      status: r.status,
    }));
  }
}

/** Rejected rewards free their room in the rule and program budgets (net of refunds). */
function tallyDeltas(rejected: RejectedReward[]): { key: string; count: number; amount: number }[] {
  const deltas = new Map<string, { count: number; amount: number }>();
  const add = (key: string, amount: number) => {
    const d = deltas.get(key) ?? { count: 0, amount: 0 };
    deltas.set(key, { count: d.count - 1, amount: d.amount - amount });
  };
  for (const w of rejected) {
    const net = toSafeInteger(w.amount ?? 0) - toSafeInteger(w.reversed_amount);
    add(ruleTallyKey(w.rule_id), net);
    if (w.kind !== 'points' && w.currency !== null) add(programTallyKey(w.program_id), net);
  }
  // A sum past 2^53 is no longer a safe integer: refused, never rounded.
  return [...deltas].map(([key, d]) => ({ key, count: d.count, amount: toSafeInteger(d.amount) }));
}
