import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { MAX_AUDIENCE } from '@/common/money/money';
import { INT64, TIMESTAMP_INPUT } from '@/common/openapi/schema';
import { CHANNELS } from '@/modules/programs/cta.entity';
import { IsOptionalNotNull, IsTimestamp } from '@/modules/programs/dto/validators';
import type { Channel } from '@/modules/programs/cta.entity';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** Who shared (advocateId + programId, or their code) and what (ctaKey, or the channel). */
export class CreateShareDto {
  @ApiPropertyOptional({
    example: 'adv_4f9T2kQ8mZ1xYb7cD3eF',
    maxLength: 64,
    description: 'The advocate who shared; send this with `programId`, or send `code` instead.',
  })
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(64)
  advocateId?: string;

  @ApiPropertyOptional({
    example: 'ANNA2026',
    minLength: 1,
    maxLength: 64,
    description:
      "The advocate's referral code (case-insensitive); it implies the program. Send this or `advocateId`.",
  })
  @IsOptionalNotNull()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  code?: string;

  @ApiPropertyOptional({
    example: 'prg_8Hk2LmN4pQ6rS8tU0vWx',
    maxLength: 64,
    description:
      "Required with `advocateId`; with `code` it must match the code's program if sent.",
  })
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(64)
  programId?: string;

  @ApiPropertyOptional({
    example: 'ig-story',
    minLength: 1,
    maxLength: 64,
    description: 'The CTA that was shared. Send this or `channel`.',
  })
  @IsOptionalNotNull()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  ctaKey?: string;

  @ApiPropertyOptional({
    enum: CHANNELS,
    example: 'instagram',
    description: "Instead of `ctaKey`: the program's only CTA on this channel.",
  })
  @IsOptionalNotNull()
  @IsIn(CHANNELS)
  channel?: Channel;

  @ApiPropertyOptional({
    example: 'https://www.instagram.com/p/C7xYz12AbCd/',
    maxLength: 2000,
    description: 'The post, if known (http or https).',
  })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true })
  @MaxLength(2000)
  postUrl?: string;

  @ApiPropertyOptional({
    ...INT64,
    example: 1840,
    minimum: 0,
    maximum: MAX_AUDIENCE,
    description: 'Reported reach of the post (people).',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_AUDIENCE)
  reach?: number;

  @ApiPropertyOptional({
    ...INT64,
    example: 5230,
    minimum: 0,
    maximum: MAX_AUDIENCE,
    description: 'Reported impressions of the post.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_AUDIENCE)
  impressions?: number;

  @ApiPropertyOptional({
    ...TIMESTAMP_INPUT,
    example: '2026-11-23T18:04:00Z',
    description:
      'When the post went out; defaults to now. ISO 8601 with a time zone (`Z`, `+02:00`) or a ' +
      'date (midnight UTC); a time without a zone is refused. At most 5 minutes in the future, ' +
      'not before 2000-01-01, inside the program schedule.',
  })
  @IsOptional()
  @IsTimestamp()
  sharedAt?: string;
}
