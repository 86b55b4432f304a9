import { ApiProperty } from '@nestjs/swagger';
import {
  ADVOCATE_STATUSES,
  ADVOCATE_TIERS,
  type AdvocateEntity,
  type AdvocateStatus,
  type AdvocateTier,
} from '@/modules/advocates/advocate.entity';
import { SocialProfileDto } from '@/modules/advocates/dto/advocate-input.dto';

export class AdvocateDto {
  @ApiProperty({ example: 'adv_4f9T2kQ8mZ1xYb7cD3eF' })
  id: string;

  @ApiProperty({ example: 'cust_48213' })
  externalId: string;

  @ApiProperty({ example: 'alice@example.com', nullable: true, type: String })
  email: string | null;

  @ApiProperty({ example: 'Alice Martin', nullable: true, type: String })
  name: string | null;

  @ApiProperty({ enum: ADVOCATE_TIERS })
  tier: AdvocateTier;

  @ApiProperty({ type: [SocialProfileDto] })
  socialProfiles: SocialProfileDto[];

  @ApiProperty({ type: [String], example: ['vip'] })
  tags: string[];

  @ApiProperty({ enum: ADVOCATE_STATUSES })
  status: AdvocateStatus;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class AdvocatePageDto {
  @ApiProperty({ type: [AdvocateDto] })
  data: AdvocateDto[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor: string | null;
}

export function toAdvocateDto(a: AdvocateEntity): AdvocateDto {
  return {
    id: a.id,
    externalId: a.externalId,
    email: a.email,
    name: a.name,
    tier: a.tier,
    socialProfiles: a.socialProfiles,
    tags: a.tags,
    status: a.status,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}
