import type { Attribution } from '@/modules/attribution/attribution';
import type {
  EventAttributionDto,
  EventResultDto,
  EventRewardDto,
} from '@/modules/events/dto/event-result.dto';
import type { IssuedReward } from '@/modules/rewards/reward-issuer';

export function toAttributionDto(a: Attribution): EventAttributionDto {
  return {
    advocateId: a.advocateId,
    programId: a.programId,
    ctaKey: a.ctaKey,
    channel: a.channel,
    method: a.method,
    clickId: a.clickId,
    clickedAt: a.clickedAt ? a.clickedAt.toISOString() : null,
    model: a.model,
    windowDays: a.windowDays,
  };
}

export function toEventRewardDto(r: IssuedReward): EventRewardDto {
  return {
    id: r.id,
    recipient: r.recipient,
    kind: r.kind,
    amount: r.amount,
    currency: r.currency,
    percent: r.percent,
    couponCode: r.couponCode,
    status: r.status,
    availableAt: r.availableAt.toISOString(),
    ruleId: r.ruleId,
  };
}

/** The row update that records an event's decision and the answer replayed to retries. */
export function eventUpdateRow(
  rowId: string,
  answer: EventResultDto,
  a: Attribution | null,
): Record<string, unknown> {
  return {
    id: rowId,
    status: answer.status,
    reason: answer.reason,
    method: a?.method ?? null,
    program_id: a?.programId ?? null,
    advocate_id: a?.advocateId ?? null,
    cta_id: a?.ctaId ?? null,
    channel: a?.channel ?? null,
    referral_id: answer.referral?.id ?? null,
    clicked_at: a?.clickedAt ? a.clickedAt.toISOString() : null,
    answer,
  };
}
