import { Module } from '@nestjs/common';
import { ReviewController } from '@/modules/reviews/review.controller';
import { ReviewRepository } from '@/modules/reviews/review.repository';
import { ReviewService } from '@/modules/reviews/review.service';

@Module({
  controllers: [ReviewController],
  providers: [ReviewRepository, ReviewService],
})
export class ReviewsModule {}
