import { classifyEmailDomain } from '@/modules/fraud/email-domains';
import type { FraudRuleKey, FraudRules } from '@/modules/fraud/fraud-rules';

/**
 * What the screening knows about one attributed event, loaded in one statement for a batch
 * (FraudEvidenceRepository) plus what the event itself says. null: not known or not looked up.
 */
export interface FraudFacts {
  eventType: string;
  occurredAt: Date;
  /** The event created the referral (velocity counts new referrals only). */
  newReferral: boolean;
  /** The friend's normalised e-mail domain. */
  emailDomain: string | null;
  /** Time of the click id the event itself carries (signed: no row needed). */
  eventClickedAt: Date | null;
  /** The stored row of the converting click (the event's click, else the referral's). */
  click: { isBot: boolean; uaFamily: string } | null;
  /** New referrals of the advocate in the program, this one included. */
  velocity: { lastHour: number; lastDay: number } | null;
  /** Distinct advocates the friend's identity was referred by, this one included. */
  identityAdvocates: number | null;
  /**
   * The converting click's visitor identity was also seen on a click of the advocate's own
   * events ('advocate') or on the referral click of another friend of the advocate ('friend').
   */
  sharedVisitor: 'advocate' | 'friend' | null;
}

export interface Triggered {
  rule: FraudRuleKey;
  detail: string;
}

/**
 * The hold rules that trigger for one event (selfReferral is decided by attribution, which
 * rejects). Pure; details carry counts and thresholds, never an e-mail or a visitor hash.
 */
export function evaluateFraudRules(rules: FraudRules, f: FraudFacts): Triggered[] {
  const out: Triggered[] = [];
  if (rules.sameVisitor.enabled && f.sharedVisitor) {
    out.push({
      rule: 'sameVisitor',
      detail:
        f.sharedVisitor === 'advocate'
          ? "the converting click came from the advocate's own device (same IP and user agent, same day)"
          : "the converting click came from the same device (same IP and user agent, same day) as another friend's referral of this advocate",
    });
  }
  if (rules.disposableEmail.enabled && f.emailDomain) {
    const verdict = classifyEmailDomain(f.emailDomain, rules.disposableEmail);
    if (verdict) {
      const what = {
        disposable: 'a disposable e-mail service',
        suspicious: 'not a public mail domain',
        blocked: "in the program's blocked domains",
      }[verdict];
      out.push({ rule: 'disposableEmail', detail: `e-mail domain ${f.emailDomain} is ${what}` });
    }
  }
  if (rules.velocity.enabled && f.newReferral && f.velocity) {
    const { maxPerHour, maxPerDay } = rules.velocity;
    if (f.velocity.lastHour > maxPerHour) {
      out.push({
        rule: 'velocity',
        detail: `${f.velocity.lastHour} new referrals for the advocate in the last hour (limit ${maxPerHour})`,
      });
    } else if (f.velocity.lastDay > maxPerDay) {
      out.push({
        rule: 'velocity',
        detail: `${f.velocity.lastDay} new referrals for the advocate in the last 24 hours (limit ${maxPerDay})`,
      });
    }
  }
  if (
    rules.multipleAdvocates.enabled &&
    f.identityAdvocates !== null &&
    f.identityAdvocates > rules.multipleAdvocates.maxAdvocates
  ) {
    out.push({
      rule: 'multipleAdvocates',
      detail: `the friend (customer id or e-mail) was referred by ${f.identityAdvocates} advocates (limit ${rules.multipleAdvocates.maxAdvocates})`,
    });
  }
  if (rules.botClick.enabled && f.click) {
    const family = f.click.uaFamily;
    if (f.click.isBot || rules.botClick.userAgentFamilies.includes(family)) {
      out.push({
        rule: 'botClick',
        detail: f.click.isBot
          ? 'the converting click was made by a bot'
          : `the converting click came from a user agent the rule lists (${family})`,
      });
    }
  }
  if (rules.fastConversion.enabled && f.eventType === 'purchase' && f.eventClickedAt) {
    const seconds = (f.occurredAt.getTime() - f.eventClickedAt.getTime()) / 1000;
    if (seconds < rules.fastConversion.minSeconds) {
      out.push({
        rule: 'fastConversion',
        detail: `purchase ${Math.max(0, Math.round(seconds))} s after the click (minimum ${rules.fastConversion.minSeconds} s)`,
      });
    }
  }
  return out;
}
