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

/**
 * The answer as stored in `events.answer`: its JSON text (a jsonb string), so that a retry gets
 * the first answer byte for byte; a jsonb object would come back with its keys reordered.
 */
export const storedAnswer = (answer: EventResultDto): string => JSON.stringify(answer);

/** An answer read back from `events.answer` (rows written before answers were text: objects). */
export function readStoredAnswer(value: unknown): Record<string, any> | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? (JSON.parse(value) as Record<string, any>) : value;
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
    answer: storedAnswer(answer),
  };
}
