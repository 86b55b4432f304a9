import { Injectable } from '@nestjs/common';
import { decodeCursor, Page, toPage } from '@/common/pagination/pagination';
import type { ReviewItemDto, ReviewType } from '@/modules/reviews/dto/review.dto';
import { ReviewRepository } from '@/modules/reviews/review.repository';

@Injectable()
export class ReviewService {
  constructor(private readonly reviews: ReviewRepository) {}

  async list(
    brandId: string,
    type: ReviewType | undefined,
    limit: number,
    cursor?: string,
  ): Promise<Page<ReviewItemDto>> {
    const rows = await this.reviews.listByBrand(brandId, type, limit, decodeCursor(cursor));
    return toPage(rows, limit, (r) => ({ k: r.cursor_at, id: r.id }), toReviewItem);
  }
}

function toReviewItem(r: Record<string, any>): ReviewItemDto {
  const item: ReviewItemDto = {
    type: r.type,
    id: r.id,
    status: r.status,
    reason: r.reason,
    programId: r.program_id,
    advocateId: r.advocate_id,
    customerId: r.customer_external_id,
    eventId: r.event_id,
    flaggedAt: new Date(r.flagged_at).toISOString(),
  };
  if (r.type === 'reward') {
    item.reward = {
      recipient: r.recipient,
      kind: r.kind,
      amount: r.amount === null ? null : Number(r.amount),
      currency: r.currency,
    };
  }
  return item;
}
