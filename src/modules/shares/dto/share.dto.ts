import { ApiProperty } from '@nestjs/swagger';
import { INT64 } from '@/common/openapi/schema';
import { CHANNELS } from '@/modules/programs/cta.entity';
import type { Channel } from '@/modules/programs/cta.entity';
import type { ShareRow } from '@/modules/shares/share.repository';

export class ShareDto {
  @ApiProperty({ example: 'shr_2bQ7xT9mK4pL6nR8sV0w' })
  id: string;

  @ApiProperty({ example: 'prg_8Hk2LmN4pQ6rS8tU0vWx' })
  programId: string;

  @ApiProperty({ example: 'adv_4f9T2kQ8mZ1xYb7cD3eF' })
  advocateId: string;

  @ApiProperty({ example: 'ig-story' })
  ctaKey: string;

  @ApiProperty({ enum: CHANNELS, example: 'instagram' })
  channel: Channel;

  @ApiProperty({
    nullable: true,
    type: String,
    example: 'https://www.instagram.com/p/C7xYz12AbCd/',
  })
  postUrl: string | null;

  @ApiProperty({ nullable: true, ...INT64, example: 1840 })
  reach: number | null;

  @ApiProperty({ nullable: true, ...INT64, example: 5230 })
  impressions: number | null;

  @ApiProperty({ format: 'date-time' })
  sharedAt: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class SharePageDto {
  @ApiProperty({ type: [ShareDto] })
  data: ShareDto[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor: string | null;
}

export function toShareDto(s: ShareRow): ShareDto {
  return {
    id: s.id,
    programId: s.programId,
    advocateId: s.advocateId,
    ctaKey: s.ctaKey,
    channel: s.channel,
    postUrl: s.postUrl,
    reach: s.reach,
    impressions: s.impressions,
    sharedAt: s.sharedAt.toISOString(),
    createdAt: s.createdAt.toISOString(),
  };
}
