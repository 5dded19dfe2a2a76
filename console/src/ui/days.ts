/**
 * Day boundaries for charts and limits. Plans reset at midnight of their time zone (a fixed offset such as
 * "+08:00", or an IANA name); `usageAggregates` groups by a fixed offset, so an IANA zone is turned into
 * its offset at the given instant. Pure functions of their inputs: tested without a browser.
 */
const OFFSET = /^([+-])(\d{2}):(\d{2})$/;

/** Minutes east of UTC of a "+08:00"-style offset; null when it is not one. */
export function offsetMinutes(offset: string): number | null {
  const m = OFFSET.exec(offset);
  if (!m) return null;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${sign}${hh}:${mm}`;
}

/** The plans' default day: UTC+8. */
export const DEFAULT_OFFSET = '+08:00';

/** `timeZone` ("+08:00", "Asia/Shanghai", "UTC") as a fixed offset at `at`; the default when unknown. */
export function fixedOffset(timeZone: string | null | undefined, at: Date): string {
  if (!timeZone) return DEFAULT_OFFSET;
  if (offsetMinutes(timeZone) !== null) return timeZone;
  try {
    const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value;
    // "GMT+08:00", "GMT-03:30", or "GMT" for UTC itself.
    if (name === 'GMT') return '+00:00';
    const m = /^GMT([+-]\d{2}:\d{2})$/.exec(name ?? '');
    return m ? m[1]! : DEFAULT_OFFSET;
  } catch {
    return DEFAULT_OFFSET;
  }
}

/** "YYYY-MM-DD" of `at` in the offset. */
export function dayOf(at: Date, offset: string): string {
  const shifted = new Date(at.getTime() + (offsetMinutes(offset) ?? 0) * 60_000);
  return shifted.toISOString().slice(0, 10);
}

/**
 * The last `n` days up to and including today in the offset: their "YYYY-MM-DD" names, oldest first, and
 * the instant the first one starts (the `from` of a usage query).
 */
export function lastDays(n: number, offset: string, now: Date): { from: Date; days: string[] } {
  const minutes = offsetMinutes(offset) ?? 0;
  const today = dayOf(now, formatOffset(minutes));
  const todayStartUtc = Date.parse(`${today}T00:00:00Z`) - minutes * 60_000;
  const days: string[] = [];
  for (let i = n - 1; i >= 0; i--) days.push(dayOf(new Date(todayStartUtc - i * 86_400_000), offset));
  return { from: new Date(todayStartUtc - (n - 1) * 86_400_000), days };
}
