import { toSafeInteger } from '@/common/money/money';
import { Injectable } from '@nestjs/common';
import { decodeCursor, Page, toPage } from '@/common/pagination/pagination';
import type { FraudRuleKey } from '@/modules/fraud/fraud-rules';
import type {
  ReviewItemDto,
  ReviewReasonDto,
  ReviewReferralRewardDto,
} from '@/modules/reviews/dto/review.dto';
import { ReviewFilters, ReviewRepository } from '@/modules/reviews/review.repository';

const SELF_REFERRAL_DETAIL = 'the friend is the advocate (same customer id or normalised e-mail)';

@Injectable()
export class ReviewService {
  constructor(private readonly reviews: ReviewRepository) {}

  async list(
    brandId: string,
    filters: ReviewFilters,
    limit: number,
    cursor?: string,
  ): Promise<Page<ReviewItemDto>> {
    const list = { list: 'reviews', brandId, ...filters };
    const after = decodeCursor(cursor, 'timestamp', list);
    const rows = await this.reviews.listByBrand(brandId, filters, limit, after);
    const page = toPage(rows, limit, (r) => ({ k: r.cursor_at, id: r.id }), toReviewItem, list);
    const referralIds = page.data.filter((i) => i.type === 'referral').map((i) => i.id);
    const rewards = await this.reviews.rewardsOfReferrals(brandId, referralIds);
    for (const item of page.data) {
      if (item.type !== 'referral') continue;
      item.rewards = rewards.filter((w) => w.referral_id === item.id).map(toReferralReward);
    }
    return page;
  }
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function reasonsOf(r: Record<string, any>): ReviewReasonDto[] {
  const stored: ReviewReasonDto[] = (r.reasons ?? []).map((x: Record<string, any>) => ({
    rule: x.rule as FraudRuleKey,
    detail: String(x.detail ?? ''),
    eventId: x.eventId ?? null,
    at: x.at ?? null,
  }));
  // Self-referrals are rejected by attribution; shown as their rule all the same.
  if (r.reason === 'self_referral' && !stored.some((x) => x.rule === 'selfReferral')) {
    stored.unshift({
      rule: 'selfReferral',
      detail: SELF_REFERRAL_DETAIL,
      eventId: r.event_id,
      at: iso(r.flagged_at),
    });
  }
  return stored;
}

function toReferralReward(w: Record<string, any>): ReviewReferralRewardDto {
  return {
    id: w.id,
    recipient: w.recipient,
    kind: w.kind,
    amount: w.amount === null ? null : toSafeInteger(w.amount),
    currency: w.currency,
    status: w.status,
    reason: w.reason,
  };
}

function toReviewItem(r: Record<string, any>): ReviewItemDto {
  const item: ReviewItemDto = {
    type: r.type,
    id: r.id,
    status: r.status,
    reason: r.reason,
    reasons: reasonsOf(r),
    programId: r.program_id,
    advocateId: r.advocate_id,
    customerId: r.customer_external_id,
    eventId: r.event_id,
    flaggedAt: iso(r.flagged_at)!,
    reviewedAt: iso(r.reviewed_at),
    note: r.note,
  };
  if (r.type === 'reward') {
    item.reward = {
      recipient: r.recipient,
      kind: r.kind,
      amount: r.amount === null ? null : toSafeInteger(r.amount),
      currency: r.currency,
    };
  }
  return item;
}
