import { ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { ValidationError } from 'class-validator';
import { AppError, ErrorDetail } from '@/common/errors/app-error';

/** Flattens class-validator's tree into `{field: "attribution.windowDays", issue}` entries. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  for (const error of errors) {
    const isIndex = /^\d+$/.test(error.property);
    const field = parent
      ? isIndex
        ? `${parent}[${error.property}]`
        : `${parent}.${error.property}`
      : error.property;
    const constraints = Object.entries(error.constraints ?? {});
    // A missing required field fails every rule; one clear issue is enough. (Nest's pipe strips
    // the value of an error with children, so such an error's undefined value says nothing.)
    if (
      error.value === undefined &&
      !error.children?.length &&
      constraints.length > 0 &&
      !('whitelistValidation' in (error.constraints ?? {}))
    ) {
      out.push({ field, issue: 'is required' });
      continue;
    }
    // Not a list (or not an object) where one is expected: that alone, not its elements' rules
    // nor what its fields would need.
    const container = constraints.filter(([constraint]) => CONTAINER_CONSTRAINTS.has(constraint));
    if (container.length > 0) {
      for (const [constraint, message] of container) {
        out.push({ field, issue: issueText(constraint, message, error.property) });
      }
      continue;
    }
    // A value of the wrong type fails its length, range and element rules too: name the type.
    const typeOnly = constraints.filter(([constraint]) => TYPE_CONSTRAINTS.has(constraint));
    for (const [constraint, message] of typeOnly.length > 0 ? typeOnly : constraints) {
      out.push({ field, issue: issueText(constraint, message, error.property) });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

const CONTAINER_CONSTRAINTS = new Set(['isArray', 'isObject']);

const TYPE_CONSTRAINTS = new Set([
  'isString',
  'isArray',
  'isInt',
  'isNumber',
  'isBoolean',
  'isObject',
  'nestedValidation',
]);

/** class-validator's default wordings, said as the rest of the API says them. */
const REWORDED: [RegExp, (...groups: string[]) => string][] = [
  [/^All .*'s elements must be unique$/, () => 'must not repeat a value'],
  [/^each value in .+? must (.*)$/, (rest) => `each value must ${rest}`],
  [/^must be longer than or equal to 1 characters$/, () => 'must not be empty'],
  [/^must be longer than or equal to (\d+) characters$/, (n) => `must be at least ${n} characters`],
  [/^must be shorter than or equal to (\d+) characters$/, (n) => `must be at most ${n} characters`],
  [/^must contain at least 1 elements$/, () => 'must contain at least 1 element'],
  [/^must contain no more than (\d+) elements$/, (n) => `must contain at most ${n} elements`],
];

function issueText(constraint: string, message: string, property: string): string {
  if (constraint === 'whitelistValidation') return 'is not an allowed field';
  // class-validator messages start with the property name; the field is reported separately.
  const text = message.startsWith(`${property} `) ? message.slice(property.length + 1) : message;
  for (const [pattern, reword] of REWORDED) {
    const match = pattern.exec(text);
    if (match) return reword(...match.slice(1));
  }
  return text;
}

export function validationExceptionFactory(errors: ValidationError[]): AppError {
  return AppError.validation(flattenValidationErrors(errors));
}

/** Global pipe: class-validator with our error shape, and JSON bodies must be objects. */
export class AppValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: validationExceptionFactory,
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const isDtoBody =
      metadata.type === 'body' &&
      typeof metadata.metatype === 'function' &&
      metadata.metatype !== Object &&
      metadata.metatype !== String &&
      metadata.metatype !== Buffer;
    if (isDtoBody && value === undefined) {
      throw AppError.field(
        'body',
        'is required: a JSON object (send Content-Type: application/json)',
      );
    }
    if (isDtoBody && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw AppError.field('body', 'must be a JSON object (send Content-Type: application/json)');
    }
    if (metadata.type !== 'custom') {
      const field = findNulCharacter(
        value,
        metadata.type === 'param' ? (metadata.data ?? 'param') : '',
      );
      if (field !== undefined)
        throw AppError.field(field || metadata.type, 'must not contain NUL characters');
    }
    if (metadata.type === 'query' || isDtoBody) {
      const reserved = reservedKeyOf(value);
      if (reserved !== undefined) throw AppError.field(reserved, 'is not an allowed field');
    }
    if (isDtoBody) {
      const checked = (metadata.metatype as Partial<FastCheckedDto>).fastCheck?.(value);
      if (checked) return checked;
    }
    return super.transform(value, metadata);
  }
}

/**
 * A body DTO may offer a strict, cheaper check of its usual shape (a hot route's: see
 * fastCheckEvent). It returns the value as the DTO would hold it, or null to let class-validator
 * decide and word the errors; it must never accept what class-validator would refuse.
 */
export interface FastCheckedDto {
  fastCheck(value: unknown): object | null;
}

/**
 * A top-level key named like a member of every object (`toString`, `hasOwnProperty`,
 * `constructor`…) or `prototype`: class-validator's whitelist takes such names for declared
 * properties, so `?toString=1` was silently ignored where `?foo=1` answers 400.
 */
function reservedKeyOf(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return Object.keys(value).find((key) => key === 'prototype' || key in Object.prototype);
}

/** PostgreSQL text cannot hold U+0000; find it anywhere in the input so it is a 400, not a 500. */
function findNulCharacter(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (depth > 20 || value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNulCharacter(value[i], `${path}[${i}]`, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${key}` : key;
    if (key.includes('\u0000')) return childPath;
    const found = findNulCharacter(child, childPath, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
