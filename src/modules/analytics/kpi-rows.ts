import {
  deriveKpis,
  emptyTotals,
  goalScore,
  KpiTotals,
  programCostBetween,
} from '@/modules/analytics/kpi-math';
import type { KpiPeriod } from '@/modules/analytics/kpi-period';
import type { KpiProgram } from '@/modules/analytics/kpi-read.repository';
import type { ProgramKpisDto } from '@/modules/analytics/dto/kpi.dto';

/** The cost basis of a program (its cost spread over its life). */
export function costBasis(p: KpiProgram) {
  return {
    amount: p.programCostAmount,
    startsAt: p.startsAt,
    endsAt: p.endsAt,
    createdAt: p.createdAt,
  };
}

/** A program's KPI row: identity, every KPI over the period, enrolled advocates, goal score. */
export function programKpis(
  program: KpiProgram,
  period: KpiPeriod,
  totals: KpiTotals | undefined,
  extra: { activeAdvocates: number; enrolled: number },
  now: Date,
): ProgramKpisDto {
  const t: KpiTotals = {
    ...(totals ?? emptyTotals()),
    activeAdvocates: extra.activeAdvocates,
  };
  const kpis = deriveKpis(t, programCostBetween(costBasis(program), period.from, period.to, now));
  return {
    programId: program.id,
    name: program.name,
    goal: program.goal,
    status: program.status,
    currency: program.currency,
    from: period.from.toISOString(),
    to: period.to.toISOString(),
    ...kpis,
    enrolledAdvocates: extra.enrolled,
    goalScore: goalScore(kpis, extra.enrolled, program.goal, program.kpiWeights),
  };
}
