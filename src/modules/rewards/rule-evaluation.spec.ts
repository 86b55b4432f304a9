import {
  CapUsage,
  checkConditions,
  checkLimits,
  checkMilestone,
  EvaluatedEvent,
  evaluateRule,
  LimitUsage,
  monthOf,
  rewardAmount,
  RuleSpec,
  ruleTriggers,
} from '@/modules/rewards/rule-evaluation';

const rule = (over: Partial<RuleSpec> = {}): RuleSpec => ({
  id: 'rul_1',
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
  ...over,
});

const event = (over: Partial<EvaluatedEvent> = {}): EvaluatedEvent => ({
  type: 'purchase',
  name: null,
  order: { amount: 10_000, currency: 'USD' },
  ctaKey: 'ig-story',
  channel: 'instagram',
  isNewCustomer: true,
  isFirstPurchase: true,
  isFirstSignup: false,
  convertsReferral: true,
  advocateConversions: 1,
  ...over,
});

const none: CapUsage = { count: 0, amount: 0 };
const usage = (over: Partial<LimitUsage> = {}): LimitUsage => ({
  perAdvocateTotal: none,
  perAdvocatePerMonth: none,
  ruleSpent: 0,
  programBudget: null,
  programSpent: 0,
  ...over,
});

describe('rule evaluation', () => {
  describe('trigger', () => {
    it.each([
      ['purchase', null, 'purchase', null, true],
      ['purchase', null, 'signup', null, false],
      ['signup', null, 'signup', null, true],
      ['custom', 'trial_started', 'custom', 'trial_started', true],
      ['custom', 'trial_started', 'custom', 'webinar', false],
      ['custom', 'trial_started', 'purchase', null, false],
    ] as const)('rule %s/%s vs event %s/%s → %s', (te, tn, et, en, expected) => {
      expect(
        ruleTriggers(rule({ triggerEvent: te, triggerName: tn }), event({ type: et, name: en })),
      ).toBe(expected);
    });
  });

  describe('conditions', () => {
    it.each<[string, Partial<RuleSpec>, Partial<EvaluatedEvent>, string | null]>([
      ['no conditions', {}, {}, null],
      ['a first signup', { triggerEvent: 'signup' }, { type: 'signup', isFirstSignup: true }, null],
      [
        'a later signup of the same customer',
        { triggerEvent: 'signup' },
        { type: 'signup', isFirstSignup: false },
        'repeat_signup',
      ],
      ['min order met exactly', { conditions: { minOrderAmount: 10_000 } }, {}, null],
      [
        'min order not met',
        { conditions: { minOrderAmount: 10_001 } },
        {},
        'condition_not_met:minOrderAmount',
      ],
      [
        'min order without an order',
        { conditions: { minOrderAmount: 1 } },
        { order: null },
        'condition_not_met:minOrderAmount',
      ],
      [
        'min order in another currency',
        { conditions: { minOrderAmount: 1 } },
        { order: { amount: 10_000, currency: 'EUR' } },
        'currency_mismatch',
      ],
      ['new customers only, new', { conditions: { newCustomersOnly: true } }, {}, null],
      [
        'new customers only, known customer',
        { conditions: { newCustomersOnly: true } },
        { isNewCustomer: false },
        'condition_not_met:newCustomersOnly',
      ],
      [
        'newCustomersOnly false',
        { conditions: { newCustomersOnly: false } },
        { isNewCustomer: false },
        null,
      ],
      ['first purchase only, first', { conditions: { firstPurchaseOnly: true } }, {}, null],
      [
        'first purchase only, second purchase',
        { conditions: { firstPurchaseOnly: true } },
        { isFirstPurchase: false },
        'condition_not_met:firstPurchaseOnly',
      ],
      ['CTA key listed', { conditions: { ctaKeys: ['tiktok-bio', 'ig-story'] } }, {}, null],
      [
        'CTA key not listed',
        { conditions: { ctaKeys: ['tiktok-bio'] } },
        {},
        'condition_not_met:ctaKeys',
      ],
      [
        'CTA key unknown (code without ctaKey)',
        { conditions: { ctaKeys: ['ig-story'] } },
        { ctaKey: null },
        'condition_not_met:ctaKeys',
      ],
      ['channel listed', { conditions: { channels: ['instagram'] } }, {}, null],
      [
        'channel not listed',
        { conditions: { channels: ['tiktok'] } },
        {},
        'condition_not_met:channels',
      ],
      [
        'channel unknown',
        { conditions: { channels: ['instagram'] } },
        { channel: null },
        'condition_not_met:channels',
      ],
    ])('%s', (_name, r, e, expected) => {
      expect(checkConditions(rule(r), event(e))).toBe(expected);
    });
  });

  describe('amount', () => {
    it.each<[string, Partial<RuleSpec>, Partial<EvaluatedEvent>, unknown]>([
      ['fixed cash', {}, {}, { ok: true, amount: 1000, percent: null }],
      [
        'fixed points',
        { rewardKind: 'points', amount: 500, currency: null },
        {},
        { ok: true, amount: 500, percent: null },
      ],
      [
        'fixed on a signup (no order)',
        { triggerEvent: 'signup' },
        { type: 'signup', order: null },
        { ok: true, amount: 1000, percent: null },
      ],
      [
        'percent of the order',
        { amount: null, percent: 10 },
        {},
        { ok: true, amount: 1000, percent: 10 },
      ],
      [
        'percent rounded half-up',
        { amount: null, percent: '2.5' },
        { order: { amount: 1_980, currency: 'USD' } },
        { ok: true, amount: 50, percent: '2.5' },
      ],
      [
        'percent capped by maxAmount',
        { amount: null, percent: 15, maxAmount: 500 },
        {},
        { ok: true, amount: 500, percent: 15 },
      ],
      [
        'percent in JPY (0 digits)',
        { amount: null, percent: 10.5, currency: 'JPY' },
        { order: { amount: 1_234, currency: 'JPY' } },
        { ok: true, amount: 130, percent: 10.5 },
      ],
      [
        'percent in KWD (3 digits)',
        { amount: null, percent: 10.5, currency: 'KWD' },
        { order: { amount: 1_234, currency: 'KWD' } },
        { ok: true, amount: 130, percent: 10.5 },
      ],
      [
        'percent of an order in another currency',
        { amount: null, percent: 10 },
        { order: { amount: 10_000, currency: 'EUR' } },
        { ok: false, reason: 'currency_mismatch' },
      ],
      [
        'percent rounding to nothing',
        { amount: null, percent: '0.0001' },
        { order: { amount: 1, currency: 'USD' } },
        { ok: false, reason: 'zero_amount' },
      ],
      [
        'percent-off coupon: the percent, no amount, any order currency',
        { rewardKind: 'coupon', amount: null, percent: 15 },
        { order: { amount: 10_000, currency: 'EUR' } },
        { ok: true, amount: null, percent: 15 },
      ],
      [
        'fixed-value coupon',
        { rewardKind: 'coupon', amount: 1500 },
        {},
        { ok: true, amount: 1500, percent: null },
      ],
      [
        'custom reward without value',
        { rewardKind: 'custom', amount: null, currency: null },
        {},
        { ok: true, amount: null, percent: null },
      ],
    ])('%s', (_name, r, e, expected) => {
      expect(rewardAmount(rule(r), event(e))).toEqual(expected);
    });
  });

  describe('milestone', () => {
    it.each<[number | null, boolean, number, string | null]>([
      [null, false, 0, null],
      [3, true, 3, null],
      [3, true, 2, 'milestone_not_reached'],
      [3, true, 4, 'milestone_already_reached'],
      [3, false, 2, 'milestone_not_reached'],
      // a later purchase of the friend whose conversion reached it does not convert again
      [3, false, 3, 'milestone_already_reached'],
      [1, true, 1, null],
    ])('nth %s, converts %s, conversions %s → %s', (nth, converts, count, expected) => {
      expect(
        checkMilestone(
          rule({ milestoneNthReferral: nth }),
          event({ convertsReferral: converts, advocateConversions: count }),
        ),
      ).toBe(expected);
    });
  });

  describe('limits and budgets', () => {
    it.each<[string, Partial<RuleSpec>, number | null, Partial<LimitUsage>, string | null]>([
      ['no limits', {}, 1000, {}, null],
      [
        'total count: room for one more',
        { limits: { perAdvocateTotal: { count: 3 } } },
        1000,
        { perAdvocateTotal: { count: 2, amount: 2000 } },
        null,
      ],
      [
        'total count reached',
        { limits: { perAdvocateTotal: { count: 3 } } },
        1000,
        { perAdvocateTotal: { count: 3, amount: 3000 } },
        'limit_reached:perAdvocateTotal',
      ],
      [
        'total amount: fits exactly',
        { limits: { perAdvocateTotal: { amount: 3000 } } },
        1000,
        { perAdvocateTotal: { count: 2, amount: 2000 } },
        null,
      ],
      [
        'total amount would be exceeded',
        { limits: { perAdvocateTotal: { amount: 2500 } } },
        1000,
        { perAdvocateTotal: { count: 2, amount: 2000 } },
        'limit_reached:perAdvocateTotal',
      ],
      [
        'monthly count reached',
        { limits: { perAdvocatePerMonth: { count: 2 } } },
        1000,
        { perAdvocatePerMonth: { count: 2, amount: 2000 } },
        'limit_reached:perAdvocatePerMonth',
      ],
      [
        'monthly amount would be exceeded',
        { limits: { perAdvocatePerMonth: { amount: 1500 } } },
        1000,
        { perAdvocatePerMonth: { count: 1, amount: 1000 } },
        'limit_reached:perAdvocatePerMonth',
      ],
      [
        'monthly count and amount both set, count binds',
        { limits: { perAdvocatePerMonth: { count: 1, amount: 100_000 } } },
        1000,
        { perAdvocatePerMonth: { count: 1, amount: 1000 } },
        'limit_reached:perAdvocatePerMonth',
      ],
      [
        'total checked before monthly',
        { limits: { perAdvocateTotal: { count: 1 }, perAdvocatePerMonth: { count: 1 } } },
        1000,
        { perAdvocateTotal: { count: 1, amount: 0 }, perAdvocatePerMonth: { count: 1, amount: 0 } },
        'limit_reached:perAdvocateTotal',
      ],
      [
        'rule budget fits exactly',
        { limits: { programBudget: 5000 } },
        1000,
        { ruleSpent: 4000 },
        null,
      ],
      [
        'rule budget exhausted',
        { limits: { programBudget: 5000 } },
        1000,
        { ruleSpent: 4500 },
        'budget_exhausted:rule',
      ],
      ['program budget fits', {}, 1000, { programBudget: 10_000, programSpent: 9000 }, null],
      [
        'program budget exhausted',
        {},
        1000,
        { programBudget: 10_000, programSpent: 9500 },
        'budget_exhausted',
      ],
      [
        'points do not spend the money budget',
        { rewardKind: 'points', currency: null, amount: 5000 },
        5000,
        { programBudget: 100, programSpent: 100 },
        null,
      ],
      [
        'percent-off coupon spends nothing but counts',
        {
          rewardKind: 'coupon',
          amount: null,
          percent: 10,
          limits: { perAdvocateTotal: { count: 1 } },
        },
        null,
        { programBudget: 0, programSpent: 0, perAdvocateTotal: { count: 1, amount: 0 } },
        'limit_reached:perAdvocateTotal',
      ],
    ])('%s', (_name, r, amount, u, expected) => {
      expect(checkLimits(rule(r), amount, usage(u), 'USD')).toBe(expected);
    });
  });

  describe('evaluateRule order of checks', () => {
    it('gives the reward when everything passes', () => {
      expect(evaluateRule(rule(), event(), usage(), 'USD')).toEqual({
        ok: true,
        amount: 1000,
        percent: null,
      });
    });

    it('reports the milestone before a condition', () => {
      const r = rule({ milestoneNthReferral: 5, conditions: { minOrderAmount: 1_000_000 } });
      expect(evaluateRule(r, event(), usage(), 'USD')).toEqual({
        ok: false,
        reason: 'milestone_not_reached',
      });
    });

    it('reports a condition before the currency of a percent reward', () => {
      const r = rule({ amount: null, percent: 10, conditions: { newCustomersOnly: true } });
      const e = event({ isNewCustomer: false, order: { amount: 10_000, currency: 'EUR' } });
      expect(evaluateRule(r, e, usage(), 'USD')).toEqual({
        ok: false,
        reason: 'condition_not_met:newCustomersOnly',
      });
    });

    it('counts the computed percent amount against the budget', () => {
      const r = rule({ amount: null, percent: 10 });
      expect(
        evaluateRule(r, event(), usage({ programBudget: 1500, programSpent: 600 }), 'USD'),
      ).toEqual({ ok: false, reason: 'budget_exhausted' });
      expect(
        evaluateRule(r, event(), usage({ programBudget: 1500, programSpent: 500 }), 'USD'),
      ).toEqual({ ok: true, amount: 1000, percent: 10 });
    });
  });

  it('months are UTC calendar months', () => {
    expect(monthOf(new Date('2026-03-31T23:59:59Z'))).toBe('2026-03');
    expect(monthOf(new Date('2026-04-01T00:00:00Z'))).toBe('2026-04');
  });
});
