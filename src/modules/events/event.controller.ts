import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentBrand } from '@/common/auth/principal';
import { RequireScopes } from '@/common/auth/scopes.decorator';
import { ApiErrors } from '@/common/errors/api-errors.decorator';
import { IDEMPOTENT_REPLAY_HEADER } from '@/common/openapi/headers';
import { BatchEventsDto, EventInputDto } from '@/modules/events/dto/event-input.dto';
import { BatchResultDto, EventResultDto } from '@/modules/events/dto/event-result.dto';
import { EventService } from '@/modules/events/event.service';

@ApiTags('Events')
@Controller('v1/events')
@RequireScopes('track')
export class EventController {
  constructor(private readonly events: EventService) {}

  @Post()
  @ApiOperation({
    summary: 'Send a conversion event (signup, purchase, custom, refund)',
    description:
      "Attributes the event (signed click id within the window → referral code → the friend's " +
      "existing referral), records the referral and gives every reward the program's rules grant, " +
      'once. The answer says what happened, or why nothing did. Sending the same id again returns ' +
      'the first answer with 200 and `Idempotent-Replay: true`; the same id with a different body ' +
      'answers 409 idempotency_conflict. One purchase per order: another purchase event naming ' +
      "an order already recorded answers 409 conflict (field order.id). A refund reverses the order's " +
      'unpaid rewards (percent rewards in proportion, fixed ones on a full refund) and claws back ' +
      'paid ones; a refund larger than what is left of its order answers 422 unprocessable (field ' +
      'order.amount) and records nothing.',
  })
  @ApiCreatedResponse({ type: EventResultDto, description: 'Recorded now' })
  @ApiOkResponse({
    type: EventResultDto,
    description: 'A retry: the first answer, unchanged',
    headers: IDEMPOTENT_REPLAY_HEADER,
  })
  @ApiErrors(
    'json-body',
    [409, 'idempotency_conflict (id), or conflict (order.id: the order has a purchase)'],
    [422, 'unprocessable (order.amount): a refund larger than what is left of the order'],
  )
  async track(
    @CurrentBrand() brandId: string,
    @Body() dto: EventInputDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EventResultDto> {
    const { replayed, result } = await this.events.track(brandId, dto, request.body);
    void reply.status(replayed ? 200 : 201);
    if (replayed) void reply.header('Idempotent-Replay', 'true');
    return result;
  }

  @Post('batch')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send up to 1,000 events',
    description:
      'Each event is validated and answered on its own (`results[i].status`: 201, 200 replay, ' +
      '400, 409, 422); a bad item never fails the others. Signups, purchases and custom events are ' +
      'recorded together, then refunds (a refund in the batch sees the purchases before it).',
  })
  @ApiOkResponse({ type: BatchResultDto })
  @ApiErrors('json-body', [400, 'events missing or over 1,000'])
  async batch(
    @CurrentBrand() brandId: string,
    @Body() dto: BatchEventsDto,
  ): Promise<BatchResultDto> {
    return { results: await this.events.trackBatch(brandId, dto.events) };
  }
}
