import { Injectable } from '@nestjs/common';
import { AppError, ErrorDetail } from '@/common/errors/app-error';
import { buildPeriod, KpiPeriod, parseBound, PeriodBound } from '@/modules/analytics/kpi-period';
import { KpiReadRepository } from '@/modules/analytics/kpi-read.repository';

export interface PeriodInput {
  from?: string;
  to?: string;
  timezone?: string;
}

/** Turns from/to/timezone query parameters into a checked period (400s name the field). */
@Injectable()
export class KpiPeriodResolver {
  // Loaded once per process: the list only changes with a PostgreSQL upgrade.
  private zones?: Promise<Set<string>>;

  constructor(private readonly reads: KpiReadRepository) {}

  async resolve(input: PeriodInput, now = new Date()): Promise<KpiPeriod> {
    const timezone = input.timezone ?? 'UTC';
    const issues: ErrorDetail[] = [];
    if (!(await this.isTimezone(timezone))) {
      issues.push({
        field: 'timezone',
        issue: 'must be an IANA time zone name, such as Europe/Paris or UTC',
      });
    }
    const parsed: { from?: PeriodBound; to?: PeriodBound } = {};
    for (const field of ['from', 'to'] as const) {
      const value = input[field];
      if (value === undefined) continue;
      const bound = parseBound(field, value);
      if ('issue' in bound) issues.push(bound);
      else parsed[field] = bound;
    }
    if (issues.length > 0) throw AppError.validation(issues);
    const at = async (b?: PeriodBound) =>
      b === undefined
        ? undefined
        : b.kind === 'instant'
          ? b.at
          : this.reads.localMidnight(b.date, timezone);
    return buildPeriod({ from: await at(parsed.from), to: await at(parsed.to) }, timezone, now);
  }

  private async isTimezone(name: string): Promise<boolean> {
    if (!this.zones) {
      const loading = this.reads.listTimezoneNames().then((names) => new Set(names));
      this.zones = loading;
      loading.catch(() => (this.zones = undefined)); // a failed load is retried next time
    }
    return (await this.zones).has(name);
  }
}
