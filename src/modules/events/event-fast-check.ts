import { isEmail } from 'class-validator';
import { isCurrency } from '@/common/money/currency';
import { MAX_AMOUNT } from '@/common/money/money';
import { EVENT_TYPES } from '@/modules/events/event.entity';
import type { EventInputDto } from '@/modules/events/dto/event-input.dto';
import { TRIGGER_NAME_PATTERN } from '@/modules/programs/dto/reward-rule.dto';
import { isTimestamp, SLUG_PATTERN } from '@/modules/programs/dto/validators';

const ID_PATTERN = /^[^\u0000-\u001f\u007f]{1,200}$/;
const EVENT_KEYS = new Set([
  'id',
  'type',
  'name',
  'occurredAt',
  'customer',
  'order',
  'clickId',
  'code',
  'ctaKey',
]);
const CUSTOMER_KEYS = new Set(['id', 'email', 'isNew']);
const ORDER_KEYS = new Set(['id', 'amount', 'currency']);
const TYPES: ReadonlySet<unknown> = new Set(EVENT_TYPES);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const onlyKeys = (o: Record<string, unknown>, allowed: Set<string>) =>
  Object.keys(o).every((k) => allowed.has(k));
const isId = (v: unknown) => typeof v === 'string' && ID_PATTERN.test(v);

/**
 * The batch's fast path: a strict check of the usual event shape, about ten times cheaper than
 * class-validator. It accepts a subset of what EventInputDto accepts (anything unusual — null
 * values, metadata, an odd field — returns null) so the caller falls back to class-validator,
 * which then decides and words the errors. Returns the item as the DTO would hold it.
 */
export function fastCheckEvent(item: unknown): EventInputDto | null {
  if (!isObject(item) || !onlyKeys(item, EVENT_KEYS)) return null;
  const { id, type, name, occurredAt, customer, order, clickId, code, ctaKey } = item;
  if (!isId(id) || !TYPES.has(type) || !isTimestamp(occurredAt)) return null;
  if (name !== undefined && !(typeof name === 'string' && TRIGGER_NAME_PATTERN.test(name)))
    return null;
  let email: string | undefined;
  if (customer !== undefined) {
    if (!isObject(customer) || !onlyKeys(customer, CUSTOMER_KEYS) || !isId(customer.id))
      return null;
    if (customer.isNew !== undefined && typeof customer.isNew !== 'boolean') return null;
    if (customer.email !== undefined) {
      if (typeof customer.email !== 'string') return null;
      email = customer.email.trim();
      if (email.length > 320 || !isEmail(email)) return null;
    }
  }
  if (order !== undefined) {
    if (!isObject(order) || !onlyKeys(order, ORDER_KEYS) || !isId(order.id)) return null;
    const amount = order.amount;
    if (
      !Number.isSafeInteger(amount) ||
      (amount as number) < 0 ||
      (amount as number) > MAX_AMOUNT
    ) {
      return null;
    }
    if (!isCurrency(order.currency)) return null;
  }
  if (clickId !== undefined && !(typeof clickId === 'string' && clickId.length <= 500)) return null;
  let normalizedCode: string | undefined;
  if (code !== undefined) {
    if (typeof code !== 'string') return null;
    normalizedCode = code.trim().toUpperCase();
    if (normalizedCode.length < 1 || normalizedCode.length > 64) return null;
  }
  if (ctaKey !== undefined && !(typeof ctaKey === 'string' && SLUG_PATTERN.test(ctaKey)))
    return null;
  return {
    ...(item as unknown as EventInputDto),
    customer:
      customer === undefined
        ? undefined
        : { ...(customer as unknown as NonNullable<EventInputDto['customer']>), email },
    code: normalizedCode,
  };
}
