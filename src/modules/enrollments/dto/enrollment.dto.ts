import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '@/common/pagination/pagination';
import { anyCase, INTEGER } from '@/common/openapi/schema';
import { CHANNELS, CTA_STATUSES, type CtaStatus } from '@/modules/programs/cta.entity';
import { IsOptionalNotNull } from '@/modules/programs/dto/validators';

/** A vanity code as stored (upper-cased first: case-insensitive). */
const VANITY_CODE = /^[A-Z0-9-]{4,32}$/;

export class CreateEnrollmentDto {
  @ApiProperty({ example: 'adv_4f9T2kQ8mZ1xYb7cD3eF', maxLength: 64 })
  @IsString()
  @MaxLength(64)
  advocateId: string;

  @ApiPropertyOptional({
    example: 'JANE-SUMMER',
    pattern: anyCase(VANITY_CODE),
    description:
      'Vanity code: 4-32 of A-Z, 0-9 and "-", case-insensitive (stored upper-case), unique in the brand. ' +
      'Omitted: an 8-character code without 0/O/1/I/L is generated.',
  })
  @IsOptionalNotNull()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toUpperCase() : value))
  @IsString()
  @Matches(VANITY_CODE, { message: 'must be 4-32 characters of A-Z, 0-9 and -' })
  code?: string;
}

export class LinkDto {
  @ApiProperty({ example: 'lnk_Q2w3E4r5T6y7U8i9O0pA' })
  id: string;

  @ApiProperty()
  programId: string;

  @ApiProperty()
  ctaId: string;

  @ApiProperty({ example: 'ig-story' })
  ctaKey: string;

  @ApiProperty({
    enum: CTA_STATUSES,
    description:
      "The CTA's status: an `archived` CTA's link redirects without tracking and counts no click",
  })
  ctaStatus: CtaStatus;

  @ApiProperty({ enum: CHANNELS })
  channel: string;

  @ApiProperty({ example: 'K7M2XQ9P' })
  code: string;

  @ApiProperty({ example: 'aZ3kP9qL2m' })
  slug: string;

  @ApiProperty({
    example: 'https://go.example.com/r/aZ3kP9qL2m',
    description: 'The tracked link to share',
  })
  url: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class LinkWithStatsDto extends LinkDto {
  @ApiProperty({ ...INTEGER, description: 'Non-bot clicks' })
  clicks: number;

  @ApiProperty({ ...INTEGER, description: 'Distinct visitors among non-bot clicks' })
  uniqueVisitors: number;

  @ApiProperty({ ...INTEGER, description: "Shares the advocate reported for this link's CTA" })
  shares: number;
}

export class LinkListDto {
  @ApiProperty({ type: [LinkWithStatsDto] })
  data: LinkWithStatsDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last',
  })
  nextCursor: string | null;
}

export class EnrollmentDto {
  @ApiProperty({ example: 'enr_Z9x8C7v6B5n4M3l2K1j0' })
  id: string;

  @ApiProperty()
  programId: string;

  @ApiProperty()
  advocateId: string;

  @ApiProperty({
    example: 'K7M2XQ9P',
    description: 'Referral code the friend can type at checkout',
  })
  code: string;

  @ApiProperty({ description: 'True when the brand chose the code' })
  vanity: boolean;

  @ApiProperty({
    type: [LinkDto],
    description:
      'One tracked link per active CTA of the program (archived CTAs: in the advocate links list)',
  })
  links: LinkDto[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class EnrollmentPageDto {
  @ApiProperty({ type: [EnrollmentDto] })
  data: EnrollmentDto[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor: string | null;
}

export class ListLinksQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ maxLength: 64, description: 'Only the links of this program' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  programId?: string;
}

export class ListEnrollmentsQueryDto extends PageQueryDto {}
