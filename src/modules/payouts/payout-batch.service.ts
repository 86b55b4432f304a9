import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { loggableError } from '@/common/errors/all-exceptions.filter';
import { AppError } from '@/common/errors/app-error';
import { newId } from '@/common/ids';
import { formatMajor } from '@/common/money/currency';
import { decodeCursor, Page, toPage } from '@/common/pagination/pagination';
import { CreatePayoutBatchDto } from '@/modules/payouts/dto/create-payout-batch.dto';
import {
  PayoutBatchDto,
  toPayoutBatchDto,
  toWebhookPayload,
} from '@/modules/payouts/dto/payout-batch.dto';
import {
  PayoutBatchFilters,
  PayoutBatchRepository,
  PayoutBatchRow,
} from '@/modules/payouts/payout-batch.repository';
import { PayoutLedgerRepository } from '@/modules/payouts/payout-ledger.repository';
import { WebhookOutbox } from '@/modules/webhooks/webhook-outbox';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** A batch this big refreshes the planner statistics of the batch tables (see refreshStatistics). */
const ANALYZE_AFTER_LINES = 10_000;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** A creation request, normalised: equal requests hash equal. */
export interface PayoutBatchRequest {
  currency: string;
  cutoff: Date;
  programId: string | null;
  minimumAmount: number | null;
  idempotencyKey: string | null;
  requestHash: string;
}

export interface CreatedPayoutBatch {
  batch: PayoutBatchDto;
  /** True when the Idempotency-Key named an existing batch: nothing was created. */
  replayed: boolean;
}

/** Checks the Idempotency-Key header: printable ASCII without spaces, 1–200 characters. */
export function checkIdempotencyKey(key: string | undefined): string | null {
  if (key === undefined) return null;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw AppError.field(
      IDEMPOTENCY_KEY_HEADER,
      'must be 1 to 200 printable ASCII characters without spaces',
    );
  }
  return key;
}

/** The request as stored for Idempotency-Key checks: the same meaning hashes the same. */
export function toPayoutBatchRequest(
  dto: CreatePayoutBatchDto,
  idempotencyKey: string | null,
): PayoutBatchRequest {
  const cutoff = new Date(dto.cutoff);
  const programId = dto.programId ?? null;
  const minimumAmount = dto.minimumAmount ?? null;
  const requestHash = createHash('sha256')
    .update(JSON.stringify([dto.currency, cutoff.toISOString(), programId, minimumAmount]))
    .digest('hex');
  return { currency: dto.currency, cutoff, programId, minimumAmount, idempotencyKey, requestHash };
}

/** Creating payout batches (one transaction each), and reading them. */
@Injectable()
export class PayoutBatchService {
  private readonly logger = new Logger(PayoutBatchService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly batches: PayoutBatchRepository,
    private readonly ledger: PayoutLedgerRepository,
    private readonly webhooks: WebhookOutbox,
  ) {}

  async create(brandId: string, request: PayoutBatchRequest): Promise<CreatedPayoutBatch> {
    if (request.programId !== null) {
      const currency = await this.batches.findProgramCurrency(brandId, request.programId);
      if (currency === undefined) throw AppError.notFound('Program', 'programId');
      if (currency !== request.currency) {
        throw new AppError('unprocessable', "The program's rewards are in another currency", [
          { field: 'programId', issue: `is a program in ${currency}, not ${request.currency}` },
        ]);
      }
    }
    const created = await this.dataSource.transaction((em) =>
      this.createInTransaction(em, brandId, request),
    );
    if (!created.replayed && created.batch.totals.rewards >= ANALYZE_AFTER_LINES) {
      await this.ledger
        .refreshStatistics()
        .catch((err: unknown) =>
          this.logger.warn({ err: loggableError(err) }, 'ANALYZE after a payout batch failed'),
        );
    }
    return created;
  }

  /**
   * The whole creation inside the caller's transaction: the batch row (or the batch its
   * Idempotency-Key already names), every payable reward taken, the per-advocate lines and the
   * totals. A new batch is complete when this returns (`replayed` false).
   */
  async createInTransaction(
    em: EntityManager,
    brandId: string,
    request: PayoutBatchRequest,
  ): Promise<CreatedPayoutBatch> {
    const id = newId('payoutBatch');
    const inserted = await this.batches.insertUnlessKeyUsed(em, brandId, { id, ...request });
    if (!inserted) return this.replay(em, brandId, request);

    await this.ledger.lockBatchCreation(em, brandId);
    const taken = await this.ledger.takePayableRewards(em, brandId, id, request);
    if (taken.advocates === 0) throw nothingToPay(request, taken);
    if (taken.items !== taken.rewards) {
      // The items and the advocates' lines must agree; never commit a batch that doesn't.
      throw new Error(`payout batch ${id}: ${taken.rewards} lines but ${taken.items} items`);
    }
    await this.batches.setTotals(em, brandId, id, taken);
    const batch = toPayoutBatchDto((await this.batches.findByIdForBrand(brandId, id, em))!);
    await this.webhooks.enqueue(em, brandId, 'payout_batch.created', toWebhookPayload(batch), {
      orderingKey: id,
    });
    return { batch, replayed: false };
  }

  async list(
    brandId: string,
    filters: PayoutBatchFilters,
    limit: number,
    cursor?: string,
  ): Promise<Page<PayoutBatchDto>> {
    const list = { list: 'payout-batches', brandId, ...filters };
    const after = decodeCursor(cursor, 'timestamp', list);
    const rows = await this.batches.listByBrand(brandId, filters, limit, after);
    return toPage(
      rows,
      limit,
      (r: PayoutBatchRow) => ({ k: r.cursor_at, id: r.id }),
      (r) => toPayoutBatchDto(r),
      list,
    );
  }

  async get(brandId: string, id: string): Promise<PayoutBatchDto> {
    const row = await this.batches.findByIdForBrand(brandId, id);
    if (!row) throw AppError.notFound('Payout batch');
    return toPayoutBatchDto(row);
  }

  private async replay(
    em: EntityManager,
    brandId: string,
    request: PayoutBatchRequest,
  ): Promise<CreatedPayoutBatch> {
    const existing = await this.batches.findByIdempotencyKey(em, brandId, request.idempotencyKey!);
    if (!existing) throw new Error('the batch of an Idempotency-Key was not found');
    if (existing.request_hash !== request.requestHash) {
      throw new AppError(
        'idempotency_conflict',
        `This Idempotency-Key was used for another batch request (${existing.id})`,
        [{ field: IDEMPOTENCY_KEY_HEADER, issue: 'was already used with a different body' }],
      );
    }
    return { batch: toPayoutBatchDto(existing), replayed: true };
  }
}

function nothingToPay(
  request: PayoutBatchRequest,
  taken: {
    carriedAdvocates: number;
    carriedAmount: string;
    bannedAdvocates: number;
    bannedAmount: string;
  },
): AppError {
  const banned =
    taken.bannedAdvocates === 0
      ? ''
      : `${taken.bannedAdvocates} banned advocate(s) with ` +
        `${formatMajor(taken.bannedAmount, request.currency)} ${request.currency} net are left ` +
        'out until they are unbanned';
  if (taken.carriedAdvocates === 0) {
    return new AppError('unprocessable', 'Nothing to pay: no payable reward', [
      {
        field: 'cutoff',
        issue:
          `no approved, payable ${request.currency} reward available at or before it is in no ` +
          `batch${banned ? ` except those of banned advocates: ${banned}` : ''}`,
      },
    ]);
  }
  const net = formatMajor(taken.carriedAmount, request.currency);
  return new AppError('unprocessable', 'Nothing to pay: no advocate reaches the minimum', [
    {
      field: request.minimumAmount !== null ? 'minimumAmount' : 'cutoff',
      issue:
        `${taken.carriedAdvocates} advocate(s) with ${net} ${request.currency} net are below ` +
        `the minimum payout or at 0 or less; they are carried to a later batch${banned ? `; ${banned}` : ''}`,
    },
  ]);
}
