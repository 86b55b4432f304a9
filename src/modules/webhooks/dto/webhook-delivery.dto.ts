import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { INTEGER } from '@/common/openapi/schema';
import { PageQueryDto } from '@/common/pagination/pagination';
import { DELIVERY_STATUSES, DeliveryStatus } from '@/modules/webhooks/webhook-delivery.entity';
import { WEBHOOK_EVENT_TYPES, WebhookEventType } from '@/modules/webhooks/webhook-event-types';

export class ListDeliveriesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;

  @ApiPropertyOptional({ enum: WEBHOOK_EVENT_TYPES })
  @IsOptional()
  @IsIn(WEBHOOK_EVENT_TYPES)
  eventType?: WebhookEventType;
}

export class WebhookAttemptDto {
  @ApiProperty({ ...INTEGER, example: 1, description: '1 for the first attempt' })
  attempt: number;

  @ApiProperty({ format: 'date-time' })
  startedAt: string;

  @ApiProperty({ ...INTEGER, example: 84 })
  durationMs: number;

  @ApiProperty({ ...INTEGER, nullable: true, example: 500, description: 'null: no answer' })
  statusCode: number | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: "The first 1,000 characters of the receiver's answer",
  })
  responseExcerpt: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'timeout after 10000 ms',
    description: 'Why the attempt failed (also for a non-2xx answer)',
  })
  error: string | null;

  @ApiProperty()
  success: boolean;
}

export class WebhookDeliveryDto {
  @ApiProperty({ example: 'dlv_3f9a0c1b2d4e5f6a7b8c' })
  id: string;

  @ApiProperty()
  endpointId: string;

  @ApiProperty({ example: 'wev_4f9T2kQ8mZ1xYb7cD3eF', description: 'The Tandem-Event-Id header' })
  eventId: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES })
  eventType: WebhookEventType;

  @ApiProperty({
    enum: DELIVERY_STATUSES,
    description:
      'pending (not yet delivered, retrying), delivered (a 2xx answer), failed (gave up)',
  })
  status: DeliveryStatus;

  @ApiProperty({ ...INTEGER })
  attemptCount: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When pending' })
  nextAttemptAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  deliveredAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  failedAt: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: [WebhookAttemptDto], description: 'Every attempt, oldest first' })
  attempts: WebhookAttemptDto[];
}

export class WebhookDeliveryDetailDto extends WebhookDeliveryDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The body sent: {id, type, createdAt, data}',
  })
  body: Record<string, unknown>;
}

export class WebhookDeliveryPageDto {
  @ApiProperty({ type: [WebhookDeliveryDto] })
  data: WebhookDeliveryDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}
