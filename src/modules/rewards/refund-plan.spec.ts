import { planReversal, ReversibleReward } from '@/modules/rewards/refund-plan';

const reward = (over: Partial<ReversibleReward> = {}): ReversibleReward => ({
  kind: 'cash',
  amount: 1000,
  reversedAmount: 0,
  percent: null,
  status: 'pending',
  ...over,
});

describe('refund plan', () => {
  it.each<[string, Partial<ReversibleReward>, number, number, object]>([
    ['fixed, partial refund: kept', {}, 10_000, 5_000, { action: 'none' }],
    [
      'fixed, full refund: reversed',
      {},
      10_000,
      10_000,
      { action: 'reverse', delta: 1000, full: true },
    ],
    [
      'fixed, over-refund: reversed once',
      {},
      10_000,
      12_000,
      { action: 'reverse', delta: 1000, full: true },
    ],
    [
      'percent, half refunded',
      { percent: '10' },
      10_000,
      5_000,
      { action: 'reverse', delta: 500, full: false },
    ],
    [
      'percent, the rest refunded later',
      { percent: '10', reversedAmount: 500 },
      10_000,
      10_000,
      { action: 'reverse', delta: 500, full: true },
    ],
    [
      'percent, rounding half-up on a third',
      { percent: '10', amount: 1001 },
      3_000,
      1_500,
      { action: 'reverse', delta: 501, full: false },
    ],
    [
      'approved reward reversed',
      { status: 'approved' },
      100,
      100,
      { action: 'reverse', delta: 1000, full: true },
    ],
    ['held reward reversed', { status: 'held' }, 100, 100, { action: 'reverse', full: true }],
    [
      'paid fixed, full refund: clawback',
      { status: 'paid' },
      100,
      100,
      { action: 'clawback', delta: 1000, full: true },
    ],
    ['paid fixed, partial refund: nothing', { status: 'paid' }, 100, 50, { action: 'none' }],
    [
      'paid percent, partial: partial clawback',
      { status: 'paid', percent: 10 },
      10_000,
      2_500,
      { action: 'clawback', delta: 250, full: false },
    ],
    ['already reversed', { status: 'reversed' }, 100, 100, { action: 'none' }],
    ['rejected', { status: 'rejected' }, 100, 100, { action: 'none' }],
    [
      'percent-off coupon (no amount): reversed on a full refund only',
      { kind: 'coupon', amount: null, percent: '15' },
      100,
      100,
      { action: 'reverse', delta: 0, full: true },
    ],
    [
      'percent-off coupon, partial refund: kept',
      { kind: 'coupon', amount: null, percent: '15' },
      100,
      50,
      { action: 'none' },
    ],
    [
      'paid coupon without amount: nothing to claw back',
      { kind: 'coupon', amount: null, status: 'paid' },
      100,
      100,
      { action: 'none' },
    ],
  ])('%s', (_name, over, order, refunded, expected) => {
    expect(planReversal(reward(over), order, refunded)).toMatchObject(expected);
  });
});
