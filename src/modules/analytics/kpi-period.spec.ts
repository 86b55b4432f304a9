import { AppError } from '@/common/errors/app-error';
import {
  buildPeriod,
  parseBound,
  splitByWholeDays,
  splitByWholeWeeks,
} from '@/modules/analytics/kpi-period';

const now = new Date('2026-03-10T12:34:56Z');

function issues(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    return (e as AppError).details;
  }
  return [];
}

describe('KPI periods', () => {
  it('reads dates and instants with an offset', () => {
    expect(parseBound('from', '2026-03-01')).toEqual({ kind: 'date', date: '2026-03-01' });
    expect(parseBound('from', '2026-03-01T10:30:00+02:00')).toEqual({
      kind: 'instant',
      at: new Date('2026-03-01T08:30:00Z'),
    });
    expect(parseBound('to', '2026-02-30')).toEqual({ field: 'to', issue: 'is not a valid date' });
    expect(parseBound('from', '2026-02-30T00:00:00Z')).toEqual({
      field: 'from',
      issue: 'is not a valid date',
    });
    expect(parseBound('to', '2026-03-01T10:30:00')).toMatchObject({ field: 'to' });
    expect(parseBound('to', 'last week')).toMatchObject({ field: 'to' });
  });

  it('defaults to the last 30 days, rounded outward to whole hours', () => {
    const p = buildPeriod({}, 'UTC', now);
    expect(p.to.toISOString()).toBe('2026-03-10T13:00:00.000Z');
    expect(p.from.toISOString()).toBe('2026-02-08T13:00:00.000Z');
    const q = buildPeriod(
      { from: new Date('2026-03-01T10:59:00Z'), to: new Date('2026-03-02T10:01:00Z') },
      'UTC',
      now,
    );
    expect([q.from.toISOString(), q.to.toISOString()]).toEqual([
      '2026-03-01T10:00:00.000Z',
      '2026-03-02T11:00:00.000Z',
    ]);
  });

  it('names the field of every problem', () => {
    const d = (s: string) => new Date(s);
    expect(
      issues(() => buildPeriod({ from: d('2026-03-02'), to: d('2026-03-01') }, 'UTC', now)),
    ).toEqual([{ field: 'from', issue: 'must be before to' }]);
    expect(
      issues(() => buildPeriod({ from: d('2020-01-01'), to: d('2026-01-01') }, 'UTC', now)),
    ).toEqual([{ field: 'to', issue: 'must be at most 731 days after from' }]);
    expect(
      issues(() => buildPeriod({ from: d('1999-01-01'), to: d('1999-02-01') }, 'UTC', now)),
    ).toEqual([
      { field: 'from', issue: 'is out of range' },
      { field: 'to', issue: 'is out of range' },
    ]);
  });

  it('splits an advocate period into whole UTC days and the hours around them', () => {
    const p = buildPeriod(
      { from: new Date('2026-03-01T22:00:00Z'), to: new Date('2026-03-04T03:00:00Z') },
      'UTC',
      now,
    );
    const s = splitByWholeDays(p);
    const iso = (r: Date[]) => r.map((x) => x.toISOString().slice(0, 16));
    expect(iso(s.days)).toEqual(['2026-03-02T00:00', '2026-03-04T00:00']);
    expect(iso(s.hours[0])).toEqual(['2026-03-01T22:00', '2026-03-02T00:00']);
    expect(iso(s.hours[1])).toEqual(['2026-03-04T00:00', '2026-03-04T03:00']);
    const short = splitByWholeDays(
      buildPeriod(
        { from: new Date('2026-03-01T10:00Z'), to: new Date('2026-03-01T14:00Z') },
        'UTC',
        now,
      ),
    );
    expect(short.days[0]).toEqual(short.days[1]); // no whole day
    expect(iso(short.hours[0])).toEqual(['2026-03-01T10:00', '2026-03-01T14:00']);
    expect(short.hours[1][0]).toEqual(short.hours[1][1]);
  });

  it('splits a leaderboard period into whole UTC weeks (from Monday), days and hours', () => {
    const iso = (r: Date[]) => r.map((x) => x.toISOString().slice(0, 16));
    // 2026-03-02 and 2026-03-16 are Mondays.
    const s = splitByWholeWeeks(
      buildPeriod(
        { from: new Date('2026-02-27T05:00Z'), to: new Date('2026-03-20T07:00Z') },
        'UTC',
        now,
      ),
    );
    expect(iso(s.weeks)).toEqual(['2026-03-02T00:00', '2026-03-16T00:00']);
    expect(iso(s.days[0])).toEqual(['2026-02-28T00:00', '2026-03-02T00:00']);
    expect(iso(s.days[1])).toEqual(['2026-03-16T00:00', '2026-03-20T00:00']);
    expect(iso(s.hours[0])).toEqual(['2026-02-27T05:00', '2026-02-28T00:00']);
    expect(iso(s.hours[1])).toEqual(['2026-03-20T00:00', '2026-03-20T07:00']);
    // Six whole days, no whole week: the days are read from the daily rows.
    const noWeek = splitByWholeWeeks(
      buildPeriod(
        { from: new Date('2026-03-03T00:00Z'), to: new Date('2026-03-09T03:00Z') },
        'UTC',
        now,
      ),
    );
    expect(noWeek.weeks[0]).toEqual(noWeek.weeks[1]);
    expect(iso(noWeek.days[0])).toEqual(['2026-03-03T00:00', '2026-03-09T00:00']);
    expect(noWeek.days[1][0]).toEqual(noWeek.days[1][1]);
    expect(iso(noWeek.hours[1])).toEqual(['2026-03-09T00:00', '2026-03-09T03:00']);
    // Exactly one week, Monday to Monday: nothing else.
    const week = splitByWholeWeeks(
      buildPeriod(
        { from: new Date('2026-03-02T00:00Z'), to: new Date('2026-03-09T00:00Z') },
        'UTC',
        now,
      ),
    );
    expect(iso(week.weeks)).toEqual(['2026-03-02T00:00', '2026-03-09T00:00']);
    expect(week.days[0][0]).toEqual(week.days[0][1]);
    expect(week.days[1][0]).toEqual(week.days[1][1]);
    expect(week.hours[0][0]).toEqual(week.hours[0][1]);
    expect(week.hours[1][0]).toEqual(week.hours[1][1]);
  });
});
