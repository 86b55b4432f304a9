import { AppError, ErrorDetail } from '@/common/errors/app-error';
import { plusSentAsSpaceIssue } from '@/common/http/plus-as-space';
import { isCalendarDate } from '@/common/time/calendar-date';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** Default period: the last 30 days. */
export const DEFAULT_PERIOD_DAYS = 30;
/** Longest period any KPI endpoint answers. */
export const MAX_PERIOD_DAYS = 731;
const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);

/** A query's period: whole UTC hours [from, to), and the caller's time zone. */
export interface KpiPeriod {
  from: Date;
  to: Date;
  timezone: string;
}

/** A from/to value as sent: an instant with its offset, or a calendar date in the time zone. */
export type PeriodBound = { kind: 'instant'; at: Date } | { kind: 'date'; date: string };

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
// ISO 8601 with a time and an explicit offset (Z or ±hh:mm); seconds and fractions optional.
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

function isInstant(value: string): boolean {
  return INSTANT.test(value) && !Number.isNaN(new Date(value).getTime());
}

export function parseBound(field: string, value: string): PeriodBound | ErrorDetail {
  const date = DATE_ONLY.exec(value);
  if (date) {
    if (!isCalendarDate(value)) return { field, issue: 'is not a valid date' };
    return { kind: 'date', date: value };
  }
  if (isInstant(value)) {
    if (!isCalendarDate(value)) return { field, issue: 'is not a valid date' };
    return { kind: 'instant', at: new Date(value) };
  }
  return {
    field,
    issue:
      plusSentAsSpaceIssue(value, isInstant) ??
      'must be an ISO 8601 date (2026-03-01, midnight in `timezone`) or time with offset',
  };
}

export function floorHour(t: number): number {
  return Math.floor(t / HOUR_MS) * HOUR_MS;
}

export function ceilHour(t: number): number {
  return Math.ceil(t / HOUR_MS) * HOUR_MS;
}

/**
 * The period from resolved bounds: defaults (to = now, from = to − 30 days), rounded outward
 * to whole hours (the rollups are hourly), then checked. Every problem is a 400 naming its field.
 */
export function buildPeriod(
  bounds: { from?: Date; to?: Date },
  timezone: string,
  now: Date,
): KpiPeriod {
  const to = ceilHour((bounds.to ?? now).getTime());
  const from = floorHour(bounds.from?.getTime() ?? to - DEFAULT_PERIOD_DAYS * DAY_MS);
  const issues: ErrorDetail[] = [];
  if (from < EARLIEST || from >= LATEST) issues.push({ field: 'from', issue: 'is out of range' });
  if (to < EARLIEST || to > LATEST) issues.push({ field: 'to', issue: 'is out of range' });
  if (issues.length === 0 && from >= to) issues.push({ field: 'from', issue: 'must be before to' });
  if (issues.length === 0 && to - from > MAX_PERIOD_DAYS * DAY_MS) {
    issues.push({ field: 'to', issue: `must be at most ${MAX_PERIOD_DAYS} days after from` });
  }
  if (issues.length > 0) throw AppError.validation(issues);
  return { from: new Date(from), to: new Date(to), timezone };
}

/**
 * The UTC day ranges an advocate breakdown reads: daily rows for the whole UTC days inside the
 * period, hourly rows for the hours before the first and after the last whole day.
 */
export function splitByWholeDays(p: KpiPeriod): {
  days: [Date, Date];
  hours: [[Date, Date], [Date, Date]];
} {
  const from = p.from.getTime();
  const to = p.to.getTime();
  const firstDay = Math.ceil(from / DAY_MS) * DAY_MS;
  const lastDay = Math.floor(to / DAY_MS) * DAY_MS;
  if (firstDay >= lastDay) {
    return {
      days: [p.from, p.from],
      hours: [
        [p.from, p.to],
        [p.to, p.to],
      ],
    };
  }
  return {
    days: [new Date(firstDay), new Date(lastDay)],
    hours: [
      [p.from, new Date(firstDay)],
      [new Date(lastDay), p.to],
    ],
  };
}

/** A Monday, midnight UTC: weekly rollup rows start on it (the SQL's `utcWeek`). */
const WEEK_ORIGIN = Date.UTC(2000, 0, 3);
const WEEK_MS = 7 * DAY_MS;

/**
 * The ranges an advocate breakdown reads: weekly rows for the whole UTC weeks (Monday to
 * Monday) inside the period, daily rows for the whole UTC days before and after them, hourly
 * rows for the hours around those. Every range is [start, end); an unused one is empty.
 */
export function splitByWholeWeeks(p: KpiPeriod): {
  weeks: [Date, Date];
  days: [[Date, Date], [Date, Date]];
  hours: [[Date, Date], [Date, Date]];
} {
  const { days, hours } = splitByWholeDays(p);
  const d0 = days[0].getTime();
  const d1 = days[1].getTime();
  const w0 = WEEK_ORIGIN + Math.ceil((d0 - WEEK_ORIGIN) / WEEK_MS) * WEEK_MS;
  const w1 = WEEK_ORIGIN + Math.floor((d1 - WEEK_ORIGIN) / WEEK_MS) * WEEK_MS;
  if (w0 >= w1) return { weeks: [days[1], days[1]], days: [days, [days[1], days[1]]], hours };
  return {
    weeks: [new Date(w0), new Date(w1)],
    days: [
      [days[0], new Date(w0)],
      [new Date(w1), days[1]],
    ],
    hours,
  };
}
