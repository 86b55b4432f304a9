import type { ErrorDetail } from '@/common/errors/app-error';
import { USER_AGENT_FAMILIES } from '@/modules/tracking/user-agent';

/**
 * Fraud rules of a program: which are on and their thresholds. Defaults are chosen for a
 * customer-to-customer referral program in production; influencer programs raise the velocity
 * limits. A triggered rule holds the referral and its rewards for a person to decide
 * (GET /v1/reviews), except selfReferral, which rejects outright as attribution always has.
 */
export const FRAUD_RULE_KEYS = [
  'selfReferral',
  'sameVisitor',
  'disposableEmail',
  'velocity',
  'multipleAdvocates',
  'botClick',
  'fastConversion',
] as const;
export type FraudRuleKey = (typeof FRAUD_RULE_KEYS)[number];

export interface FraudRules {
  /** The friend is the advocate (customer id or normalised e-mail): the referral is rejected. */
  selfReferral: { enabled: boolean };
  /** The converting click's visitor identity (IP + user agent, same day) is the advocate's own or another friend's of the same advocate. */
  sameVisitor: { enabled: boolean };
  /** The friend's e-mail domain is disposable, reserved, an IP, or in blockedDomains (allowedDomains win). */
  disposableEmail: { enabled: boolean; blockedDomains: string[]; allowedDomains: string[] };
  /** More than maxPerHour / maxPerDay new referrals for one advocate in the program. */
  velocity: { enabled: boolean; maxPerHour: number; maxPerDay: number };
  /** One person (customer id or normalised e-mail) referred by more than maxAdvocates advocates. */
  multipleAdvocates: { enabled: boolean; maxAdvocates: number };
  /** The converting click was a bot, or of one of these user-agent families (scripts). */
  botClick: { enabled: boolean; userAgentFamilies: string[] };
  /** A purchase less than minSeconds after the click it carries. */
  fastConversion: { enabled: boolean; minSeconds: number };
}

/** What a brand sends (PUT): any rule or field left out takes its default. */
export type FraudRulesInput = { [K in FraudRuleKey]?: Partial<FraudRules[K]> };

export const DEFAULT_FRAUD_RULES: Readonly<FraudRules> = Object.freeze({
  selfReferral: { enabled: true },
  sameVisitor: { enabled: true },
  disposableEmail: { enabled: true, blockedDomains: [], allowedDomains: [] },
  velocity: { enabled: true, maxPerHour: 20, maxPerDay: 100 },
  multipleAdvocates: { enabled: true, maxAdvocates: 1 },
  botClick: { enabled: true, userAgentFamilies: ['curl'] },
  fastConversion: { enabled: true, minSeconds: 10 },
});

/** Why a referral is held: the rule, what it saw (no personal data), on which event, when. */
export interface FraudReason {
  rule: FraudRuleKey;
  detail: string;
  /** Tandem's event id (`evt_…`) that triggered it. */
  eventId: string;
  at: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The effective rules: the stored settings over the defaults, field by field. Anything stored
 * that is not of the expected type is ignored (the default applies), so a row written by an
 * older version never breaks event intake.
 */
export function resolveFraudRules(stored: unknown): FraudRules {
  const out = structuredClone(DEFAULT_FRAUD_RULES) as FraudRules;
  if (!isObject(stored)) return out;
  for (const key of FRAUD_RULE_KEYS) {
    const given = stored[key];
    if (!isObject(given)) continue;
    const target = out[key] as unknown as Record<string, unknown>;
    for (const [field, value] of Object.entries(given)) {
      const current = target[field];
      if (current === undefined) continue;
      if (typeof current === 'boolean' && typeof value === 'boolean') target[field] = value;
      else if (typeof current === 'number' && Number.isInteger(value) && (value as number) > 0)
        target[field] = value;
      else if (
        Array.isArray(current) &&
        Array.isArray(value) &&
        value.every((v) => typeof v === 'string')
      )
        target[field] = [...value];
    }
  }
  return out;
}

const FAMILY_BY_FOLDED = new Map(USER_AGENT_FAMILIES.map((f) => [f.toLowerCase(), f]));

/**
 * botClick.userAgentFamilies as clicks record them: matched without regard to case (`CURL`,
 * `instagram in-app`) and spaces around, answered in the recorded spelling (`curl`,
 * `Instagram in-app`), repeats dropped. A name clicks never record could never match a click:
 * it is an issue naming its position (`field[1]`), with the families there are.
 */
export function canonicalUserAgentFamilies(
  values: readonly string[],
  field: string,
): { families: string[]; issues: ErrorDetail[] } {
  const families: string[] = [];
  const issues: ErrorDetail[] = [];
  values.forEach((value, i) => {
    const family = FAMILY_BY_FOLDED.get(value.trim().toLowerCase());
    if (family === undefined) {
      issues.push({
        field: `${field}[${i}]`,
        issue: `must be a user-agent family clicks record (in any case): ${USER_AGENT_FAMILIES.join(', ')}`,
      });
    } else if (!families.includes(family)) families.push(family);
  });
  return { families, issues };
}
