import { Module } from '@nestjs/common';
import { ReviewController } from '@/modules/reviews/review.controller';
import { ReviewDecisionRepository } from '@/modules/reviews/review-decision.repository';
import { ReviewDecisionService } from '@/modules/reviews/review-decision.service';
import { ReviewRepository } from '@/modules/reviews/review.repository';
import { ReviewService } from '@/modules/reviews/review.service';

/** The review queue (GET /v1/reviews) and its decisions (approve / reject). */
@Module({
  controllers: [ReviewController],
  providers: [ReviewRepository, ReviewService, ReviewDecisionRepository, ReviewDecisionService],
})
export class ReviewsModule {}
