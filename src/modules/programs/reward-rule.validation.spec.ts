import {
  checkRewardRule,
  RewardRuleInput,
  ruleInputOf,
} from '@/modules/programs/reward-rule.validation';
import { RewardRuleEntity } from '@/modules/programs/reward-rule.entity';

const ctx = { programCurrency: 'USD', ctaKeys: ['copy-link', 'ig-story', 'tiktok-bio'] };

const advocateCash: RewardRuleInput = {
  trigger: { event: 'purchase' },
  recipient: 'advocate',
  reward: { kind: 'cash', amount: 1000, currency: 'USD' },
};
const friendCoupon: RewardRuleInput = {
  trigger: { event: 'purchase' },
  recipient: 'friend',
  reward: { kind: 'coupon', percent: 15 },
  conditions: { firstPurchaseOnly: true, minOrderAmount: 5000 },
};

function issuesOf(input: RewardRuleInput, context = ctx) {
  return checkRewardRule(input, context).issues;
}
function fieldsOf(input: RewardRuleInput, context = ctx) {
  return issuesOf(input, context).map((i) => i.field);
}
function withReward(base: RewardRuleInput, reward: RewardRuleInput['reward']): RewardRuleInput {
  return { ...base, reward };
}

describe('checkRewardRule', () => {
  it('accepts "advocate gets 10.00 USD cash on purchase" as stored columns', () => {
    const { issues, rule } = checkRewardRule(advocateCash, ctx);
    expect(issues).toEqual([]);
    expect(rule).toEqual({
      triggerEvent: 'purchase',
      triggerName: null,
      recipient: 'advocate',
      rewardKind: 'cash',
      amount: 1000,
      percent: null,
      maxAmount: null,
      currency: 'USD',
      conditions: {},
      limits: {},
      milestoneNthReferral: null,
      holdDays: null,
      description: null,
    });
  });

  it('accepts "friend gets a 15% coupon on a first purchase over 50.00", currency defaulted', () => {
    const { issues, rule } = checkRewardRule(friendCoupon, ctx);
    expect(issues).toEqual([]);
    expect(rule).toMatchObject({
      rewardKind: 'coupon',
      amount: null,
      percent: 15,
      currency: 'USD',
      conditions: { firstPurchaseOnly: true, minOrderAmount: 5000 },
    });
  });

  it('defaults the currency of money kinds to the program currency and refuses another', () => {
    for (const kind of ['cash', 'credit', 'gift_card', 'coupon'] as const) {
      const ok = checkRewardRule(withReward(advocateCash, { kind, amount: 500 }), ctx);
      expect([kind, ok.issues, ok.rule.currency]).toEqual([kind, [], 'USD']);
      expect(fieldsOf(withReward(advocateCash, { kind, amount: 500, currency: 'EUR' }))).toEqual([
        'reward.currency',
      ]);
    }
  });

  it('needs exactly one of amount and percent', () => {
    expect(fieldsOf(withReward(advocateCash, { kind: 'cash' }))).toEqual(['reward.amount']);
    expect(fieldsOf(withReward(advocateCash, { kind: 'cash', amount: 100, percent: 5 }))).toEqual([
      'reward.amount',
    ]);
  });

  it('allows a percent only on purchase triggers', () => {
    const signup: RewardRuleInput = {
      ...advocateCash,
      trigger: { event: 'signup' },
      reward: { kind: 'credit', percent: 10 },
    };
    expect(fieldsOf(signup)).toEqual(['reward.percent']);
    expect(fieldsOf({ ...signup, trigger: { event: 'purchase' } })).toEqual([]);
  });

  it('allows maxAmount only with a percent', () => {
    expect(
      fieldsOf(withReward(advocateCash, { kind: 'cash', amount: 100, maxAmount: 50 })),
    ).toEqual(['reward.maxAmount']);
    expect(
      issuesOf(withReward(advocateCash, { kind: 'cash', percent: 10.5, maxAmount: 2000 })),
    ).toEqual([]);
  });

  it('takes points as a whole amount without currency or percent', () => {
    const points = checkRewardRule(withReward(advocateCash, { kind: 'points', amount: 250 }), ctx);
    expect(points.issues).toEqual([]);
    expect(points.rule.currency).toBeNull();
    expect(
      fieldsOf(withReward(advocateCash, { kind: 'points', amount: 250, currency: 'USD' })),
    ).toEqual(['reward.currency']);
    expect(fieldsOf(withReward(advocateCash, { kind: 'points', percent: 5 }))).toEqual([
      'reward.kind',
    ]);
  });

  it('lets a custom reward go without a value, and prices one in the program currency', () => {
    const none = checkRewardRule(withReward(advocateCash, { kind: 'custom' }), ctx);
    expect(none.issues).toEqual([]);
    expect(none.rule.currency).toBeNull();
    const valued = checkRewardRule(withReward(advocateCash, { kind: 'custom', amount: 2500 }), ctx);
    expect(valued.rule.currency).toBe('USD');
    expect(
      fieldsOf(withReward(advocateCash, { kind: 'custom', amount: 1, currency: 'GBP' })),
    ).toEqual(['reward.currency']);
  });

  it('needs a name for custom triggers and refuses one otherwise', () => {
    const custom: RewardRuleInput = { ...advocateCash, trigger: { event: 'custom' } };
    custom.reward = { kind: 'points', amount: 10 };
    expect(fieldsOf(custom)).toEqual(['trigger.name']);
    expect(fieldsOf({ ...custom, trigger: { event: 'custom', name: 'review.posted' } })).toEqual(
      [],
    );
    expect(fieldsOf({ ...advocateCash, trigger: { event: 'purchase', name: 'x' } })).toEqual([
      'trigger.name',
    ]);
  });

  it('refuses purchase-only conditions on other triggers, but allows both flags together', () => {
    const signup: RewardRuleInput = {
      trigger: { event: 'signup' },
      recipient: 'friend',
      reward: { kind: 'credit', amount: 500 },
      conditions: { minOrderAmount: 0, firstPurchaseOnly: true, newCustomersOnly: true },
    };
    expect(fieldsOf(signup)).toEqual(['conditions.minOrderAmount', 'conditions.firstPurchaseOnly']);
    expect(
      issuesOf({
        ...friendCoupon,
        conditions: { firstPurchaseOnly: true, newCustomersOnly: true },
      }),
    ).toEqual([]);
  });

  it('names each unknown CTA key by its index', () => {
    const rule = {
      ...advocateCash,
      conditions: { ctaKeys: ['ig-story', 'nope', 'tiktok-bio', 'x'] },
    };
    expect(issuesOf(rule)).toEqual([
      { field: 'conditions.ctaKeys[1]', issue: 'is not the key of a CTA of this program' },
      { field: 'conditions.ctaKeys[3]', issue: 'is not the key of a CTA of this program' },
    ]);
  });

  it('checks limits: a cap needs count or amount, amounts need a currency or points', () => {
    expect(fieldsOf({ ...advocateCash, limits: { perAdvocateTotal: {} } })).toEqual([
      'limits.perAdvocateTotal',
    ]);
    const valueless: RewardRuleInput = {
      ...advocateCash,
      reward: { kind: 'custom' },
      limits: { perAdvocatePerMonth: { amount: 100 }, programBudget: 1000 },
    };
    expect(fieldsOf(valueless)).toEqual([
      'limits.perAdvocatePerMonth.amount',
      'limits.programBudget',
    ]);
    const { issues, rule } = checkRewardRule(
      {
        ...advocateCash,
        limits: { perAdvocateTotal: { count: 10, amount: 50000 }, programBudget: 1_000_000 },
      },
      ctx,
    );
    expect(issues).toEqual([]);
    expect(rule.limits).toEqual({
      perAdvocateTotal: { count: 10, amount: 50000 },
      programBudget: 1_000_000,
    });
  });

  it('reports every issue at once', () => {
    const bad: RewardRuleInput = {
      trigger: { event: 'signup' },
      recipient: 'advocate',
      reward: { kind: 'cash', percent: 5, currency: 'EUR' },
      conditions: { minOrderAmount: 100 },
    };
    expect(fieldsOf(bad)).toEqual([
      'reward.percent',
      'reward.currency',
      'conditions.minOrderAmount',
    ]);
  });

  it('round-trips a stored rule for PATCH merging', () => {
    const { rule } = checkRewardRule(friendCoupon, ctx);
    const entity = { ...rule, id: 'rul_x', brandId: 'b', programId: 'p' } as RewardRuleEntity;
    const again = checkRewardRule(ruleInputOf(entity), ctx);
    expect(again).toEqual({ issues: [], rule });
  });
});
