import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentBrand } from '@/common/auth/principal';
import { RequireScopes } from '@/common/auth/scopes.decorator';
import { ApiErrors } from '@/common/errors/api-errors.decorator';
import { pageLimit } from '@/common/pagination/pagination';
import {
  ListReviewsQueryDto,
  ReviewDecisionBodyDto,
  ReviewDecisionDto,
  ReviewPageDto,
} from '@/modules/reviews/dto/review.dto';
import { ReviewDecisionService } from '@/modules/reviews/review-decision.service';
import { ReviewNote } from '@/modules/reviews/review-note.decorator';
import { ReviewService } from '@/modules/reviews/review.service';

@ApiTags('Fraud rules and reviews')
@Controller('v1/reviews')
@RequireScopes('admin')
export class ReviewController {
  constructor(
    private readonly reviews: ReviewService,
    private readonly decisions: ReviewDecisionService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Referrals and rewards flagged for review, with the reasons',
    description:
      'Newest flag first: referrals held by fraud rules (status held, reason fraud_review, ' +
      'every triggered rule in reasons, their held rewards in rewards), rejected referrals ' +
      '(self_referral, review_rejected…) and rewards held on their own (advocate_paused). ' +
      '`status=held` is the queue still to decide.',
  })
  @ApiOkResponse({ type: ReviewPageDto })
  @ApiErrors(400)
  list(@CurrentBrand() brandId: string, @Query() q: ListReviewsQueryDto) {
    const { limit: _limit, cursor, ...filters } = q;
    return this.reviews.list(brandId, filters, pageLimit(q), cursor);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @ApiBody({ type: ReviewDecisionBodyDto, required: false })
  @ApiOperation({
    summary: 'Approve a held referral (ref_…) or held reward (rwd_…): release its rewards',
    description:
      'One transaction. Released rewards go back to where their hold period leaves them: ' +
      'approved when availableAt has passed (reward.approved is sent), else pending for the ' +
      'approval job. An approved referral is not held by the rules again. Approving again ' +
      'answers the same; an item not held answers 409.',
  })
  @ApiOkResponse({ type: ReviewDecisionDto })
  @ApiErrors('json-body', 404, [409, 'invalid_status_transition'])
  approve(
    @CurrentBrand() brandId: string,
    @Param('id') id: string,
    @ReviewNote() note: string | null,
  ): Promise<ReviewDecisionDto> {
    return this.decisions.decide(brandId, id, 'approved', note);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @ApiBody({ type: ReviewDecisionBodyDto, required: false })
  @ApiOperation({
    summary: 'Reject a held referral (ref_…) or held reward (rwd_…)',
    description:
      'One transaction: the referral becomes rejected (reason review_rejected; its later events ' +
      'earn nothing) and every reward of it not yet paid or in a payout batch is rejected, ' +
      'freeing its room in budgets; referral.rejected is sent. Rejecting again answers the ' +
      'same; an item not held answers 409.',
  })
  @ApiOkResponse({ type: ReviewDecisionDto })
  @ApiErrors('json-body', 404, [409, 'invalid_status_transition'])
  reject(
    @CurrentBrand() brandId: string,
    @Param('id') id: string,
    @ReviewNote() note: string | null,
  ): Promise<ReviewDecisionDto> {
    return this.decisions.decide(brandId, id, 'rejected', note);
  }
}
