import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  ValidateIf,
} from 'class-validator';
import { INTEGER } from '@/common/openapi/schema';
import { PageQueryDto } from '@/common/pagination/pagination';
import { IsOptionalNotNull, IsText } from '@/modules/programs/dto/validators';
import { DISABLED_REASONS, DisabledReason } from '@/modules/webhooks/webhook-endpoint.entity';
import { WEBHOOK_EVENT_TYPES, WebhookEventType } from '@/modules/webhooks/webhook-event-types';
import { MAX_WEBHOOK_URL_LENGTH } from '@/modules/webhooks/webhook-url';

export class CreateWebhookEndpointDto {
  @ApiProperty({
    example: 'https://shop.example.com/tandem/webhooks',
    minLength: 1,
    maxLength: MAX_WEBHOOK_URL_LENGTH,
    description:
      'https only (http://localhost, 127.0.0.1 or [::1] when the server sets ' +
      'WEBHOOKS_ALLOW_HTTP_LOCALHOST=true); no credentials or fragment; private network ' +
      'addresses only when the server sets WEBHOOKS_ALLOW_PRIVATE_NETWORKS=true',
  })
  @IsText(1, MAX_WEBHOOK_URL_LENGTH)
  url: string;

  @ApiProperty({
    enum: WEBHOOK_EVENT_TYPES,
    isArray: true,
    minItems: 1,
    maxItems: WEBHOOK_EVENT_TYPES.length,
    uniqueItems: true,
    example: ['reward.created', 'reward.approved'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  eventTypes: WebhookEventType[];

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 500 })
  @IsOptional()
  @IsText(0, 500)
  description?: string | null;

  @ApiPropertyOptional({ default: true })
  @IsOptionalNotNull()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdateWebhookEndpointDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: MAX_WEBHOOK_URL_LENGTH })
  @IsOptionalNotNull()
  @IsText(1, MAX_WEBHOOK_URL_LENGTH)
  url?: string;

  @ApiPropertyOptional({
    enum: WEBHOOK_EVENT_TYPES,
    isArray: true,
    minItems: 1,
    maxItems: WEBHOOK_EVENT_TYPES.length,
    uniqueItems: true,
  })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  eventTypes?: WebhookEventType[];

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 500 })
  @ValidateIf((_o: object, v: unknown) => v !== undefined && v !== null)
  @IsText(0, 500)
  description?: string | null;

  @ApiPropertyOptional({
    description:
      'false stops deliveries (pending ones wait); true resumes them and clears the failure count',
  })
  @IsOptionalNotNull()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    description: 'true: a new secret replaces the old one at once and is in this answer, once',
  })
  @IsOptionalNotNull()
  @IsBoolean()
  rotateSecret?: boolean;
}

export class WebhookEndpointDto {
  @ApiProperty({ example: 'whe_4f9T2kQ8mZ1xYb7cD3eF' })
  id: string;

  @ApiProperty()
  url: string;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true })
  eventTypes: WebhookEventType[];

  @ApiProperty()
  enabled: boolean;

  @ApiProperty({
    enum: DISABLED_REASONS,
    nullable: true,
    description:
      'manual: by PATCH; failing: after WEBHOOKS_DISABLE_AFTER_FAILURES failed deliveries',
  })
  disabledReason: DisabledReason | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  disabledAt: string | null;

  @ApiProperty({
    ...INTEGER,
    description: 'Deliveries failed for good since the last successful attempt',
  })
  consecutiveFailures: number;

  @ApiProperty({ example: 'whsec_…x9Qa', description: 'The last characters of the secret' })
  secretHint: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class WebhookEndpointWithSecretDto extends WebhookEndpointDto {
  @ApiProperty({
    example: 'whsec_3q2u…',
    description: 'The signing secret, shown this once: store it to verify Tandem-Signature',
  })
  secret: string;
}

/** A PATCH answer: the secret only when `rotateSecret: true` made a new one. */
export class UpdatedWebhookEndpointDto extends WebhookEndpointDto {
  @ApiPropertyOptional({
    example: 'whsec_3q2u…',
    description:
      'Only when `rotateSecret: true`: the new signing secret, shown this once (the old one stops at once)',
  })
  secret?: string;
}

export class WebhookEndpointPageDto {
  @ApiProperty({ type: [WebhookEndpointDto] })
  data: WebhookEndpointDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

export class ListWebhookEndpointsQueryDto extends PageQueryDto {}
