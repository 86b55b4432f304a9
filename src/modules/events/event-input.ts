import { createHash } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { normalizeEmail } from '@/common/email/normalize-email';
import { ErrorDetail } from '@/common/errors/app-error';
import { flattenValidationErrors } from '@/common/errors/validation';
import { EventInputDto } from '@/modules/events/dto/event-input.dto';
import { fastCheckEvent } from '@/modules/events/event-fast-check';
import type { EventType } from '@/modules/events/event.entity';

/** An event is refused when its clock is this far ahead of ours. */
const MAX_FUTURE_MS = 5 * 60_000;
// Backfills are welcome, but no referral happened before 2000: an earlier time is epoch 0 or a typo.
const EARLIEST_EVENT_MS = Date.UTC(2000, 0, 1);

/** A validated event, normalised, with the hash of the body it came in. */
export interface PreparedEvent {
  /** Position in the request (batch index; 0 for a single event). */
  index: number;
  eventId: string;
  type: EventType;
  name: string | null;
  occurredAt: Date;
  customer: { id: string; emailNormalized: string | null; isNew: boolean | null } | null;
  order: { id: string; amount: number; currency: string } | null;
  clickId: string | null;
  code: string | null;
  ctaKey: string | null;
  metadata: Record<string, unknown> | null;
  requestHash: string;
}

/** JSON with object keys sorted at every level: the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/** The rules between fields that single-field validation cannot see. */
export function crossFieldIssues(dto: EventInputDto, now = Date.now()): ErrorDetail[] {
  const issues: ErrorDetail[] = [];
  if (dto.type === 'custom' && !dto.name) {
    issues.push({ field: 'name', issue: 'is required when type is custom' });
  } else if (dto.type !== 'custom' && dto.name !== undefined) {
    issues.push({ field: 'name', issue: 'is only allowed when type is custom' });
  }
  if ((dto.type === 'purchase' || dto.type === 'refund') && !dto.order) {
    issues.push({ field: 'order', issue: `is required when type is ${dto.type}` });
  }
  if (dto.type === 'refund' && dto.order && dto.order.amount < 1) {
    issues.push({ field: 'order.amount', issue: 'must be above 0 for a refund' });
  }
  if (dto.type !== 'refund' && !dto.customer) {
    issues.push({ field: 'customer', issue: `is required when type is ${dto.type}` });
  }
  const occurredAt = new Date(dto.occurredAt).getTime();
  if (occurredAt > now + MAX_FUTURE_MS) {
    issues.push({ field: 'occurredAt', issue: 'must not be in the future' });
  } else if (occurredAt < EARLIEST_EVENT_MS) {
    issues.push({ field: 'occurredAt', issue: 'must not be before 2000-01-01' });
  }
  return issues;
}

export function prepareEvent(dto: EventInputDto, rawBody: unknown, index: number): PreparedEvent {
  return {
    index,
    eventId: dto.id,
    type: dto.type,
    name: dto.name ?? null,
    occurredAt: new Date(dto.occurredAt),
    customer: dto.customer
      ? {
          id: dto.customer.id,
          emailNormalized: dto.customer.email ? normalizeEmail(dto.customer.email) : null,
          isNew: dto.customer.isNew ?? null,
        }
      : null,
    order: dto.order
      ? { id: dto.order.id, amount: dto.order.amount, currency: dto.order.currency }
      : null,
    clickId: dto.clickId ?? null,
    code: dto.code ?? null,
    ctaKey: dto.ctaKey ?? null,
    metadata: dto.metadata ?? null,
    requestHash: requestHash(rawBody),
  };
}

/**
 * Validates one batch item as the global pipe validates a single event (the pipe cannot: one
 * bad item would refuse the whole batch). Returns the issues, or the prepared event.
 */
export async function validateBatchItem(
  item: unknown,
  index: number,
): Promise<{ issues: ErrorDetail[] } | { event: PreparedEvent }> {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return { issues: [{ field: 'body', issue: 'must be a JSON object' }] };
  }
  let dto = fastCheckEvent(item);
  if (!dto) {
    dto = plainToInstance(EventInputDto, item);
    const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length > 0) return { issues: flattenValidationErrors(errors) };
  }
  const issues = crossFieldIssues(dto);
  if (issues.length > 0) return { issues };
  return { event: prepareEvent(dto, item, index) };
}
