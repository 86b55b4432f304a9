import { applyDecorators } from '@nestjs/common';
import { Transform, Type } from 'class-transformer';
import {
  isISO8601,
  isURL,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { asciiUrl } from '@/common/http/ascii-url';
import { plusSentAsSpaceIssue } from '@/common/http/plus-as-space';
import { isCurrency } from '@/common/money/currency';
import { MAX_AMOUNT } from '@/common/money/money';

export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const MAX_URL_LENGTH = 2000;

/**
 * Optional, but `null` is refused: for fields that have no "unset" state (name, goal…), where
 * class-validator's @IsOptional would let a null through to a NOT NULL column.
 */
export const IsOptionalNotNull = (options?: ValidationOptions) =>
  ValidateIf((_object: object, value: unknown) => value !== undefined, options);

export function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > MAX_URL_LENGTH || value.includes('\u0000')) {
    return false;
  }
  const shaped = isURL(value, {
    protocols: ['http', 'https'],
    require_protocol: true,
    require_valid_protocol: true,
    require_tld: false, // staging hosts and localhost are legitimate landing pages while testing
    allow_underscores: true,
    disallow_auth: true, // user:pass@ in a link handed to the public leaks a secret
  });
  if (!shaped) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * An absolute http(s) URL without credentials, stored as it can be sent in a Location header:
 * non-ASCII characters percent-encoded, an internationalised host in punycode (asciiUrl).
 */
export const IsHttpUrl = (options?: ValidationOptions) =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? asciiUrl(value) : value,
    ),
    ValidateBy(
      {
        name: 'isHttpUrl',
        validator: {
          validate: isHttpUrl,
          defaultMessage: () =>
            `must be an absolute http or https URL of at most ${MAX_URL_LENGTH} characters ` +
            '(non-ASCII characters count percent-encoded)',
        },
      },
      options,
    ),
  );

/** The real ISO 4217 list (currency-codes), upper case only: `usd` and `XYZ` are refused. */
export const IsCurrencyCode = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isCurrencyCode',
      validator: {
        validate: (value: unknown) => isCurrency(value),
        defaultMessage: () => 'must be an ISO 4217 currency code in upper case, such as USD',
      },
    },
    options,
  );

const ZONED = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2}))?$/i;

export function isTimestamp(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    ZONED.test(value) &&
    isISO8601(value, { strict: true, strictSeparator: true }) &&
    !Number.isNaN(new Date(value).getTime())
  );
}

/**
 * ISO-8601 date-time with an explicit zone (`2026-03-01T09:00:00Z`, `…+02:00`) or a date
 * (midnight UTC); a zoneless time would depend on the server's clock settings.
 */
export const IsTimestamp = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isTimestamp',
      validator: {
        validate: isTimestamp,
        defaultMessage: (args) =>
          plusSentAsSpaceIssue(args?.value, isTimestamp) ??
          'must be an ISO-8601 date-time with a time zone (2026-03-01T09:00:00Z) or a date',
      },
    },
    options,
  );

/**
 * A range's start (`from`) before its end (`to`, the property named): otherwise the range is
 * empty, and a list would answer an empty page as if nothing matched. Checked only when both
 * are valid timestamps (their own validators report the rest).
 */
export const IsBeforeTimestamp = (end: string, options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isBeforeTimestamp',
      validator: {
        validate: (v: unknown, args) => {
          const other = (args?.object as Record<string, unknown> | undefined)?.[end];
          if (!isTimestamp(v) || !isTimestamp(other)) return true;
          return new Date(v as string).getTime() < new Date(other as string).getTime();
        },
        defaultMessage: () => `must be before ${end}`,
      },
    },
    options,
  );

export function isPercent(value: unknown): boolean {
  // String(v) of a JSON number is its shortest exact form; tiny values print as 1e-7 and fail.
  return (
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value > 0 &&
    value <= 100 &&
    /^\d+(\.\d{1,4})?$/.test(String(value))
  );
}

/** 0 < p ≤ 100 with at most 4 decimals, so numeric(7,4) stores it exactly. */
export const IsPercent = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isPercent',
      validator: {
        validate: isPercent,
        defaultMessage: () =>
          'must be a number greater than 0 and at most 100, with at most 4 decimals',
      },
    },
    options,
  );

/**
 * One clear issue instead of IsInt + Min + Max each reporting (a string would fail all three).
 * The custom validators below keep their bounds as `constraints` too, where the OpenAPI document
 * test reads them (test/openapi-document.e2e-spec.ts); the checks themselves do not use them.
 */
export const IsIntInRange = (min: number, max: number, options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isIntInRange',
      constraints: [min, max],
      validator: {
        validate: (v: unknown) =>
          Number.isInteger(v) && (v as number) >= min && (v as number) <= max,
        defaultMessage: () => `must be an integer from ${min} to ${max}`,
      },
    },
    options,
  );

/** Money in minor units: an exact integer up to MAX_AMOUNT (so that sums stay exact too). */
export const IsAmount = (min: 0 | 1, options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isAmount',
      constraints: [min, MAX_AMOUNT],
      validator: {
        validate: (v: unknown) =>
          Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= MAX_AMOUNT,
        defaultMessage: () =>
          `must be an integer amount in minor units, from ${min} to ${MAX_AMOUNT}`,
      },
    },
    options,
  );

/** A string of min..max characters, as one issue. NUL cannot be stored in a PostgreSQL text. */
export const IsText = (min: number, max: number, options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isText',
      constraints: [min, max],
      validator: {
        validate: (v: unknown) =>
          typeof v === 'string' && v.length >= min && v.length <= max && !v.includes('\u0000'),
        defaultMessage: (args) =>
          typeof args?.value === 'string' && args.value.includes('\u0000')
            ? 'must not contain NUL characters'
            : min > 0
              ? `must be a string of ${min} to ${max} characters`
              : `must be a string of at most ${max} characters`,
      },
    },
    options,
  );

const OBJECT_ISSUE = 'must be an object';

/**
 * A nested object validated against its class, with one issue per problem. ValidateNested alone
 * ignores a missing value and walks an array element by element; the presence check closes both
 * (with @IsOptional/@IsOptionalNotNull in front, a missing value is skipped as usual).
 */
export function NestedObject(type: () => new () => object): PropertyDecorator {
  const present = ValidateBy({
    name: 'isPresentObject',
    validator: {
      // null is left to ValidateNested, which reports it once
      validate: (v: unknown) => v !== undefined && !Array.isArray(v),
      defaultMessage: () => OBJECT_ISSUE,
    },
  });
  const nested = ValidateNested({ message: OBJECT_ISSUE });
  const transform = Type(type);
  return (target: object, key: string | symbol) => {
    present(target, key);
    nested(target, key);
    transform(target, key);
  };
}

export const IsNumberInRange = (min: number, max: number, options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isNumberInRange',
      constraints: [min, max],
      validator: {
        validate: (v: unknown) =>
          typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max,
        defaultMessage: () => `must be a number from ${min} to ${max}`,
      },
    },
    options,
  );
