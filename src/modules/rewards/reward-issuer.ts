import { Injectable } from '@nestjs/common';
import { customAlphabet } from 'nanoid';
import { EntityManager } from 'typeorm';
import { newId } from '@/common/ids';
import type {
  ConfigSnapshot,
  ProgramConfig,
  RuleConfig,
} from '@/modules/attribution/config-snapshot';
import { CODE_ALPHABET } from '@/modules/enrollments/referral-code';
import type { Recipient, RewardKind } from '@/modules/programs/reward-rule.entity';
import {
  AdvocateUsage,
  RewardUsageRepository,
  Tally,
  usageKey,
} from '@/modules/rewards/reward-usage.repository';
import type { RewardStatus } from '@/modules/rewards/reward.entity';
import {
  CapUsage,
  EvaluatedEvent,
  evaluateRule,
  monthOf,
  needsAdvocateUsage,
  ruleTriggers,
  spendsProgramBudget,
} from '@/modules/rewards/rule-evaluation';

/** Generated coupon codes: 10 characters nobody mistypes (~50 bits). */
const generateCouponCode = customAlphabet(CODE_ALPHABET, 10);
const DAY_MS = 86_400_000;

export interface IssueRequest {
  /** Our event id (`evt_…`). */
  eventRowId: string;
  programId: string;
  advocateId: string;
  customerId: string;
  referralId: string | null;
  occurredAt: Date;
  /** Rewards are created held with this reason (fraud review) instead of pending. */
  holdReason: string | null;
  event: Omit<EvaluatedEvent, 'advocateConversions'>;
}

export interface IssuedReward {
  id: string;
  ruleId: string;
  recipient: Recipient;
  kind: RewardKind;
  amount: number | null;
  currency: string | null;
  percent: number | null;
  couponCode: string | null;
  status: RewardStatus;
  availableAt: Date;
}

export interface IssueResult {
  rewards: IssuedReward[];
  skipped: { ruleId: string; recipient: Recipient; reason: string }[];
}

export interface IssueOutput {
  results: Map<string, IssueResult>;
  rewardRows: Record<string, unknown>[];
  couponAssignments: Record<string, unknown>[];
  tallySets: Record<string, unknown>[];
}

const programTallyKey = (id: string) => `program:${id}`;
const ruleTallyKey = (id: string) => `rule:${id}`;
export { programTallyKey, ruleTallyKey };

/**
 * Turns attributed events into rewards inside the event transaction: locks what limits,
 * budgets and milestones count, reads the counts, then evaluates every triggered rule of every
 * event in order, counting what earlier events of the batch gave.
 */
@Injectable()
export class RewardIssuer {
  constructor(private readonly usage: RewardUsageRepository) {}

  async issue(
    em: EntityManager,
    brandId: string,
    snapshot: ConfigSnapshot,
    requests: IssueRequest[],
  ): Promise<IssueOutput> {
    const triggered = requests.map((r) => {
      const program = snapshot.programs.get(r.programId)!;
      return {
        request: r,
        program,
        rules: program.rules.filter((rule) => ruleTriggers(rule, r.event as EvaluatedEvent)),
      };
    });
    const counts = await this.lockAndCount(em, brandId, triggered);
    const output: IssueOutput = {
      results: new Map(),
      rewardRows: [],
      couponAssignments: [],
      tallySets: [],
    };
    const batchConversions = new Map<string, number>();
    for (const { request, program, rules } of triggered) {
      const pairKey = usageKey(program.id, request.advocateId);
      if (request.event.convertsReferral) {
        batchConversions.set(pairKey, (batchConversions.get(pairKey) ?? 0) + 1);
      }
      const event: EvaluatedEvent = {
        ...request.event,
        advocateConversions:
          (counts.conversions.get(pairKey) ?? 0) + (batchConversions.get(pairKey) ?? 0),
      };
      const result: IssueResult = { rewards: [], skipped: [] };
      for (const rule of rules) {
        const given = this.evaluate(rule, program, request, event, counts);
        if ('reason' in given) {
          result.skipped.push({ ruleId: rule.id, recipient: rule.recipient, reason: given.reason });
          continue;
        }
        result.rewards.push(given.reward);
        output.rewardRows.push(rewardRow(brandId, program, rule, request, given.reward));
        if (given.poolCode) {
          output.couponAssignments.push({
            rule_id: rule.id,
            code: given.poolCode,
            reward_id: given.reward.id,
          });
        }
      }
      output.results.set(request.eventRowId, result);
    }
    for (const tally of counts.tallies.values()) {
      output.tallySets.push({
        key: tally.key,
        count: tally.count,
        amount: tally.amount,
        basis: tally.basis,
      });
    }
    return output;
  }

  private evaluate(
    rule: RuleConfig,
    program: ProgramConfig,
    request: IssueRequest,
    event: EvaluatedEvent,
    counts: Counts,
  ): { reason: string } | { reward: IssuedReward; poolCode: string | null } {
    const month = monthOf(request.occurredAt);
    const advocate = counts.advocates.get(usageKey(rule.id, request.advocateId));
    const ruleTally = counts.tallies.get(ruleTallyKey(rule.id));
    const programTally = counts.tallies.get(programTallyKey(program.id));
    const verdict = evaluateRule(
      rule,
      event,
      {
        perAdvocateTotal: advocate?.total ?? ZERO,
        perAdvocatePerMonth: advocate?.months.get(month) ?? ZERO,
        ruleSpent: ruleTally?.amount ?? 0,
        programBudget: program.budgetAmount,
        programSpent: programTally?.amount ?? 0,
      },
      program.currency,
    );
    if (!verdict.ok) return { reason: verdict.reason };

    let couponCode: string | null = null;
    let poolCode: string | null = null;
    if (rule.rewardKind === 'coupon') {
      if (rule.hasPool) {
        poolCode = counts.poolCodes.get(rule.id)?.shift() ?? null;
        if (poolCode === null) return { reason: 'coupon_pool_empty' };
        couponCode = poolCode;
      } else {
        couponCode = generateCouponCode();
      }
    }
    // Count what this reward uses, for the next events of the batch.
    const value = verdict.amount ?? 0;
    if (advocate || needsAdvocateUsage(rule)) {
      const entry = advocate ?? { total: { ...ZERO }, months: new Map<string, CapUsage>() };
      const m = entry.months.get(month) ?? { ...ZERO };
      entry.total = { count: entry.total.count + 1, amount: entry.total.amount + value };
      entry.months.set(month, { count: m.count + 1, amount: m.amount + value });
      counts.advocates.set(usageKey(rule.id, request.advocateId), entry);
    }
    if (ruleTally)
      Object.assign(ruleTally, { count: ruleTally.count + 1, amount: ruleTally.amount + value });
    if (programTally && spendsProgramBudget(rule, program.currency)) {
      Object.assign(programTally, {
        count: programTally.count + 1,
        amount: programTally.amount + value,
      });
    }
    const holdDays = rule.holdDays ?? program.holdDays;
    return {
      poolCode,
      reward: {
        id: newId('reward'),
        ruleId: rule.id,
        recipient: rule.recipient,
        kind: rule.rewardKind,
        amount: verdict.amount,
        currency: rule.currency,
        percent: verdict.percent === null ? null : Number(verdict.percent),
        couponCode,
        status: request.holdReason ? 'held' : 'pending',
        availableAt: new Date(request.occurredAt.getTime() + holdDays * DAY_MS),
      },
    };
  }

  /** Takes the locks the triggered rules need (in a fixed order), then reads the counts. */
  private async lockAndCount(
    em: EntityManager,
    brandId: string,
    triggered: { request: IssueRequest; program: ProgramConfig; rules: RuleConfig[] }[],
  ): Promise<Counts> {
    const pairs = new Map<string, { programId: string; advocateId: string }>();
    const limitedRules = new Set<string>();
    const milestonePrograms = new Set<string>();
    const tallyBasis = new Map<
      string,
      { basis: string; rebuild: () => Promise<{ count: number; amount: number }> }
    >();
    const poolWants = new Map<string, number>();
    for (const { request, program, rules } of triggered) {
      for (const rule of rules) {
        const limited = needsAdvocateUsage(rule);
        if (limited) limitedRules.add(rule.id);
        if (rule.milestoneNthReferral != null) milestonePrograms.add(program.id);
        if (limited || rule.milestoneNthReferral != null) {
          pairs.set(usageKey(program.id, request.advocateId), {
            programId: program.id,
            advocateId: request.advocateId,
          });
        }
        if (rule.limits?.programBudget != null) {
          tallyBasis.set(ruleTallyKey(rule.id), {
            basis: rule.updatedAt,
            rebuild: () => this.usage.sumRuleSpend(em, brandId, rule.id),
          });
        }
        if (program.budgetAmount !== null && spendsProgramBudget(rule, program.currency)) {
          tallyBasis.set(programTallyKey(program.id), {
            basis: program.updatedAt,
            rebuild: () => this.usage.sumProgramSpend(em, brandId, program.id, program.currency),
          });
        }
        if (rule.rewardKind === 'coupon' && rule.hasPool) {
          poolWants.set(rule.id, (poolWants.get(rule.id) ?? 0) + 1);
        }
      }
    }
    const counts: Counts = {
      advocates: new Map(),
      conversions: new Map(),
      tallies: new Map(),
      poolCodes: new Map(),
    };
    if (pairs.size > 0) {
      const list = [...pairs.values()];
      await this.usage.lockEnrollments(em, brandId, list);
      const found = await this.usage.findAdvocateUsage(
        em,
        brandId,
        [...limitedRules],
        [...milestonePrograms],
        list.map((p) => p.advocateId),
      );
      counts.advocates = found.rewards;
      counts.conversions = found.conversions;
    }
    if (tallyBasis.size > 0) {
      counts.tallies = await this.usage.lockTallies(em, brandId, [...tallyBasis.keys()]);
      for (const [key, { basis, rebuild }] of tallyBasis) {
        const tally = counts.tallies.get(key)!;
        // Built for another configuration (or just created): rebuild it from the rewards.
        if (tally.basis !== basis) Object.assign(tally, await rebuild(), { basis });
      }
    }
    if (poolWants.size > 0) {
      counts.poolCodes = await this.usage.lockPoolCodes(
        em,
        brandId,
        [...poolWants].map(([ruleId, count]) => ({ ruleId, count })),
      );
    }
    return counts;
  }
}

const ZERO: CapUsage = { count: 0, amount: 0 };

interface Counts {
  advocates: Map<string, AdvocateUsage>;
  conversions: Map<string, number>;
  tallies: Map<string, Tally>;
  poolCodes: Map<string, string[]>;
}

function rewardRow(
  brandId: string,
  program: ProgramConfig,
  rule: RuleConfig,
  request: IssueRequest,
  reward: IssuedReward,
): Record<string, unknown> {
  return {
    id: reward.id,
    brand_id: brandId,
    program_id: program.id,
    rule_id: rule.id,
    event_id: request.eventRowId,
    referral_id: request.referralId,
    advocate_id: request.advocateId,
    customer_id: request.customerId,
    recipient: reward.recipient,
    kind: reward.kind,
    amount: reward.amount,
    currency: reward.currency,
    percent: reward.percent,
    coupon_code: reward.couponCode,
    status: reward.status,
    reason: request.holdReason,
    occurred_at: request.occurredAt.toISOString(),
    available_at: reward.availableAt.toISOString(),
    approved_at: null,
    clawback_of: null,
  };
}
