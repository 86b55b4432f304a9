import type {
  Recipient,
  RewardKind,
  RuleConditions,
  RuleLimits,
  TriggerEvent,
} from '@/modules/programs/reward-rule.entity';
import { percentOf } from '@/modules/rewards/reward-math';

/**
 * Pure rule evaluation: given a rule, the attributed event and what the advocate/program has
 * used so far, either the reward to give or the reason there is none. Checks run in a fixed
 * order (trigger → milestone → conditions → amount → limits → budgets), and the first failing
 * one is the reason reported in the event's `skipped` list.
 */

export interface RuleSpec {
  id: string;
  triggerEvent: TriggerEvent;
  triggerName: string | null;
  recipient: Recipient;
  rewardKind: RewardKind;
  amount: number | null;
  /** As stored (numeric text or number), at most 4 decimals. */
  percent: number | string | null;
  maxAmount: number | null;
  currency: string | null;
  conditions: RuleConditions;
  limits: RuleLimits;
  milestoneNthReferral: number | null;
  holdDays: number | null;
}

export interface EvaluatedEvent {
  type: 'signup' | 'purchase' | 'custom';
  name: string | null;
  order: { amount: number; currency: string } | null;
  ctaKey: string | null;
  channel: string | null;
  isNewCustomer: boolean;
  isFirstPurchase: boolean;
  /** The customer's first signup event in the brand (a signup earns once per friend). */
  isFirstSignup: boolean;
  /** This event converts the referral (its first attributed purchase). */
  convertsReferral: boolean;
  /** The advocate's converted referrals in the program, this one included. */
  advocateConversions: number;
}

export interface CapUsage {
  count: number;
  amount: number;
}

/** What counts against the rule's limits before this reward. */
export interface LimitUsage {
  perAdvocateTotal: CapUsage;
  perAdvocatePerMonth: CapUsage;
  /** Given so far by this rule in the program (limits.programBudget). */
  ruleSpent: number;
  /** The program's budget (budgetAmount) and what all its rules gave so far. */
  programBudget: number | null;
  programSpent: number;
}

export type Evaluation =
  | { ok: true; amount: number | null; percent: number | string | null }
  | { ok: false; reason: string };

export function ruleTriggers(
  rule: Pick<RuleSpec, 'triggerEvent' | 'triggerName'>,
  e: EvaluatedEvent,
): boolean {
  if (rule.triggerEvent !== e.type) return false;
  return rule.triggerEvent !== 'custom' || rule.triggerName === e.name;
}

export function checkMilestone(rule: RuleSpec, e: EvaluatedEvent): string | null {
  const nth = rule.milestoneNthReferral;
  if (nth == null) return null;
  if (e.advocateConversions < nth) return 'milestone_not_reached';
  // reached before: by an earlier referral, or by this friend's earlier purchase
  if (!e.convertsReferral || e.advocateConversions > nth) return 'milestone_already_reached';
  return null;
}

export function checkConditions(rule: RuleSpec, e: EvaluatedEvent): string | null {
  // A friend signs up once: a later signup event of the customer (a retry under a new event
  // id, a second account event, a referral moved to another advocate) earns nothing.
  if (e.type === 'signup' && !e.isFirstSignup) return 'repeat_signup';
  const c = rule.conditions ?? {};
  if (c.minOrderAmount != null) {
    if (!e.order) return 'condition_not_met:minOrderAmount';
    // Amounts in two currencies cannot be compared (conversion is a later feature).
    if (rule.currency !== null && e.order.currency !== rule.currency) return 'currency_mismatch';
    if (e.order.amount < c.minOrderAmount) return 'condition_not_met:minOrderAmount';
  }
  if (c.newCustomersOnly === true && !e.isNewCustomer) return 'condition_not_met:newCustomersOnly';
  if (c.firstPurchaseOnly === true && !e.isFirstPurchase) {
    return 'condition_not_met:firstPurchaseOnly';
  }
  if (c.ctaKeys?.length && (e.ctaKey === null || !c.ctaKeys.includes(e.ctaKey))) {
    return 'condition_not_met:ctaKeys';
  }
  if (c.channels?.length && (e.channel === null || !c.channels.includes(e.channel as never))) {
    return 'condition_not_met:channels';
  }
  return null;
}

/**
 * The reward's value. A coupon with a percent is a percent-off coupon: it carries the percent
 * and no amount. Any other percent is a percent of the order in the rule's (program) currency;
 * an order in another currency earns nothing (`currency_mismatch`).
 */
export function rewardAmount(rule: RuleSpec, e: EvaluatedEvent): Evaluation {
  if (rule.percent == null) return { ok: true, amount: rule.amount, percent: null };
  if (rule.rewardKind === 'coupon') return { ok: true, amount: null, percent: rule.percent };
  if (!e.order) return { ok: false, reason: 'condition_not_met:order' };
  if (rule.currency === null || e.order.currency !== rule.currency) {
    return { ok: false, reason: 'currency_mismatch' };
  }
  const amount = percentOf(e.order.amount, rule.percent, rule.currency, rule.maxAmount);
  if (amount <= 0) return { ok: false, reason: 'zero_amount' };
  return { ok: true, amount, percent: rule.percent };
}

/** Whether a reward of this rule spends the program's budget (money in the program currency). */
export function spendsProgramBudget(rule: RuleSpec, programCurrency: string): boolean {
  return rule.rewardKind !== 'points' && rule.currency === programCurrency;
}

export function checkLimits(
  rule: RuleSpec,
  amount: number | null,
  usage: LimitUsage,
  programCurrency: string,
): string | null {
  const value = amount ?? 0;
  const l = rule.limits ?? {};
  const over = (cap: { count?: number; amount?: number } | undefined, used: CapUsage) =>
    cap !== undefined &&
    ((cap.count != null && used.count + 1 > cap.count) ||
      (cap.amount != null && used.amount + value > cap.amount));
  if (over(l.perAdvocateTotal, usage.perAdvocateTotal)) return 'limit_reached:perAdvocateTotal';
  if (over(l.perAdvocatePerMonth, usage.perAdvocatePerMonth)) {
    return 'limit_reached:perAdvocatePerMonth';
  }
  // A budget is never overdrawn: a reward that does not fit whole is not given.
  if (l.programBudget != null && usage.ruleSpent + value > l.programBudget) {
    return 'budget_exhausted:rule';
  }
  if (
    usage.programBudget !== null &&
    spendsProgramBudget(rule, programCurrency) &&
    usage.programSpent + value > usage.programBudget
  ) {
    return 'budget_exhausted';
  }
  return null;
}

/** Everything but the trigger (callers pick the triggered rules first) and the coupon pool. */
export function evaluateRule(
  rule: RuleSpec,
  e: EvaluatedEvent,
  usage: LimitUsage,
  programCurrency: string,
): Evaluation {
  const notReached = checkMilestone(rule, e);
  if (notReached) return { ok: false, reason: notReached };
  const unmet = checkConditions(rule, e);
  if (unmet) return { ok: false, reason: unmet };
  const value = rewardAmount(rule, e);
  if (!value.ok) return value;
  const limited = checkLimits(rule, value.amount, usage, programCurrency);
  if (limited) return { ok: false, reason: limited };
  return value;
}

/** Rules that need the advocate's usage counted under a lock. */
export function needsAdvocateUsage(rule: RuleSpec): boolean {
  const l = rule.limits ?? {};
  return l.perAdvocateTotal !== undefined || l.perAdvocatePerMonth !== undefined;
}

/** UTC calendar month of a date, `YYYY-MM` (monthly limits). */
export function monthOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}
