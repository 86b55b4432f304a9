import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentBrand } from '@/common/auth/principal';
import { RequireScopes } from '@/common/auth/scopes.decorator';
import { pageLimit } from '@/common/pagination/pagination';
import { ListReviewsQueryDto, ReviewPageDto } from '@/modules/reviews/dto/review.dto';
import { ReviewService } from '@/modules/reviews/review.service';

@ApiTags('Rewards')
@Controller('v1/reviews')
@RequireScopes('admin')
export class ReviewController {
  constructor(private readonly reviews: ReviewService) {}

  @Get()
  @ApiOperation({
    summary: 'Referrals and rewards flagged for review, with the reasons',
    description:
      'Rejected referrals (self_referral: the friend is the advocate by customer id or ' +
      'normalised e-mail) and held rewards (advocate_paused…), newest first. Decide a held ' +
      'reward with POST /v1/rewards/:id/approve or /reject.',
  })
  @ApiOkResponse({ type: ReviewPageDto })
  list(@CurrentBrand() brandId: string, @Query() q: ListReviewsQueryDto) {
    return this.reviews.list(brandId, q.type, pageLimit(q), q.cursor);
  }
}
