import {
  deriveKpis,
  divRound,
  emptyTotals,
  goalScore,
  roundRatio,
  programCostBetween,
  ratio,
} from '@/modules/analytics/kpi-math';

const at = (iso: string) => new Date(iso);

describe('roundRatio', () => {
  it.each([
    [7, 32, 0.2188], // 0.21875: the double is 0.21874999…, rounded from the ratio it is up
    [1, 3, 0.3333],
    [2, 3, 0.6667],
    [0, 5, 0],
    [5, 5, 1],
    [123456789012345, 987654321098765, 0.125],
  ])('%s / %s → %s', (num, den, expected) => {
    expect(roundRatio(num, den, 4)).toBe(expected);
  });
});

describe('KPI formulas', () => {
  it('rounds divisions half away from zero, exactly', () => {
    expect(divRound(5n, 2n)).toBe(3n);
    expect(divRound(-5n, 2n)).toBe(-3n);
    expect(divRound(7n, 3n)).toBe(2n);
    expect(divRound(5n, -2n)).toBe(-3n);
    expect(ratio(2n, 3n)).toBe(0.666667);
    expect(ratio(-1n, 3n)).toBe(-0.333333);
    expect(ratio(1n, 0n)).toBeNull();
    // Beyond 2^53 the BigInt path stays exact.
    expect(ratio(9_007_199_254_740_993n, 9_007_199_254_740_993n)).toBe(1);
  });

  it('derives ROI, CPA, AOV and the ratios from the sums', () => {
    const k = deriveKpis(
      {
        ...emptyTotals(),
        clicks: 6,
        reach: 3,
        shares: 3,
        impressions: 5000,
        conversions: 4,
        revenue: 43_000n,
        refunds: 15_000n,
        rewardCost: 5_000n,
        newCustomers: 3,
        activeAdvocates: 2,
      },
      5_000n,
    );
    expect(k).toMatchObject({
      revenue: 28_000,
      roi: 1.8,
      costPerAcquisition: 2_500,
      averageOrderValue: 7_000,
      ctr: 0.0012,
      conversionRate: 1.333333,
      kFactor: 1.5,
      conversionsPerShare: 1.333333,
      conversionsPerClick: 0.666667,
    });
  });

  it('leaves the program cost out of breakdown rows', () => {
    const k = deriveKpis({ ...emptyTotals(), revenue: 3_000n, rewardCost: 1_000n }, null);
    expect(k.programCost).toBeNull();
    expect(k.roi).toBe(2);
    expect(k.costPerAcquisition).toBeNull(); // no conversions
  });

  it('has no ratio without a denominator', () => {
    const k = deriveKpis(emptyTotals(), 0n);
    expect([k.ctr, k.conversionRate, k.roi, k.kFactor, k.averageOrderValue]).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
  });
});

describe('program cost over a period', () => {
  const basis = {
    amount: 100_000,
    startsAt: at('2026-03-01T00:00:00Z'),
    endsAt: at('2026-03-21T00:00:00Z'),
    createdAt: at('2026-02-01T00:00:00Z'),
  };
  const now = at('2026-06-01T00:00:00Z');

  it('spreads the cost evenly over the schedule', () => {
    const day = programCostBetween(
      basis,
      at('2026-03-05T00:00:00Z'),
      at('2026-03-06T00:00:00Z'),
      now,
    );
    expect(day).toBe(5_000n);
    const all = programCostBetween(
      basis,
      at('2026-01-01T00:00:00Z'),
      at('2026-12-01T00:00:00Z'),
      now,
    );
    expect(all).toBe(100_000n);
    const before = programCostBetween(
      basis,
      at('2026-01-01T00:00:00Z'),
      at('2026-02-01T00:00:00Z'),
      now,
    );
    expect(before).toBe(0n);
  });

  it('rounds cumulatively, so consecutive periods add up to the whole', () => {
    const odd = { ...basis, amount: 1_000, endsAt: at('2026-03-04T00:00:00Z') }; // 3 days
    const parts = [0, 1, 2].map((d) =>
      programCostBetween(
        odd,
        new Date(basis.startsAt.getTime() + d * 86_400_000),
        new Date(basis.startsAt.getTime() + (d + 1) * 86_400_000),
        now,
      ),
    );
    expect(parts).toEqual([333n, 334n, 333n]);
    expect(parts.reduce((a, b) => a + b)).toBe(1_000n);
  });

  it('runs from creation to now when the schedule is open', () => {
    const open = { ...basis, startsAt: null, endsAt: null };
    const half = programCostBetween(
      open,
      at('2026-02-01T00:00:00Z'),
      at('2026-02-16T12:00:00Z'),
      at('2026-03-04T00:00:00Z'),
    );
    expect(half).toBe(50_000n);
  });

  it('costs nothing without a program cost', () => {
    expect(programCostBetween({ ...basis, amount: null }, basis.startsAt, now, now)).toBe(0n);
  });
});

describe('goal score', () => {
  const kpis = deriveKpis(
    {
      ...emptyTotals(),
      reach: 3,
      activeAdvocates: 2,
      revenue: 28_000n,
      ctaValue: 500n,
      rewardCost: 5_000n,
    },
    5_000n,
  );

  it('weighs the components by the goal', () => {
    expect(goalScore(kpis, 3, 'conversion', null)).toEqual({
      score: 66.5,
      reach: 0.1304,
      sharing: 0.6667,
      conversion: 0.7403,
      weights: { reach: 0.1, sharing: 0.2, conversion: 0.7 },
    });
    // 0.45 × 0.130435 + 0.45 × 0.666667 + 0.1 × 0.74026
    expect(goalScore(kpis, 3, 'awareness', null).score).toBe(43.3);
  });

  it('takes the program weights, scaled to a sum of 1', () => {
    const g = goalScore(kpis, 3, 'conversion', { reach: 1, sharing: 1, conversion: 2 });
    expect(g.weights).toEqual({ reach: 0.25, sharing: 0.25, conversion: 0.5 });
  });

  it('is 0 for a program where nothing happened', () => {
    const g = goalScore(deriveKpis(emptyTotals(), 0n), 0, 'loyalty', null);
    expect([g.score, g.reach, g.sharing, g.conversion]).toEqual([0, 0, 0, 0]);
  });
});
