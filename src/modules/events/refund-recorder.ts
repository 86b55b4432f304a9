import { storedAnswer } from '@/modules/events/event-answer';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppError } from '@/common/errors/app-error';
import { newId } from '@/common/ids';
import type {
  EventResultDto,
  EventRewardDto,
  ReversedRewardDto,
} from '@/modules/events/dto/event-result.dto';
import type { PreparedEvent } from '@/modules/events/event-input';
import { EventIntakeRepository, GateRow } from '@/modules/events/event-intake.repository';
import { emptyOutcome, EventOutcomeRepository } from '@/modules/events/event-outcome.repository';
import type { Recorded } from '@/modules/events/recorded';
import { planReversal } from '@/modules/rewards/refund-plan';
import {
  OrderPurchase,
  RefundableReward,
  RefundRepository,
} from '@/modules/rewards/refund.repository';
import { programTallyKey, ruleTallyKey } from '@/modules/rewards/reward-issuer';
import { refundWebhookEvents } from '@/modules/events/event-hooks';
import { WebhookOutbox } from '@/modules/webhooks/webhook-outbox';

/**
 * Records refund events in their own transaction: the order's purchase and rewards are locked,
 * then each refund (in request order) reverses what is still pending/approved/held and claws
 * back what was paid, with the cumulative refunded amount of the order. A refund larger than
 * what is left of its order is refused (422) and leaves no row.
 */
@Injectable()
export class RefundRecorder {
  constructor(
    private readonly intake: EventIntakeRepository,
    private readonly outcomes: EventOutcomeRepository,
    private readonly refunds: RefundRepository,
    private readonly webhooks: WebhookOutbox,
  ) {}

  async record(
    em: EntityManager,
    brandId: string,
    events: PreparedEvent[],
  ): Promise<Map<number, Recorded>> {
    const rows: GateRow[] = events.map((event) => ({
      id: newId('event'),
      event,
      customerId: null,
    }));
    const { insertedIds } = await this.intake.insertEventsAndCustomers(em, brandId, rows);
    const out = new Map<number, Recorded>();
    const replays = rows.filter((r) => !insertedIds.has(r.id));
    if (replays.length > 0) {
      const stored = await this.intake.findStoredAnswers(
        em,
        brandId,
        replays.map((r) => r.event.eventId),
      );
      for (const r of replays) {
        const s = stored.get(r.event.eventId);
        if (!s?.answer)
          out.set(r.event.index, { kind: 'failed', error: new Error('event vanished') });
        else if (s.requestHash !== r.event.requestHash)
          out.set(r.event.index, { kind: 'conflict' });
        else
          out.set(r.event.index, {
            kind: 'replayed',
            result: s.answer as unknown as EventResultDto,
          });
      }
    }
    const fresh = rows
      .filter((r) => insertedIds.has(r.id))
      .sort((a, b) => a.event.index - b.event.index);
    if (fresh.length === 0) return out;

    const orderIds = [...new Set(fresh.map((r) => r.event.order!.id))];
    const purchases = await this.refunds.lockPurchases(em, brandId, orderIds);
    const rewards = await this.refunds.lockRewardsOfEvents(
      em,
      brandId,
      [...purchases.values()].map((p) => p.id),
    );
    // Read after the lock: refunds committed by transactions we waited for are counted.
    const refunded = await this.refunds.sumEarlierRefunds(
      em,
      brandId,
      [...purchases.values()].map((p) => ({ orderId: p.orderId, currency: p.currency })),
    );
    const now = new Date();
    const outcome = emptyOutcome();
    /** Refunds larger than what is left of their order: answered 422, their rows removed. */
    const refused = new Set<string>();
    const changed = new Map<string, RefundableReward & { reversedAt: Date | null }>();
    const tallies = new Map<string, { count: number; amount: number }>();
    const addTally = (key: string, count: number, amount: number) => {
      const t = tallies.get(key) ?? { count: 0, amount: 0 };
      tallies.set(key, { count: t.count + count, amount: t.amount + amount });
    };

    for (const row of fresh) {
      const e = row.event;
      const purchase = purchases.get(e.order!.id);
      const answer: EventResultDto = {
        id: e.eventId,
        eventId: row.id,
        type: 'refund',
        status: 'unattributed',
        attribution: null,
        reason: 'unknown_order',
        referral: null,
        rewards: [],
        skipped: [],
        reversed: [],
      };
      if (purchase) {
        answer.status = purchase.status as EventResultDto['status'];
        answer.attribution = purchase.answer?.attribution ?? null;
        answer.referral = purchase.referral;
        answer.reason = purchase.answer?.reason ?? null;
      }
      if (purchase && purchase.currency !== e.order!.currency) {
        answer.status = 'rejected';
        answer.reason = 'currency_mismatch';
      } else if (purchase) {
        const before = refunded.get(purchase.orderId) ?? 0;
        if (e.order!.amount > purchase.amount - before) {
          refused.add(row.id);
          out.set(e.index, { kind: 'failed', error: overRefundError(purchase, before) });
          continue;
        }
        const total = before + e.order!.amount;
        refunded.set(purchase.orderId, total);
        // Advocate first, then by rule: the same order in every answer.
        const ofOrder = rewards
          .filter((w) => w.eventId === purchase.id)
          .sort(
            (a, b) => a.recipient.localeCompare(b.recipient) || a.ruleId.localeCompare(b.ruleId),
          );
        for (const reward of ofOrder) {
          const plan = planReversal(reward, purchase.amount, total);
          if (plan.action === 'none') continue;
          const current = changed.get(reward.id) ?? { ...reward, reversedAt: null };
          current.reversedAmount += plan.delta;
          if (plan.full) current.reversedAt = now;
          let clawback: EventRewardDto | null = null;
          if (plan.action === 'reverse' && plan.full) current.status = 'reversed';
          if (plan.action === 'clawback') {
            clawback = clawbackOf(reward, plan.delta, now);
            outcome.rewardInserts.push(
              clawbackRow(brandId, reward, clawback, row.id, e.occurredAt, now),
            );
            answer.rewards.push(clawback);
          }
          changed.set(reward.id, current);
          Object.assign(reward, { reversedAmount: current.reversedAmount, status: current.status });
          // Budgets count live rewards net of reversals; a fully reversed one no longer counts.
          const count = plan.full ? -1 : 0;
          addTally(ruleTallyKey(reward.ruleId), count, -plan.delta);
          if (reward.kind !== 'points' && reward.currency !== null) {
            addTally(programTallyKey(reward.programId), count, -plan.delta);
          }
          answer.reversed.push(reversedItem(reward, plan.delta, current.status, clawback));
        }
      }
      outcome.eventUpdates.push({
        id: row.id,
        status: answer.status,
        reason: answer.reason,
        method: answer.attribution?.method ?? null,
        program_id: answer.attribution?.programId ?? null,
        advocate_id: answer.attribution?.advocateId ?? null,
        cta_id: null,
        channel: answer.attribution?.channel ?? null,
        referral_id: answer.referral?.id ?? null,
        clicked_at: answer.attribution?.clickedAt ?? null,
        answer: storedAnswer(answer),
      });
      out.set(e.index, { kind: 'created', result: answer });
    }
    outcome.rewardUpdates = [...changed.values()].map((w) => ({
      id: w.id,
      reversed_amount: w.reversedAmount,
      status: w.status,
      reason: w.status === 'reversed' ? 'refund' : null,
      reversed_at: w.reversedAt?.toISOString() ?? null,
    }));
    outcome.tallyDeltas = [...tallies].map(([key, t]) => ({
      key,
      count: t.count,
      amount: t.amount,
    }));
    // KPI rollups (analytics): refunds come off their orders' revenue when the fold job adds
    // the queued events (see KpiFoldRepository).
    outcome.kpiQueue = fresh
      .filter((r) => !refused.has(r.id))
      .map((r) => ({ kind: 'refund', event_id: r.id }));
    if (refused.size > 0) await this.intake.deleteEvents(em, brandId, [...refused]);
    await this.outcomes.write(em, brandId, outcome);
    // Webhooks (issue 8): reward.reversed and reward.clawback, in this transaction.
    await this.webhooks.enqueueSubjects(
      em,
      brandId,
      refundWebhookEvents(
        [...changed.values()],
        outcome.rewardInserts.map((r) => r.id as string),
      ),
    );
    return out;
  }
}

function overRefundError(purchase: OrderPurchase, refundedBefore: number): AppError {
  const left = purchase.amount - refundedBefore;
  const issue =
    `is more than the ${left} left to refund on order ${purchase.orderId} ` +
    `(${purchase.amount} ${purchase.currency} ordered, ${refundedBefore} refunded before)`;
  return new AppError('unprocessable', `order.amount ${issue}`, [{ field: 'order.amount', issue }]);
}

function clawbackOf(reward: RefundableReward, delta: number, now: Date): EventRewardDto {
  return {
    id: newId('reward'),
    recipient: reward.recipient,
    kind: reward.kind,
    amount: -delta,
    currency: reward.currency,
    percent: null,
    couponCode: null,
    status: 'approved',
    availableAt: now.toISOString(),
    ruleId: reward.ruleId,
  };
}

function clawbackRow(
  brandId: string,
  reward: RefundableReward,
  clawback: EventRewardDto,
  refundRowId: string,
  occurredAt: Date,
  now: Date,
): Record<string, unknown> {
  return {
    id: clawback.id,
    brand_id: brandId,
    program_id: reward.programId,
    rule_id: reward.ruleId,
    event_id: refundRowId,
    referral_id: reward.referralId,
    advocate_id: reward.advocateId,
    customer_id: reward.customerId,
    recipient: reward.recipient,
    kind: reward.kind,
    amount: clawback.amount,
    currency: reward.currency,
    percent: null,
    coupon_code: null,
    status: 'approved',
    reason: 'clawback',
    occurred_at: occurredAt.toISOString(),
    available_at: now.toISOString(),
    approved_at: now.toISOString(),
    clawback_of: reward.id,
  };
}

function reversedItem(
  reward: RefundableReward,
  delta: number,
  status: RefundableReward['status'],
  clawback: EventRewardDto | null,
): ReversedRewardDto {
  return {
    rewardId: reward.id,
    recipient: reward.recipient,
    kind: reward.kind,
    amount: reward.amount === null ? null : delta,
    currency: reward.currency,
    status,
    clawbackRewardId: clawback?.id ?? null,
  };
}
