import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '@/common/pagination/pagination';

export const REVIEW_TYPES = ['referral', 'reward'] as const;
export type ReviewType = (typeof REVIEW_TYPES)[number];

export class ListReviewsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: REVIEW_TYPES,
    description: 'referral: rejected referrals (self-referral…); reward: rewards held for review',
  })
  @IsOptional()
  @IsIn(REVIEW_TYPES)
  type?: ReviewType;
}

export class ReviewRewardDto {
  @ApiProperty({ enum: ['advocate', 'friend'] })
  recipient: string;

  @ApiProperty()
  kind: string;

  @ApiProperty({ type: Number, nullable: true })
  amount: number | null;

  @ApiProperty({ type: String, nullable: true })
  currency: string | null;
}

export class ReviewItemDto {
  @ApiProperty({ enum: REVIEW_TYPES })
  type: ReviewType;

  @ApiProperty({ description: 'The referral (ref_…) or reward (rwd_…) id' })
  id: string;

  @ApiProperty({ example: 'rejected', description: 'referral: rejected; reward: held' })
  status: string;

  @ApiProperty({ example: 'self_referral', type: String, nullable: true })
  reason: string | null;

  @ApiProperty()
  programId: string;

  @ApiProperty()
  advocateId: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: "The friend, as the brand's customer id",
  })
  customerId: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The event that was flagged (evt_…)' })
  eventId: string | null;

  @ApiPropertyOptional({ type: ReviewRewardDto, description: 'For a held reward' })
  reward?: ReviewRewardDto;

  @ApiProperty({ format: 'date-time', description: 'When it was flagged' })
  flaggedAt: string;
}

export class ReviewPageDto {
  @ApiProperty({ type: [ReviewItemDto] })
  data: ReviewItemDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}
