import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { MAX_AMOUNT } from '@/common/money/money';
import { MONEY, TIMESTAMP_INPUT } from '@/common/openapi/schema';
import {
  IsAmount,
  IsCurrencyCode,
  IsTimestamp,
  SLUG_PATTERN,
} from '@/modules/programs/dto/validators';
import { TRIGGER_NAME_PATTERN } from '@/modules/programs/dto/reward-rule.dto';
import { EVENT_TYPES, EventType } from '@/modules/events/event.entity';
import { fastCheckEvent } from '@/modules/events/event-fast-check';

export const MAX_BATCH_EVENTS = 1000;
export const MAX_METADATA_BYTES = 8 * 1024;
/** Printable text: no control characters (ids end up in logs and CSV exports). */
const ID_PATTERN = /^[^\u0000-\u001f\u007f]+$/;
const ID_ISSUE = 'must be 1-200 characters without control characters';

const upperTrim = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim().toUpperCase() : value;
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

const IsSmallJsonObject = () =>
  ValidateBy({
    name: 'isSmallJsonObject',
    validator: {
      validate: (v: unknown) =>
        typeof v === 'object' &&
        v !== null &&
        !Array.isArray(v) &&
        Buffer.byteLength(JSON.stringify(v)) <= MAX_METADATA_BYTES,
      defaultMessage: () => `must be a JSON object of at most ${MAX_METADATA_BYTES} bytes`,
    },
  });

export class EventCustomerDto {
  @ApiProperty({
    example: 'cust_9001',
    minLength: 1,
    maxLength: 200,
    pattern: ID_PATTERN.source,
    description: "The brand's own id for the friend; customers are kept per brand by it",
  })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(ID_PATTERN, { message: ID_ISSUE })
  id: string;

  @ApiPropertyOptional({
    example: 'jane.doe+shop@gmail.com',
    maxLength: 320,
    description:
      'Matched (normalised: case, gmail dots and +tags) against the advocate to refuse ' +
      'self-referrals; stored only in that normalised form, never logged',
  })
  @Transform(trim)
  @IsOptional()
  @IsString()
  @IsEmail({}, { message: 'must be a valid e-mail address' })
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({
    description:
      'Whether the brand considers the customer new (newCustomersOnly rules). Omitted: new when ' +
      'Tandem had not seen this customer id before the referral',
  })
  @IsOptional()
  @IsBoolean()
  isNew?: boolean;
}

export class EventOrderDto {
  @ApiProperty({
    example: 'ord_1042',
    minLength: 1,
    maxLength: 200,
    pattern: ID_PATTERN.source,
    description: 'Refunds name it',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(ID_PATTERN, { message: ID_ISSUE })
  id: string;

  @ApiProperty({
    ...MONEY,
    example: 12900,
    minimum: 0,
    maximum: MAX_AMOUNT,
    description: 'Minor units. For a refund: the amount refunded this time (at least 1)',
  })
  @IsAmount(0)
  amount: number;

  @ApiProperty({ example: 'USD' })
  @IsCurrencyCode()
  currency: string;
}

export class EventInputDto {
  /** The hot path of POST /v1/events skips class-validator for the usual shape. */
  static readonly fastCheck = (value: unknown): EventInputDto | null => fastCheckEvent(value);

  @ApiProperty({
    example: 'order-1042-paid',
    minLength: 1,
    maxLength: 200,
    pattern: ID_PATTERN.source,
    description:
      "The brand's event id: sending it again returns the first answer (200, header " +
      'Idempotent-Replay: true); the same id with another body answers 409 idempotency_conflict',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(ID_PATTERN, { message: ID_ISSUE })
  id: string;

  @ApiProperty({ enum: EVENT_TYPES })
  @IsIn(EVENT_TYPES)
  type: EventType;

  @ApiPropertyOptional({
    example: 'trial_started',
    pattern: TRIGGER_NAME_PATTERN.source,
    description: 'The custom event name: required for type custom, refused otherwise',
  })
  @IsOptional()
  @IsString()
  @Matches(TRIGGER_NAME_PATTERN, { message: 'must be 1-64 characters among a-z, 0-9, _ . : -' })
  name?: string;

  @ApiProperty({
    ...TIMESTAMP_INPUT,
    example: '2026-05-10T14:03:00Z',
    description:
      'When it happened: ISO-8601 with a zone, or a date (its midnight UTC); hold periods and windows count from it',
  })
  @IsTimestamp()
  occurredAt: string;

  @ApiPropertyOptional({
    type: EventCustomerDto,
    description: 'The friend; required except for refunds',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => EventCustomerDto)
  customer?: EventCustomerDto;

  @ApiPropertyOptional({ type: EventOrderDto, description: 'Required for purchase and refund' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => EventOrderDto)
  order?: EventOrderDto;

  @ApiPropertyOptional({
    example: 'AQGT...',
    maxLength: 500,
    description: 'The `tclid` the tracked link added to the landing URL',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  clickId?: string;

  @ApiPropertyOptional({
    example: 'JANE-SUMMER',
    minLength: 1,
    maxLength: 64,
    description: 'A referral code typed at checkout (case-insensitive)',
  })
  @Transform(upperTrim)
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  code?: string;

  @ApiPropertyOptional({
    example: 'ig-story',
    pattern: SLUG_PATTERN.source,
    description:
      "With a code: the CTA it came through, when the brand knows it. A key the code's program " +
      'does not have is ignored (the code still counts): attribution.ctaKey and channel are null',
  })
  @IsOptional()
  @IsString()
  @Matches(SLUG_PATTERN, { message: 'must be a CTA key' })
  ctaKey?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: `Kept with the event, at most ${MAX_METADATA_BYTES} bytes of JSON`,
  })
  @IsOptional()
  @IsSmallJsonObject()
  metadata?: Record<string, unknown>;
}

export class BatchEventsDto {
  @ApiProperty({
    type: [EventInputDto],
    minItems: 1,
    maxItems: MAX_BATCH_EVENTS,
    description: 'Each item is validated and answered on its own',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH_EVENTS)
  events: unknown[];
}
