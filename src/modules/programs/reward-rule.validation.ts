import { ErrorDetail } from '@/common/errors/app-error';
import { assertUnreachable } from '@/common/errors/error-status';
import type { Channel } from '@/modules/programs/cta.entity';
import {
  Recipient,
  RewardKind,
  RewardRuleEntity,
  RuleCap,
  RuleConditions,
  RuleLimits,
  TriggerEvent,
} from '@/modules/programs/reward-rule.entity';

/** A rule as the API describes it (create body, or a stored rule merged with a PATCH). */
export interface RewardRuleInput {
  trigger: { event: TriggerEvent; name?: string | null };
  recipient: Recipient;
  reward: {
    kind: RewardKind;
    amount?: number | null;
    percent?: number | null;
    maxAmount?: number | null;
    currency?: string | null;
  };
  conditions?: RuleConditionsInput | null;
  limits?: RuleLimitsInput | null;
  milestone?: { nthReferral?: number | null } | null;
  holdDays?: number | null;
  description?: string | null;
}

export interface RuleConditionsInput {
  minOrderAmount?: number | null;
  newCustomersOnly?: boolean | null;
  firstPurchaseOnly?: boolean | null;
  ctaKeys?: string[] | null;
  channels?: Channel[] | null;
}

export interface RuleCapInput {
  count?: number | null;
  amount?: number | null;
}

export interface RuleLimitsInput {
  perAdvocateTotal?: RuleCapInput | null;
  perAdvocatePerMonth?: RuleCapInput | null;
  programBudget?: number | null;
}

export interface RuleContext {
  programCurrency: string;
  /** Keys of the program's CTAs, for conditions.ctaKeys. */
  ctaKeys: readonly string[];
}

/** The columns a valid rule is stored as. */
export type NormalizedRule = Pick<
  RewardRuleEntity,
  | 'triggerEvent'
  | 'triggerName'
  | 'recipient'
  | 'rewardKind'
  | 'amount'
  | 'percent'
  | 'maxAmount'
  | 'currency'
  | 'conditions'
  | 'limits'
  | 'milestoneNthReferral'
  | 'holdDays'
  | 'description'
>;

/**
 * The cross-field rules of a reward rule, which single-field validation cannot see. Shape and
 * ranges (integers, enums, 0 < percent ≤ 100…) are the DTO's job and assumed here. Returns every
 * issue at once, each naming its field, plus the rule as stored (currency defaulted).
 */
export function checkRewardRule(
  input: RewardRuleInput,
  ctx: RuleContext,
): { issues: ErrorDetail[]; rule: NormalizedRule } {
  const issues: ErrorDetail[] = [];
  const { trigger, reward } = input;
  const isPurchase = trigger.event === 'purchase';
  const hasAmount = reward.amount != null;
  const hasPercent = reward.percent != null;

  if (trigger.event === 'custom' && !trigger.name) {
    issues.push({ field: 'trigger.name', issue: 'is required when trigger.event is custom' });
  } else if (trigger.event !== 'custom' && trigger.name != null) {
    issues.push({ field: 'trigger.name', issue: 'is only allowed when trigger.event is custom' });
  }

  if (hasAmount && hasPercent) {
    issues.push({ field: 'reward.amount', issue: 'give either amount or percent, not both' });
  } else if (!hasAmount && !hasPercent && reward.kind !== 'custom') {
    issues.push({ field: 'reward.amount', issue: 'exactly one of amount or percent is required' });
  }
  if (hasPercent && !isPurchase) {
    issues.push({
      field: 'reward.percent',
      issue: 'needs trigger.event purchase (it is a percent of the order amount)',
    });
  }
  if (reward.maxAmount != null && !hasPercent) {
    issues.push({ field: 'reward.maxAmount', issue: 'is only allowed with percent' });
  }

  const currency = rewardCurrency(input, ctx, issues);
  const conditions = checkConditions(input.conditions ?? {}, isPurchase, ctx, issues);
  const limits = checkLimits(input.limits ?? {}, currency, reward.kind, issues);

  return {
    issues,
    rule: {
      triggerEvent: trigger.event,
      triggerName: trigger.name ?? null,
      recipient: input.recipient,
      rewardKind: reward.kind,
      amount: reward.amount ?? null,
      percent: reward.percent ?? null,
      maxAmount: reward.maxAmount ?? null,
      currency,
      conditions,
      limits,
      milestoneNthReferral: input.milestone?.nthReferral ?? null,
      holdDays: input.holdDays ?? null,
      description: input.description ?? null,
    },
  };
}

/** Money kinds are paid in the program currency (the default); points have none. */
function rewardCurrency(
  { reward }: RewardRuleInput,
  { programCurrency }: RuleContext,
  issues: ErrorDetail[],
): string | null {
  const given = reward.currency ?? null;
  const mismatch = () =>
    issues.push({
      field: 'reward.currency',
      issue: `must equal the program currency (${programCurrency})`,
    });
  const kind = reward.kind;
  switch (kind) {
    case 'cash':
    case 'credit':
    case 'gift_card':
    case 'coupon':
      if (given !== null && given !== programCurrency) mismatch();
      return programCurrency;
    case 'points':
      if (reward.percent != null) {
        issues.push({ field: 'reward.kind', issue: 'points take a whole amount, not a percent' });
      }
      if (given !== null)
        issues.push({ field: 'reward.currency', issue: 'must be omitted for points' });
      return null;
    case 'custom':
      // A custom reward (a T-shirt…) may carry no value; when it has one it is in program money.
      if (given !== null && given !== programCurrency) mismatch();
      return given ?? (reward.amount != null || reward.percent != null ? programCurrency : null);
    default:
      return assertUnreachable(kind);
  }
}

function checkConditions(
  c: RuleConditionsInput,
  isPurchase: boolean,
  ctx: RuleContext,
  issues: ErrorDetail[],
): RuleConditions {
  if (!isPurchase && c.minOrderAmount != null) {
    issues.push({
      field: 'conditions.minOrderAmount',
      issue: 'only applies when trigger.event is purchase',
    });
  }
  if (!isPurchase && c.firstPurchaseOnly === true) {
    issues.push({
      field: 'conditions.firstPurchaseOnly',
      issue: 'only applies when trigger.event is purchase',
    });
  }
  const known = new Set(ctx.ctaKeys);
  (c.ctaKeys ?? []).forEach((key, i) => {
    if (!known.has(key)) {
      issues.push({
        field: `conditions.ctaKeys[${i}]`,
        issue: 'is not the key of a CTA of this program',
      });
    }
  });
  const out: RuleConditions = {};
  if (c.minOrderAmount != null) out.minOrderAmount = c.minOrderAmount;
  if (c.newCustomersOnly != null) out.newCustomersOnly = c.newCustomersOnly;
  if (c.firstPurchaseOnly != null) out.firstPurchaseOnly = c.firstPurchaseOnly;
  if (c.ctaKeys != null) out.ctaKeys = [...c.ctaKeys];
  if (c.channels != null) out.channels = [...c.channels];
  return out;
}

/** Amount caps count in the rule's currency (points for a points rule). */
function checkLimits(
  l: RuleLimitsInput,
  currency: string | null,
  kind: RewardKind,
  issues: ErrorDetail[],
): RuleLimits {
  const measurable = currency !== null || kind === 'points';
  const notMeasurable = 'needs a reward with a currency (or points) to count amounts in';
  const cap = (name: 'perAdvocateTotal' | 'perAdvocatePerMonth'): RuleCap | undefined => {
    const given = l[name];
    if (given == null) return undefined;
    if (given.count == null && given.amount == null) {
      issues.push({ field: `limits.${name}`, issue: 'needs count or amount' });
    }
    if (given.amount != null && !measurable) {
      issues.push({ field: `limits.${name}.amount`, issue: notMeasurable });
    }
    const out: RuleCap = {};
    if (given.count != null) out.count = given.count;
    if (given.amount != null) out.amount = given.amount;
    return out;
  };
  const out: RuleLimits = {};
  const total = cap('perAdvocateTotal');
  const monthly = cap('perAdvocatePerMonth');
  if (total) out.perAdvocateTotal = total;
  if (monthly) out.perAdvocatePerMonth = monthly;
  if (l.programBudget != null) {
    if (!measurable) issues.push({ field: 'limits.programBudget', issue: notMeasurable });
    out.programBudget = l.programBudget;
  }
  return out;
}

/** A stored rule in API form, to merge a PATCH onto and check again. */
export function ruleInputOf(r: RewardRuleEntity): RewardRuleInput {
  return {
    trigger: { event: r.triggerEvent, name: r.triggerName },
    recipient: r.recipient,
    reward: {
      kind: r.rewardKind,
      amount: r.amount,
      percent: r.percent,
      maxAmount: r.maxAmount,
      currency: r.currency,
    },
    conditions: r.conditions,
    limits: r.limits,
    milestone: { nthReferral: r.milestoneNthReferral },
    holdDays: r.holdDays,
    description: r.description,
  };
}
