import { ErrorDetail } from '@/common/errors/app-error';
import { MoneyDto } from '@/modules/programs/dto/money.dto';
import { KpiWeights } from '@/modules/programs/program.entity';

export const PROGRAM_MONEY_FIELDS = ['budget', 'programCost', 'minimumPayout'] as const;
export type ProgramMoneyField = (typeof PROGRAM_MONEY_FIELDS)[number];

/** A program's cross-field state after a create or a PATCH is applied. */
export interface ProgramFieldsCheck {
  currency: string;
  startsAt: Date | null;
  endsAt: Date | null;
  /** Only the amounts given in this request (stored ones are already in the program currency). */
  money: Partial<Record<ProgramMoneyField, MoneyDto | null>>;
  kpiWeights: KpiWeights | null | undefined;
}

/** Rules no single-field decorator can express; each issue names its field. */
export function programFieldIssues(p: ProgramFieldsCheck): ErrorDetail[] {
  const issues: ErrorDetail[] = [];
  if (p.startsAt && p.endsAt && p.endsAt.getTime() <= p.startsAt.getTime()) {
    issues.push({ field: 'endsAt', issue: 'must be after startsAt' });
  }
  for (const field of PROGRAM_MONEY_FIELDS) {
    const money = p.money[field];
    if (money && money.currency !== p.currency) {
      issues.push({
        field: `${field}.currency`,
        issue: `must equal the program currency (${p.currency})`,
      });
    }
  }
  const w = p.kpiWeights;
  if (w && !(w.reach + w.sharing + w.conversion > 0)) {
    issues.push({ field: 'kpiWeights', issue: 'must have at least one weight above 0' });
  }
  return issues;
}

export function toDate(value: string | null | undefined): Date | null | undefined {
  return value === undefined ? undefined : value === null ? null : new Date(value);
}

export function toKpiWeights(w: KpiWeights | null | undefined): KpiWeights | null | undefined {
  return w ? { reach: w.reach, sharing: w.sharing, conversion: w.conversion } : w;
}
