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
  private zones?: Promise<TimezoneNames>;

  constructor(private readonly reads: KpiReadRepository) {}

  async resolve(input: PeriodInput, now = new Date()): Promise<KpiPeriod> {
    const issues: ErrorDetail[] = [];
    // The zone's own spelling from here on: `utc` is UTC, and answers echo `UTC`.
    const timezone = await this.canonicalTimezone(input.timezone ?? 'UTC');
    if (timezone === undefined) {
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
    if (timezone === undefined || issues.length > 0) throw AppError.validation(issues);
    const at = async (b?: PeriodBound) =>
      b === undefined
        ? undefined
        : b.kind === 'instant'
          ? b.at
          : this.reads.localMidnight(b.date, timezone);
    return buildPeriod({ from: await at(parsed.from), to: await at(parsed.to) }, timezone, now);
  }

  /** The zone's name as PostgreSQL lists it (see TimezoneNames), or undefined. */
  private async canonicalTimezone(name: string): Promise<string | undefined> {
    if (!this.zones) {
      const loading = this.reads.listTimezoneNames().then((names) => new TimezoneNames(names));
      this.zones = loading;
      loading.catch(() => (this.zones = undefined)); // a failed load is retried next time
    }
    return (await this.zones).canonical(name);
  }
}

/**
 * Time zone names matched without regard to case (`utc` is `UTC`, `europe/paris` is
 * `Europe/Paris`), answered in the list's own spelling. PostgreSQL's list has no two names that
 * differ only in case; should one ever have them, only their exact spellings are accepted.
 */
export class TimezoneNames {
  private readonly exact: Set<string>;
  private readonly folded = new Map<string, string | null>(); // null: ambiguous

  constructor(names: Iterable<string>) {
    this.exact = new Set(names);
    for (const name of this.exact) {
      const key = name.toLowerCase();
      this.folded.set(key, this.folded.has(key) ? null : name);
    }
  }

  canonical(name: string): string | undefined {
    if (this.exact.has(name)) return name;
    return this.folded.get(name.toLowerCase()) ?? undefined;
  }
}
