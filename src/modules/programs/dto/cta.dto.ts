import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { PageQueryDto } from '@/common/pagination/pagination';
import {
  CHANNELS,
  Channel,
  CTA_ACTIONS,
  CTA_STATUSES,
  CtaAction,
  CtaEntity,
  CtaStatus,
} from '@/modules/programs/cta.entity';
import { MoneyDto } from '@/modules/programs/dto/money.dto';
import {
  IsHttpUrl,
  IsOptionalNotNull,
  IsText,
  MAX_URL_LENGTH,
  NestedObject,
  SLUG_PATTERN,
} from '@/modules/programs/dto/validators';
import { ProgramEntity } from '@/modules/programs/program.entity';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const KEY_ISSUE =
  'must be 1-63 lower-case letters, digits or hyphens, starting with a letter or digit';
const STATUS_DOC =
  '`archived` retires the CTA: its links still redirect (the friend never hits a dead end) but ' +
  'count no click and carry no tracking parameters, shares are no longer recorded for it, and ' +
  'enrollments no longer list its link. `active` brings it back, links included. Events, ' +
  'rewards and KPIs already recorded keep it.';
const VALUE_DOC =
  'What one completion is worth to the brand (a signup, a follow…), in minor units of the ' +
  'program currency; used for conversion value where there is no order amount. Default 0.';

class CtaFieldsDto {
  @ApiPropertyOptional({ type: MoneyDto, description: VALUE_DOC })
  @IsOptionalNotNull()
  @NestedObject(() => MoneyDto)
  value?: MoneyDto;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: MAX_URL_LENGTH,
    example: 'https://shop.example.com/spring?src=ig',
    description: "Overrides the program's landing URL for this CTA; null: use the program's",
  })
  @IsOptional()
  @IsHttpUrl()
  landingUrl?: string | null;
}

export class CreateCtaDto extends CtaFieldsDto {
  @ApiProperty({
    example: 'ig-story',
    pattern: SLUG_PATTERN.source,
    description: 'Unique in the program, sent as utm_content; cannot change later',
  })
  @Matches(SLUG_PATTERN, { message: KEY_ISSUE })
  key: string;

  @ApiProperty({ enum: CHANNELS })
  @IsIn(CHANNELS)
  channel: Channel;

  @ApiProperty({ enum: CTA_ACTIONS, description: 'What the friend is asked to do' })
  @IsIn(CTA_ACTIONS)
  action: CtaAction;

  @ApiProperty({ example: 'Share on your Instagram story', minLength: 1, maxLength: 200 })
  @Transform(trim)
  @IsText(1, 200)
  label: string;
}

export class UpdateCtaDto extends CtaFieldsDto {
  @ApiPropertyOptional({
    pattern: SLUG_PATTERN.source,
    description:
      'Immutable: issued links carry it as utm_content. Accepted only when equal to the current key.',
  })
  @IsOptionalNotNull()
  @Matches(SLUG_PATTERN, { message: KEY_ISSUE })
  key?: string;

  @ApiPropertyOptional({ enum: CHANNELS })
  @IsOptionalNotNull()
  @IsIn(CHANNELS)
  channel?: Channel;

  @ApiPropertyOptional({ enum: CTA_ACTIONS })
  @IsOptionalNotNull()
  @IsIn(CTA_ACTIONS)
  action?: CtaAction;

  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @Transform(trim)
  @IsOptionalNotNull()
  @IsText(1, 200)
  label?: string;

  @ApiPropertyOptional({ enum: CTA_STATUSES, description: STATUS_DOC })
  @IsOptionalNotNull()
  @IsIn(CTA_STATUSES)
  status?: CtaStatus;
}

export class CtaDto {
  @ApiProperty({ example: 'cta_4f9T2kQ8mZ1xYb7cD3eF' })
  id: string;

  @ApiProperty({ example: 'prg_4f9T2kQ8mZ1xYb7cD3eF' })
  programId: string;

  @ApiProperty({ example: 'ig-story' })
  key: string;

  @ApiProperty({ enum: CHANNELS })
  channel: Channel;

  @ApiProperty({ enum: CTA_ACTIONS })
  action: CtaAction;

  @ApiProperty()
  label: string;

  @ApiProperty({ type: MoneyDto, description: VALUE_DOC })
  value: MoneyDto;

  @ApiProperty({ type: String, nullable: true, description: 'The override, if any' })
  landingUrl: string | null;

  @ApiProperty({ description: "Where this CTA's links send visitors: landingUrl or the program's" })
  effectiveLandingUrl: string;

  @ApiProperty({ enum: CTA_STATUSES, description: STATUS_DOC })
  status: CtaStatus;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class ListCtasQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: CTA_STATUSES, description: 'Only CTAs with this status' })
  @IsOptional()
  @IsIn(CTA_STATUSES)
  status?: CtaStatus;
}

export class CtaPageDto {
  @ApiProperty({ type: [CtaDto] })
  data: CtaDto[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor: string | null;
}

export function toCtaDto(
  c: CtaEntity,
  program: Pick<ProgramEntity, 'currency' | 'landingUrl'>,
): CtaDto {
  return {
    id: c.id,
    programId: c.programId,
    key: c.key,
    channel: c.channel,
    action: c.action,
    label: c.label,
    value: { amount: c.valueAmount, currency: program.currency },
    landingUrl: c.landingUrl,
    effectiveLandingUrl: c.landingUrl ?? program.landingUrl,
    status: c.status,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}
