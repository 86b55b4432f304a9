import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppError } from '@/common/errors/app-error';
import { article } from '@/common/errors/article';
import { newId } from '@/common/ids';
import {
  PayoutBatchDto,
  toPayoutBatchDto,
  toWebhookPayload,
} from '@/modules/payouts/dto/payout-batch.dto';
import type { PayoutBatchStatus } from '@/modules/payouts/payout-batch.entity';
import { PayoutBatchRepository, PayoutBatchRow } from '@/modules/payouts/payout-batch.repository';
import { PayoutLedgerRepository } from '@/modules/payouts/payout-ledger.repository';
import { WebhookOutbox } from '@/modules/webhooks/webhook-outbox';

// Finance's clock and ours may differ a little; a payment from the future is a typo.
const MAX_FUTURE_MS = 5 * 60_000;

export interface MarkPaidInput {
  paidAt: Date;
  reference: string | null;
}

export interface BatchTransition {
  batch: PayoutBatchDto;
  /** False when the batch already was in the target status: nothing changed. */
  changed: boolean;
}

const transitionError = (status: PayoutBatchStatus, to: string) =>
  new AppError(
    'invalid_status_transition',
    `${article(status)} ${status} payout batch cannot be ${to}`,
    [{ field: 'status', issue: `is ${status}` }],
  );

/** A batch's end: paid (its rewards with it) or canceled (its rewards released). */
@Injectable()
export class PayoutBatchLifecycleService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly batches: PayoutBatchRepository,
    private readonly ledger: PayoutLedgerRepository,
    private readonly webhooks: WebhookOutbox,
  ) {}

  async markPaid(
    brandId: string,
    id: string,
    paidAt: string | undefined,
    reference: string | undefined,
  ): Promise<BatchTransition> {
    const now = Date.now();
    const at = paidAt === undefined ? new Date(now) : new Date(paidAt);
    if (at.getTime() > now + MAX_FUTURE_MS)
      throw AppError.field('paidAt', 'must not be in the future');
    return this.dataSource.transaction((em) =>
      this.markPaidInTransaction(em, brandId, id, { paidAt: at, reference: reference ?? null }),
    );
  }

  /**
   * created | exported → paid, inside the caller's transaction: every reward and clawback of the
   * batch becomes paid, and what refunds took from its rewards while they sat in the batch
   * becomes clawbacks (the batch pays what it took). Paying a paid batch again changes nothing
   * (`changed` false, the first paidAt and reference stay); a canceled batch answers 409.
   */
  async markPaidInTransaction(
    em: EntityManager,
    brandId: string,
    id: string,
    input: MarkPaidInput,
  ): Promise<BatchTransition> {
    const row = await this.lock(em, brandId, id);
    if (row.status === 'paid') return { batch: toPayoutBatchDto(row), changed: false };
    if (row.status === 'canceled') throw transitionError(row.status, 'paid');
    if (input.paidAt.getTime() < new Date(row.created_at).getTime()) {
      throw AppError.field(
        'paidAt',
        `must not be before the batch was created (${new Date(row.created_at).toISOString()})`,
      );
    }
    const paid = await this.ledger.markRewardsPaid(em, brandId, id, input.paidAt);
    if (paid !== row.reward_count) {
      throw new Error(`payout batch ${id}: ${row.reward_count} lines but ${paid} rewards paid`);
    }
    const shortfalls = await this.ledger.findRefundShortfalls(em, brandId, id);
    const clawbacks = shortfalls.map((s) => ({
      id: newId('reward'),
      rewardId: s.rewardId,
      amount: -s.shortfall,
      eventId: s.refundEventId,
      occurredAt: s.refundOccurredAt,
    }));
    await this.ledger.insertClawbacks(em, brandId, clawbacks);
    await this.batches.markPaid(em, brandId, id, input.paidAt, input.reference);
    const batch = toPayoutBatchDto((await this.batches.findByIdForBrand(brandId, id, em))!);
    await this.webhooks.enqueueSubjects(
      em,
      brandId,
      clawbacks.map((c) => ({ type: 'reward.clawback', subject: 'reward', id: c.id })),
    );
    await this.webhooks.enqueue(em, brandId, 'payout_batch.paid', toWebhookPayload(batch), {
      orderingKey: id,
    });
    return { batch, changed: true };
  }

  cancel(brandId: string, id: string): Promise<BatchTransition> {
    return this.dataSource.transaction((em) => this.cancelInTransaction(em, brandId, id));
  }

  /**
   * created | exported → canceled: its rewards are released and go into the next batch (an
   * exported file of a canceled batch must not be paid). Canceling again changes nothing; a
   * paid batch answers 409.
   */
  async cancelInTransaction(
    em: EntityManager,
    brandId: string,
    id: string,
  ): Promise<BatchTransition> {
    const row = await this.lock(em, brandId, id);
    if (row.status === 'canceled') return { batch: toPayoutBatchDto(row), changed: false };
    if (row.status === 'paid') throw transitionError(row.status, 'canceled');
    await this.ledger.releaseRewards(em, brandId, id);
    await this.batches.markCanceled(em, brandId, id);
    const batch = toPayoutBatchDto((await this.batches.findByIdForBrand(brandId, id, em))!);
    // A payment system that picked up the batch from payout_batch.created must drop it.
    await this.webhooks.enqueue(em, brandId, 'payout_batch.canceled', toWebhookPayload(batch), {
      orderingKey: id,
    });
    return { batch, changed: true };
  }

  private async lock(em: EntityManager, brandId: string, id: string): Promise<PayoutBatchRow> {
    const row = await this.batches.findByIdForBrand(brandId, id, em, true);
    if (!row) throw AppError.notFound('Payout batch');
    return row;
  }
}
