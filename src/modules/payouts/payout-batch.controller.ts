import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Logger,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { CurrentBrand } from '@/common/auth/principal';
import { RequireScopes } from '@/common/auth/scopes.decorator';
import { loggableError } from '@/common/errors/all-exceptions.filter';
import { ApiErrors } from '@/common/errors/api-errors.decorator';
import { contentDisposition, IDEMPOTENT_REPLAY_HEADER } from '@/common/openapi/headers';
import { OptionalBody } from '@/common/http/optional-body.decorator';
import { pageLimit } from '@/common/pagination/pagination';
import { CreatePayoutBatchDto } from '@/modules/payouts/dto/create-payout-batch.dto';
import { ExportPayoutBatchQueryDto } from '@/modules/payouts/dto/export-query.dto';
import { ListPayoutBatchesQueryDto } from '@/modules/payouts/dto/list-payout-batches.dto';
import { MarkPaidDto } from '@/modules/payouts/dto/mark-paid.dto';
import { PayoutBatchDto, PayoutBatchPageDto } from '@/modules/payouts/dto/payout-batch.dto';
import { PayoutBatchLifecycleService } from '@/modules/payouts/payout-batch-lifecycle.service';
import {
  checkIdempotencyKey,
  IDEMPOTENCY_KEY_HEADER,
  PayoutBatchService,
  toPayoutBatchRequest,
} from '@/modules/payouts/payout-batch.service';
import { PayoutExportService } from '@/modules/payouts/payout-export.service';

@ApiTags('Payouts')
@Controller('v1/payout-batches')
@RequireScopes('finance')
export class PayoutBatchController {
  private readonly logger = new Logger('PayoutExport');

  constructor(
    private readonly batches: PayoutBatchService,
    private readonly lifecycle: PayoutBatchLifecycleService,
    private readonly exports: PayoutExportService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Create a payout batch',
    description:
      'In one transaction, takes every approved, payable advocate reward (cash, credit, ' +
      'gift_card) of `currency` whose availableAt is at or before `cutoff` and that is in no ' +
      'batch, plus the outstanding clawbacks, and groups them per advocate. Advocates whose net ' +
      'is below the minimum or at 0 or less are left out (`carried`) and their rewards wait for a ' +
      'later batch. Advocates banned at creation are left out whatever their net (`banned`): ' +
      'their rewards and clawbacks stay approved and unpaid until they are unbanned. A reward ' +
      'is in at most one batch, also under concurrent requests. With an `Idempotency-Key`, a ' +
      'retry answers the same batch (200, `Idempotent-Replay: true`); the same key with another ' +
      'body answers 409 idempotency_conflict. Nothing to pay answers 422.',
  })
  @ApiHeader({
    name: IDEMPOTENCY_KEY_HEADER,
    required: false,
    description: 'Your unique key for this batch (1–200 printable ASCII characters), per brand',
  })
  @ApiCreatedResponse({ type: PayoutBatchDto, description: 'Created now' })
  @ApiOkResponse({
    type: PayoutBatchDto,
    description: 'The batch of this Idempotency-Key',
    headers: IDEMPOTENT_REPLAY_HEADER,
  })
  @ApiErrors(
    'json-body',
    [404, 'Unknown programId'],
    [409, 'idempotency_conflict'],
    [422, 'Nothing to pay, or a program in another currency'],
  )
  async create(
    @CurrentBrand() brandId: string,
    @Body() dto: CreatePayoutBatchDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PayoutBatchDto> {
    const request = toPayoutBatchRequest(dto, checkIdempotencyKey(idempotencyKey));
    const { batch, replayed } = await this.batches.create(brandId, request);
    void reply.status(replayed ? 200 : 201);
    if (replayed) void reply.header('Idempotent-Replay', 'true');
    return batch;
  }

  @Get()
  @ApiOperation({ summary: 'List payout batches (newest first)' })
  @ApiOkResponse({ type: PayoutBatchPageDto })
  @ApiErrors(400)
  list(
    @CurrentBrand() brandId: string,
    @Query() q: ListPayoutBatchesQueryDto,
  ): Promise<PayoutBatchPageDto> {
    return this.batches.list(
      brandId,
      { status: q.status, currency: q.currency },
      pageLimit(q),
      q.cursor,
    );
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a payout batch with its totals (advocates, rewards, amount)' })
  @ApiOkResponse({ type: PayoutBatchDto })
  @ApiErrors(400, 404)
  get(@CurrentBrand() brandId: string, @Param('id') id: string): Promise<PayoutBatchDto> {
    return this.batches.get(brandId, id);
  }

  @Get(':id/export')
  @ApiOperation({
    summary: 'Download a payout batch (CSV or NDJSON), streamed',
    description:
      '`detail=advocates` (default): one line per advocate paid — batchId, advocateId, ' +
      'advocateExternalId, email, name, currency, amount, amountMinor, rewardCount, ' +
      'clawbackAmount, periodStart, periodEnd. `detail=rewards`: one line per reward or ' +
      'clawback — rewardId, batchId, advocateId, eventId, orderId, programId, ctaKey, channel, ' +
      'kind, recipient, amount, amountMinor, currency, earnedAt, approvedAt, clawbackOf. ' +
      '`amount` is a decimal string in major units with the currency’s digits (12.50, 1000, ' +
      '1.005); `amountMinor` the integer. Lines are ordered by advocateId (then rewardId). ' +
      '`format=csv` (default): RFC 4180, UTF-8, CRLF, a header row; text cells starting with ' +
      "= + - @, a tab or CR are prefixed with ' against formula injection (amounts are not text). " +
      '`format=json`: NDJSON, one JSON object per line (application/x-ndjson). The first export ' +
      'moves a created batch to exported; a canceled batch answers 409. The file is streamed ' +
      'from the database: an error after the first byte cuts the connection.',
  })
  @ApiProduces('text/csv', 'application/x-ndjson')
  @ApiOkResponse({
    description: 'The file (Content-Disposition: attachment)',
    schema: { type: 'string' },
    headers: contentDisposition(),
  })
  @ApiErrors(400, 404, [409, 'The batch is canceled'])
  async export(
    @CurrentBrand() brandId: string,
    @Param('id') id: string,
    @Query() q: ExportPayoutBatchQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Readable> {
    const file = await this.exports.open(brandId, id, q.format ?? 'csv', q.detail ?? 'advocates');
    file.stream.once('error', (err: unknown) =>
      this.logger.error(
        { err: loggableError(err), batchId: id },
        'payout export failed mid-stream',
      ),
    );
    void reply
      .header('content-type', file.contentType)
      .header('content-disposition', `attachment; filename="${file.fileName}"`)
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff');
    return file.stream;
  }

  @Post(':id/mark-paid')
  @HttpCode(200)
  @ApiBody({ type: MarkPaidDto, required: false })
  @ApiOperation({
    summary: 'Mark a payout batch paid',
    description:
      'Its rewards and clawbacks become paid in the same transaction. What refunds took from ' +
      'its rewards after the batch was created becomes clawbacks for the next batch (the batch ' +
      'pays what its export says). The body is optional: without one, paidAt is now and there ' +
      'is no reference. Idempotent: a paid batch answers 200 unchanged. A canceled batch ' +
      'answers 409.',
  })
  @ApiOkResponse({ type: PayoutBatchDto })
  @ApiErrors('json-body', 404, [409, 'invalid_status_transition'])
  async markPaid(
    @CurrentBrand() brandId: string,
    @Param('id') id: string,
    @OptionalBody(MarkPaidDto) dto: MarkPaidDto,
  ): Promise<PayoutBatchDto> {
    return (await this.lifecycle.markPaid(brandId, id, dto.paidAt, dto.reference)).batch;
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel a payout batch',
    description:
      'Releases its rewards: they are payable again and go into the next batch. Idempotent: a ' +
      'canceled batch answers 200 unchanged. A paid batch answers 409.',
  })
  @ApiOkResponse({ type: PayoutBatchDto })
  @ApiErrors(400, 404, [409, 'invalid_status_transition'])
  async cancel(@CurrentBrand() brandId: string, @Param('id') id: string): Promise<PayoutBatchDto> {
    return (await this.lifecycle.cancel(brandId, id)).batch;
  }
}
