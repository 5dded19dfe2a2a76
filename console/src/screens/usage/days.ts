/**
 * Day arithmetic in a fixed UTC offset, the way usageAggregates buckets days (`timeZone: "+08:00"`).
 * The console uses the browser's current offset so "today" is the person's today.
 */

/** The browser's offset now, as "+HH:MM" / "-HH:MM". */
export function browserOffset(now = new Date()): string {
  const minutes = -now.getTimezoneOffset();
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

function offsetMinutes(offset: string): number {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

/** "YYYY-MM-DD" of `at` in the offset. */
export function dayOf(at: Date, offset: string): string {
  return new Date(at.getTime() + offsetMinutes(offset) * 60_000).toISOString().slice(0, 10);
}

/** The instant a day ("YYYY-MM-DD") starts in the offset, as an ISO timestamp. */
export function startOfDay(day: string, offset: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - offsetMinutes(offset) * 60_000).toISOString();
}

/** The day after `day`. */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** The last `count` days up to and including today, oldest first. */
export function lastDays(count: number, offset: string, now = new Date()): string[] {
  const today = Date.parse(`${dayOf(now, offset)}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) =>
    new Date(today - (count - 1 - i) * 86_400_000).toISOString().slice(0, 10),
  );
}
