import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  MinLength,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { anyCase, INT64 } from '@/common/openapi/schema';
import {
  ADVOCATE_STATUSES,
  ADVOCATE_TIERS,
  type AdvocateStatus,
  type AdvocateTier,
  type SocialProfile,
} from '@/modules/advocates/advocate.entity';
import { CHANNELS, type Channel } from '@/modules/programs/cta.entity';

export const TAG_PATTERN = /^[a-z0-9][a-z0-9_-]{0,49}$/;
/** Length and count limits, shared by the decorators below and the CSV import's fast check. */
export const ADVOCATE_LIMITS = {
  externalId: 200,
  email: 320,
  name: 200,
  handle: 100,
  tags: 50,
  socialProfiles: 20,
} as const;
const TAG_ISSUE =
  'each tag must be 1-50 characters of a-z, 0-9, _ and -, starting with a letter or digit';

export const trim = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() : value;

/** Tags are case-insensitive: stored lower-cased, each once. */
export const normalizeTags = ({ value }: { value: unknown }) =>
  Array.isArray(value)
    ? [...new Set(value.map((v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : v)))]
    : value;

// The request's own list is held to the documented maxItems too: more than 50 items are refused
// even when their repeats would leave fewer (the OpenAPI document describes the request).
export const normalizeTagList = ({ value }: { value: unknown }) =>
  Array.isArray(value) && value.length > ADVOCATE_LIMITS.tags ? value : normalizeTags({ value });

/** Optional, but `null` is refused (unlike @IsOptional): for columns that cannot be empty. */
export const OptionalNotNull = () =>
  ValidateIf((_object: unknown, value: unknown) => value !== undefined);

export class SocialProfileDto {
  @ApiProperty({ enum: CHANNELS, example: 'instagram' })
  @IsIn(CHANNELS)
  channel: Channel;

  @ApiProperty({ example: '@alice.cooks', minLength: 1, maxLength: ADVOCATE_LIMITS.handle })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(ADVOCATE_LIMITS.handle)
  handle: string;

  @ApiPropertyOptional({ ...INT64, example: 12500, minimum: 0, maximum: Number.MAX_SAFE_INTEGER })
  @OptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  followers?: number;
}

/** The fields shared by create, update and each CSV row (one set of rules for all three). */
export class AdvocateFieldsDto {
  @ApiPropertyOptional({
    example: 'alice@example.com',
    maxLength: ADVOCATE_LIMITS.email,
    nullable: true,
    type: String,
    description: 'Used for self-referral detection (compared in a normalized form).',
  })
  @Transform(trim)
  @IsOptional()
  @IsString()
  @IsEmail({}, { message: 'must be a valid e-mail address' })
  @MaxLength(ADVOCATE_LIMITS.email)
  email?: string | null;

  @ApiPropertyOptional({
    example: 'Alice Martin',
    minLength: 1,
    maxLength: ADVOCATE_LIMITS.name,
    nullable: true,
    type: String,
  })
  @Transform(trim)
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(ADVOCATE_LIMITS.name)
  name?: string | null;

  @ApiPropertyOptional({ enum: ADVOCATE_TIERS })
  @OptionalNotNull()
  @IsIn(ADVOCATE_TIERS)
  tier?: AdvocateTier;

  @ApiPropertyOptional({ type: [SocialProfileDto], maxItems: ADVOCATE_LIMITS.socialProfiles })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(ADVOCATE_LIMITS.socialProfiles)
  // ValidateNested lets a list item through unchecked: `[[]]` would store an empty profile.
  @ValidateBy({
    name: 'isObjectItems',
    validator: {
      // A non-list is IsArray's to report, other non-objects ValidateNested's (once each).
      validate: (v: unknown) => !Array.isArray(v) || !v.some((i) => Array.isArray(i)),
      defaultMessage: () => 'each item must be an object with channel and handle',
    },
  })
  @ValidateNested({ each: true })
  @Type(() => SocialProfileDto)
  socialProfiles?: SocialProfileDto[];

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', pattern: anyCase(TAG_PATTERN) },
    maxItems: ADVOCATE_LIMITS.tags,
    example: ['vip', 'summer-2026'],
    description: `Lower-cased and de-duplicated; each then matches ${TAG_PATTERN.source}.`,
  })
  @Transform(normalizeTagList)
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(ADVOCATE_LIMITS.tags)
  @IsString({ each: true, message: TAG_ISSUE })
  @Matches(TAG_PATTERN, { each: true, message: TAG_ISSUE })
  tags?: string[];

  @ApiPropertyOptional({ enum: ADVOCATE_STATUSES })
  @OptionalNotNull()
  @IsIn(ADVOCATE_STATUSES)
  status?: AdvocateStatus;
}

/**
 * The defaults a create applies, documented on CreateAdvocateDto alone (redeclared for OpenAPI
 * only, the rules stay those above): a PATCH changes only the fields sent.
 */
class AdvocateDefaultsDto extends AdvocateFieldsDto {
  @ApiPropertyOptional({ enum: ADVOCATE_TIERS, default: 'customer' })
  declare tier?: AdvocateTier;

  @ApiPropertyOptional({ enum: ADVOCATE_STATUSES, default: 'active' })
  declare status?: AdvocateStatus;
}

export class CreateAdvocateDto extends AdvocateDefaultsDto {
  @ApiProperty({
    example: 'cust_48213',
    minLength: 1,
    maxLength: ADVOCATE_LIMITS.externalId,
    description: "The brand's own id for this customer; unique in the brand.",
  })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(ADVOCATE_LIMITS.externalId)
  externalId: string;
}

export class UpdateAdvocateDto extends AdvocateFieldsDto {
  @ApiPropertyOptional({
    example: 'cust_48213',
    minLength: 1,
    maxLength: ADVOCATE_LIMITS.externalId,
    description: 'May change; answers 409 when another advocate of the brand already has it.',
  })
  @Transform(trim)
  @OptionalNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(ADVOCATE_LIMITS.externalId)
  externalId?: string;
}

/** Plain JSON objects without undefined keys, as stored in the jsonb column. */
export function toSocialProfiles(profiles: SocialProfileDto[]): SocialProfile[] {
  return profiles.map((p) =>
    p.followers === undefined
      ? { channel: p.channel, handle: p.handle }
      : { channel: p.channel, handle: p.handle, followers: p.followers },
  );
}
