/**
 * Whether the `YYYY-MM-DD` at the start of an ISO string is a day that exists. V8's Date reads
 * 2026-02-30 as March 2 instead of refusing it, and PostgreSQL refuses it with an error.
 * Years 0000-0099 are taken as written (Date.UTC would move them to 1900-1999).
 */
export function isCalendarDate(iso: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}
