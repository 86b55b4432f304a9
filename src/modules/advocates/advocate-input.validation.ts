import { plainToInstance } from 'class-transformer';
import { isEmail, validateSync } from 'class-validator';
import { ErrorDetail } from '@/common/errors/app-error';
import { flattenValidationErrors } from '@/common/errors/validation';
import { ADVOCATE_STATUSES, ADVOCATE_TIERS } from '@/modules/advocates/advocate.entity';
import {
  ADVOCATE_LIMITS,
  CreateAdvocateDto,
  normalizeTagList,
  TAG_PATTERN,
} from '@/modules/advocates/dto/advocate-input.dto';
import { CHANNELS } from '@/modules/programs/cta.entity';

export type InputCheck =
  { ok: true; dto: CreateAdvocateDto } | { ok: false; errors: ErrorDetail[] };

/**
 * Validates a plain advocate input (a CSV row) by the rules of `POST /v1/advocates`.
 * class-validator costs ~150 µs a row (it scans the metadata of every DTO class on each call),
 * 15 s per 100,000 rows; so a row that `quickCheck` finds valid skips it, and every other row
 * goes through the DTO itself, whose answer (and error wording) is the reference.
 */
export function validateAdvocateInput(input: Record<string, unknown>): InputCheck {
  return quickCheck(input) ?? checkWithDto(input);
}

export function checkWithDto(input: Record<string, unknown>): InputCheck {
  const dto = plainToInstance(CreateAdvocateDto, input);
  const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
  return errors.length ? { ok: false, errors: flattenValidationErrors(errors) } : { ok: true, dto };
}

// Code units the DTO's length rules count differently (surrogates, variation selectors): such
// text takes the DTO path, so these length checks can only be stricter than the DTO's.
const PLAIN_TEXT = /^[^\uD800-\uDFFF\uFE0E\uFE0F]*$/;
const EMAIL_OPTIONS = {};

function text(value: unknown, max: number): value is string {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= max &&
    value.trim() === value &&
    PLAIN_TEXT.test(value)
  );
}

function oneOf(list: readonly string[], value: unknown): boolean {
  return value === undefined || (typeof value === 'string' && list.includes(value));
}

/**
 * The same constants and validators as the DTO's decorators; answers only "clearly valid"
 * (the DTO-equivalent value) or undefined ("ask the DTO"), never an error of its own.
 * advocate-input.validation.spec.ts proves it never accepts what the DTO refuses.
 */
export function quickCheck(input: Record<string, unknown>): InputCheck | undefined {
  const known = ['externalId', 'email', 'name', 'tier', 'status', 'tags', 'socialProfiles'];
  if (Object.keys(input).some((k) => !known.includes(k))) return undefined;
  const { externalId, email, name, tier, status, socialProfiles } = input;
  if (!text(externalId, ADVOCATE_LIMITS.externalId)) return undefined;
  if (email != null && !(text(email, ADVOCATE_LIMITS.email) && isEmail(email, EMAIL_OPTIONS)))
    return undefined;
  if (name != null && !text(name, ADVOCATE_LIMITS.name)) return undefined;
  if (!oneOf(ADVOCATE_TIERS, tier) || !oneOf(ADVOCATE_STATUSES, status)) return undefined;
  const tags = normalizeTagList({ value: input.tags });
  if (tags !== undefined) {
    if (!Array.isArray(tags) || tags.length > ADVOCATE_LIMITS.tags) return undefined;
    if (!tags.every((t) => typeof t === 'string' && TAG_PATTERN.test(t))) return undefined;
  }
  if (socialProfiles !== undefined) {
    if (!Array.isArray(socialProfiles)) return undefined;
    if (socialProfiles.length > ADVOCATE_LIMITS.socialProfiles) return undefined;
    for (const p of socialProfiles as Record<string, unknown>[]) {
      if (typeof p !== 'object' || p === null) return undefined;
      if (Object.keys(p).some((k) => !['channel', 'handle', 'followers'].includes(k)))
        return undefined;
      if (!oneOf(CHANNELS, p.channel) || p.channel === undefined) return undefined;
      if (!text(p.handle, ADVOCATE_LIMITS.handle)) return undefined;
      const f = p.followers;
      if (f !== undefined && !(Number.isSafeInteger(f) && (f as number) >= 0)) return undefined;
    }
  }
  const dto = Object.assign(new CreateAdvocateDto(), input, tags === undefined ? {} : { tags });
  return { ok: true, dto };
}
