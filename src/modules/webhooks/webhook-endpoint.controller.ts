import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentBrand } from '@/common/auth/principal';
import { RequireScopes } from '@/common/auth/scopes.decorator';
import { ApiErrors } from '@/common/errors/api-errors.decorator';
import { pageLimit } from '@/common/pagination/pagination';
import {
  ListDeliveriesQueryDto,
  WebhookDeliveryDetailDto,
  WebhookDeliveryPageDto,
} from '@/modules/webhooks/dto/webhook-delivery.dto';
import {
  CreateWebhookEndpointDto,
  ListWebhookEndpointsQueryDto,
  UpdateWebhookEndpointDto,
  UpdatedWebhookEndpointDto,
  WebhookEndpointDto,
  WebhookEndpointPageDto,
  WebhookEndpointWithSecretDto,
} from '@/modules/webhooks/dto/webhook-endpoint.dto';
import { WebhookDeliveryService } from '@/modules/webhooks/webhook-delivery.service';
import { WebhookEndpointService } from '@/modules/webhooks/webhook-endpoint.service';
import { WEBHOOK_EVENT_TYPES } from '@/modules/webhooks/webhook-event-types';

const SIGNING =
  'Each delivery is a POST of `{"id", "type", "createdAt", "data"}` with the headers ' +
  '`Tandem-Event-Id` (de-duplicate by it: delivery is at least once), `Tandem-Event-Type`, ' +
  '`Tandem-Delivery-Id`, `Tandem-Attempt` and `Tandem-Signature: t=<unix seconds>,v1=<hex ' +
  'HMAC-SHA256 of "<t>.<raw body>" under the endpoint secret>`. Answer 2xx within ' +
  'WEBHOOKS_TIMEOUT_MS; anything else is retried with exponential backoff for ' +
  'WEBHOOKS_RETRY_WINDOW_MS (24 h), then the delivery fails. Events: ' +
  WEBHOOK_EVENT_TYPES.join(', ') +
  '.';

@ApiTags('Webhooks')
@ApiExtraModels(WebhookEndpointWithSecretDto)
@Controller('v1/webhook-endpoints')
@RequireScopes('admin')
export class WebhookEndpointController {
  constructor(
    private readonly endpoints: WebhookEndpointService,
    private readonly deliveries: WebhookDeliveryService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Add a webhook endpoint (its secret is in this answer only)',
    description: SIGNING,
  })
  @ApiCreatedResponse({ type: WebhookEndpointWithSecretDto })
  @ApiErrors('json-body')
  create(
    @CurrentBrand() brandId: string,
    @Body() dto: CreateWebhookEndpointDto,
  ): Promise<WebhookEndpointWithSecretDto> {
    return this.endpoints.create(brandId, dto);
  }

  @Get()
  @ApiOperation({ summary: "List the brand's webhook endpoints (newest first)" })
  @ApiOkResponse({ type: WebhookEndpointPageDto })
  @ApiErrors(400)
  list(@CurrentBrand() brandId: string, @Query() q: ListWebhookEndpointsQueryDto) {
    return this.endpoints.list(brandId, pageLimit(q), q.cursor);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a webhook endpoint' })
  @ApiOkResponse({ type: WebhookEndpointDto })
  @ApiErrors(400, 404)
  get(@CurrentBrand() brandId: string, @Param('id') id: string): Promise<WebhookEndpointDto> {
    return this.endpoints.get(brandId, id);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change a webhook endpoint: URL, event types, description, enabled; rotate its secret',
    description:
      'Only the fields sent change. Disabling stops deliveries (pending ones wait, new events ' +
      'are not queued for it); enabling resumes them and clears the failure count. ' +
      '`rotateSecret: true` answers with the new `secret`, once; the old one stops at once.',
  })
  @ApiOkResponse({ type: UpdatedWebhookEndpointDto, description: '`secret` only when rotated' })
  @ApiErrors('json-body', 404)
  update(
    @CurrentBrand() brandId: string,
    @Param('id') id: string,
    @Body() dto: UpdateWebhookEndpointDto,
  ): Promise<UpdatedWebhookEndpointDto> {
    return this.endpoints.update(brandId, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook endpoint with its deliveries' })
  @ApiNoContentResponse()
  @ApiErrors(400, 404)
  delete(@CurrentBrand() brandId: string, @Param('id') id: string): Promise<void> {
    return this.endpoints.delete(brandId, id);
  }

  @Get(':id/deliveries')
  @ApiOperation({
    summary: "An endpoint's deliveries (newest first) with every attempt and its answer",
  })
  @ApiOkResponse({ type: WebhookDeliveryPageDto })
  @ApiErrors(400, 404)
  listDeliveries(
    @CurrentBrand() brandId: string,
    @Param('id') id: string,
    @Query() q: ListDeliveriesQueryDto,
  ) {
    return this.deliveries.list(brandId, id, q, pageLimit(q));
  }

  @Get(':id/deliveries/:deliveryId')
  @ApiOperation({ summary: 'One delivery with its attempts and the body sent' })
  @ApiOkResponse({ type: WebhookDeliveryDetailDto })
  @ApiErrors(400, 404)
  getDelivery(
    @CurrentBrand() brandId: string,
    @Param('id') id: string,
    @Param('deliveryId') deliveryId: string,
  ): Promise<WebhookDeliveryDetailDto> {
    return this.deliveries.get(brandId, id, deliveryId);
  }

  @Post(':id/deliveries/:deliveryId/retry')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a delivery again',
    description:
      'Queued at once and sent by the next dispatcher run: one more attempt for a delivered ' +
      'or failed delivery, an earlier attempt for a pending one. Same event id and body, a new ' +
      'signature. 409 when the endpoint is disabled or the delivery is being sent right now.',
  })
  @ApiAcceptedResponse({ type: WebhookDeliveryDetailDto })
  @ApiErrors(400, 404, [409, 'The endpoint is disabled, or the delivery is being sent'])
  retry(
    @CurrentBrand() brandId: string,
    @Param('id') id: string,
    @Param('deliveryId') deliveryId: string,
  ): Promise<WebhookDeliveryDetailDto> {
    return this.deliveries.retry(brandId, id, deliveryId);
  }
}
