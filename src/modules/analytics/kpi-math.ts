import { toSafeInteger } from '@/common/money/money';
import type { KpiWeights, ProgramGoal } from '@/modules/programs/program.entity';

/** Sums read from the rollups and the rewards: counts as numbers, money as BigInt minor units. */
export interface KpiTotals {
  clicks: number;
  botClicks: number;
  reach: number;
  shares: number;
  sharesReach: number;
  impressions: number;
  signups: number;
  conversions: number;
  /** Gross attributed order amounts in the program currency. */
  revenue: bigint;
  refunds: bigint;
  newCustomers: number;
  ctaCompletions: number;
  ctaValue: bigint;
  rewardCost: bigint;
  /** Advocates who shared or were clicked (human clicks). */
  activeAdvocates: number;
}

export function emptyTotals(): KpiTotals {
  return {
    clicks: 0,
    botClicks: 0,
    reach: 0,
    shares: 0,
    sharesReach: 0,
    impressions: 0,
    signups: 0,
    conversions: 0,
    revenue: 0n,
    refunds: 0n,
    newCustomers: 0,
    ctaCompletions: 0,
    ctaValue: 0n,
    rewardCost: 0n,
    activeAdvocates: 0,
  };
}

/** Every KPI of one row (a program, a time bucket, a channel, a CTA or an advocate). */
export interface KpiValues {
  clicks: number;
  botClicks: number;
  reach: number;
  shares: number;
  reportedReach: number;
  impressions: number;
  ctr: number | null;
  signups: number;
  conversions: number;
  conversionRate: number | null;
  grossRevenue: number;
  refunds: number;
  revenue: number;
  rewardCost: number;
  /** null in breakdowns: the program cost is not split by channel, CTA or advocate. */
  programCost: number | null;
  roi: number | null;
  costPerAcquisition: number | null;
  averageOrderValue: number | null;
  newCustomers: number;
  activeAdvocates: number;
  kFactor: number | null;
  ctaCompletions: number;
  ctaValue: number;
  conversionsPerShare: number | null;
  conversionsPerClick: number | null;
}

/** The KPI fields in the order they are shown (JSON and CSV columns). */
export const KPI_FIELDS = [
  'clicks',
  'botClicks',
  'reach',
  'shares',
  'reportedReach',
  'impressions',
  'ctr',
  'signups',
  'conversions',
  'conversionRate',
  'grossRevenue',
  'refunds',
  'revenue',
  'rewardCost',
  'programCost',
  'roi',
  'costPerAcquisition',
  'averageOrderValue',
  'newCustomers',
  'activeAdvocates',
  'kFactor',
  'ctaCompletions',
  'ctaValue',
  'conversionsPerShare',
  'conversionsPerClick',
] as const satisfies readonly (keyof KpiValues)[];

/** Decimal places of ratios (rates, ROI, K-factor, conversions per share or click). */
export const RATIO_DECIMALS = 6;

/** n / d rounded half away from zero to `decimals` places; null when d is 0. Exact (BigInt). */
export function ratio(n: bigint, d: bigint, decimals = RATIO_DECIMALS): number | null {
  if (d === 0n) return null;
  const scale = 10n ** BigInt(decimals);
  return Number(divRound(n * scale, d)) / Number(scale);
}

/** n / d rounded to an integer, half away from zero; null when d is 0. */
export function divRoundOrNull(n: bigint, d: bigint): bigint | null {
  return d === 0n ? null : divRound(n, d);
}

/** Integer division rounding half away from zero. */
export function divRound(n: bigint, d: bigint): bigint {
  if (d < 0n) return divRound(-n, -d);
  const negative = n < 0n;
  const a = negative ? -n : n;
  const q = (a * 2n + d) / (2n * d);
  return negative ? -q : q;
}

const money = (v: bigint) => toSafeInteger(v);
const big = (v: number) => BigInt(v);

/**
 * The KPI formulas (README "KPIs"). `programCost` null: a breakdown row, where ROI and cost per
 * acquisition use the reward cost alone.
 */
export function deriveKpis(t: KpiTotals, programCost: bigint | null): KpiValues {
  const revenue = t.revenue - t.refunds;
  const cost = t.rewardCost + (programCost ?? 0n);
  const cpa = divRoundOrNull(cost, big(t.conversions));
  const aov = divRoundOrNull(revenue, big(t.conversions));
  return {
    clicks: t.clicks,
    botClicks: t.botClicks,
    reach: t.reach,
    shares: t.shares,
    reportedReach: t.sharesReach,
    impressions: t.impressions,
    ctr: ratio(big(t.clicks), big(t.impressions)),
    signups: t.signups,
    conversions: t.conversions,
    conversionRate: ratio(big(t.conversions), big(t.reach)),
    grossRevenue: money(t.revenue),
    refunds: money(t.refunds),
    revenue: money(revenue),
    rewardCost: money(t.rewardCost),
    programCost: programCost === null ? null : money(programCost),
    roi: ratio(revenue - cost, cost),
    costPerAcquisition: cpa === null ? null : money(cpa),
    averageOrderValue: aov === null ? null : money(aov),
    newCustomers: t.newCustomers,
    activeAdvocates: t.activeAdvocates,
    kFactor: ratio(big(t.newCustomers), big(t.activeAdvocates)),
    ctaCompletions: t.ctaCompletions,
    ctaValue: money(t.ctaValue),
    conversionsPerShare: ratio(big(t.conversions), big(t.shares)),
    conversionsPerClick: ratio(big(t.conversions), big(t.clicks)),
  };
}

// ---------------------------------------------------------------------------------------------
// Program cost over a period.

export interface ProgramCostBasis {
  /** Total cost (minor units); null: none. */
  amount: number | null;
  startsAt: Date | null;
  endsAt: Date | null;
  createdAt: Date;
}

/**
 * The share of the program cost that falls in [from, to): the cost is spread evenly over the
 * program's life, from startsAt (else its creation) to endsAt (else now). Rounding is
 * cumulative — the cost up to a moment is rounded, and a period gets the difference — so
 * consecutive periods (timeseries buckets) add up exactly to the cost of their union.
 */
export function programCostBetween(
  basis: ProgramCostBasis,
  from: Date,
  to: Date,
  now: Date,
): bigint {
  if (basis.amount === null || basis.amount === 0) return 0n;
  const amount = BigInt(basis.amount);
  const start = (basis.startsAt ?? basis.createdAt).getTime();
  const end = Math.max(basis.endsAt?.getTime() ?? now.getTime(), start);
  const costUntil = (t: number): bigint => {
    if (t <= start) return 0n;
    if (t >= end) return amount;
    return divRound(amount * BigInt(t - start), BigInt(end - start));
  };
  // A program whose life is an instant has all its cost at that instant.
  if (end === start) return from.getTime() <= start && start < to.getTime() ? amount : 0n;
  return costUntil(to.getTime()) - costUntil(from.getTime());
}

// ---------------------------------------------------------------------------------------------
// Goal score.

export const DEFAULT_GOAL_WEIGHTS: Record<ProgramGoal, KpiWeights> = {
  awareness: { reach: 0.45, sharing: 0.45, conversion: 0.1 },
  consideration: { reach: 0.35, sharing: 0.35, conversion: 0.3 },
  conversion: { reach: 0.1, sharing: 0.2, conversion: 0.7 },
  loyalty: { reach: 0.2, sharing: 0.4, conversion: 0.4 },
};

/** Visitors per active advocate at which the reach component reaches 0.5. */
export const REACH_HALF_SATURATION = 10;

export interface GoalScore {
  /** 0–100, one decimal. */
  score: number;
  /** Each 0–1, four decimals. */
  reach: number;
  sharing: number;
  conversion: number;
  /** The weights used, normalised to a sum of 1 (four decimals). */
  weights: KpiWeights;
}

/**
 * reach = r / (r + 10) with r = reach per active advocate; sharing = active advocates /
 * advocates enrolled by the end of the period; conversion = value / (value + cost) with value =
 * net revenue + CTA value and cost = reward cost + program cost (1 when there is value and no
 * cost; 0 without value). Score = 100 × Σ weight × component / Σ weights.
 */
export function goalScore(
  k: KpiValues,
  enrolledAdvocates: number,
  goal: ProgramGoal,
  override: KpiWeights | null,
): GoalScore {
  const w = override ?? DEFAULT_GOAL_WEIGHTS[goal];
  const sum = w.reach + w.sharing + w.conversion;
  const perAdvocate = k.activeAdvocates > 0 ? k.reach / k.activeAdvocates : 0;
  const reach = perAdvocate / (perAdvocate + REACH_HALF_SATURATION);
  const sharing = enrolledAdvocates > 0 ? Math.min(1, k.activeAdvocates / enrolledAdvocates) : 0;
  const value = k.revenue + k.ctaValue;
  const cost = k.rewardCost + (k.programCost ?? 0);
  const conversion = value <= 0 ? 0 : value / (value + Math.max(cost, 0));
  const score = (100 * (w.reach * reach + w.sharing * sharing + w.conversion * conversion)) / sum;
  // Each component is a ratio of whole numbers: rounded from that ratio, not from its float
  // (0.21875 is 0.21874999… as a double, and rounded to 0.2187 instead of 0.2188).
  return {
    score: round(score, 1),
    reach:
      k.activeAdvocates > 0
        ? roundRatio(k.reach, k.reach + REACH_HALF_SATURATION * k.activeAdvocates, 4)
        : 0,
    sharing:
      enrolledAdvocates > 0
        ? roundRatio(Math.min(k.activeAdvocates, enrolledAdvocates), enrolledAdvocates, 4)
        : 0,
    conversion: value <= 0 ? 0 : roundRatio(value, value + Math.max(cost, 0), 4),
    weights: {
      reach: round(w.reach / sum, 4),
      sharing: round(w.sharing / sum, 4),
      conversion: round(w.conversion / sum, 4),
    },
  };
}

/** Half away from zero, for display values computed in floating point. */
/**
 * num / den for whole numbers num ≥ 0 and den > 0, rounded half up (away from zero) to
 * `decimals`, computed exactly in integers (beyond 2^53 a money sum is no longer exact anyway).
 */
export function roundRatio(num: number, den: number, decimals: number): number {
  if (!Number.isSafeInteger(num) || !Number.isSafeInteger(den) || num < 0 || den <= 0) {
    return round(num / den, decimals); // not whole numbers: the float is all there is
  }
  const scale = 10n ** BigInt(decimals);
  const d = BigInt(den);
  const scaled = (BigInt(num) * scale * 2n + d) / (2n * d);
  return Number(scaled) / Number(scale);
}

function round(v: number, decimals: number): number {
  const f = 10 ** decimals;
  return (Math.sign(v) * Math.round(Math.abs(v) * f)) / f;
}
