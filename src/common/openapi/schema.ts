/**
 * OpenAPI types for the API's numbers, spread into `@ApiProperty`. JSON has one number type: the
 * document tells clients which values are whole, and which need more than 32 bits.
 */

/** A whole number that stays within 32 bits: counts, days, positions, HTTP statuses. */
export const INTEGER = { type: 'integer' } as const;

/**
 * A whole number that can pass 2^31: reported reach and impressions (up to MAX_AUDIENCE each,
 * and their sums). Always below 2^53, so exact as a JSON number.
 */
export const INT64 = { type: 'integer', format: 'int64' } as const;

/**
 * Money: integer minor units of a currency. One amount is at most MAX_AMOUNT (10^12) and sums
 * (balances, batch totals, KPI revenue) go further: 64 bits, always exact below 2^53.
 */
export const MONEY = INT64;

/**
 * The pattern of a value the API folds to one case before checking it (tags, vanity codes,
 * domains): `a-z` or `A-Z` ranges accept both cases, as the server does.
 */
export function anyCase(pattern: RegExp): string {
  return pattern.source.replace(/A-Za-z|a-zA-Z|a-z|A-Z/g, 'A-Za-z');
}

/**
 * A time the API takes (`@IsTimestamp`): an ISO-8601 date-time with its zone, or a date, which
 * is its midnight UTC. `format: date-time` alone would make strict clients refuse a date.
 */
export const TIMESTAMP_INPUT: { type: 'string'; anyOf: { type: 'string'; format: string }[] } = {
  type: 'string',
  // The type in each branch too: @nestjs/swagger drops the outer one next to anyOf.
  anyOf: [
    { type: 'string', format: 'date-time' },
    { type: 'string', format: 'date' },
  ],
};
