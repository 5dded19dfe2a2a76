/**
 * Instants and days for people. Pure functions of their inputs: tested without a browser.
 *
 * Operators read UTC with the zone written out (the gateway, its logs and the ledger speak UTC), so a
 * screenshot or a pasted row means the same thing everywhere; customers read their own locale and zone.
 * Days are cut in a fixed UTC offset, as `usageAggregates` buckets them (`timeZone: "+08:00"`): plans reset
 * at midnight of their time zone (an offset or an IANA name, turned into its offset at the instant), the
 * usage screen at the browser's midnight.
 */

/** A timestamp in the person's locale and time zone: "2026-12-06 11:25" style, minutes only. */
export function formatDateTime(iso: string, locale: string): string {
  return new Date(iso).toLocaleString(locale, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** "2026-12-06 11:25 UTC"; "—" for none, the text itself when it is not an instant. */
export function formatUtc(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The value of an `<input type="datetime-local">` read as UTC → ISO-8601; null when empty or invalid. */
export function utcInputToIso(value: string): string | null {
  if (!value) return null;
  const d = new Date(`${value}Z`);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** ISO-8601 → the value an `<input type="datetime-local">` shows, in UTC. */
export function isoToUtcInput(iso: string | null | undefined): string {
  return iso ? new Date(iso).toISOString().slice(0, 16) : '';
}

const OFFSET = /^([+-])(\d{2}):(\d{2})$/;
const DAY_MS = 86_400_000;

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

/** The browser's offset now, as "+HH:MM" / "-HH:MM". */
export function browserOffset(now = new Date()): string {
  return formatOffset(-now.getTimezoneOffset());
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

/** The instant a day ("YYYY-MM-DD") starts in the offset, as an ISO timestamp. */
export function startOfDay(day: string, offset: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - (offsetMinutes(offset) ?? 0) * 60_000).toISOString();
}

/** The day after `day`. */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

/**
 * The last `n` days up to and including today in the offset: their "YYYY-MM-DD" names, oldest first, and
 * the instant the first one starts (the `from` of a usage query).
 */
export function lastDays(n: number, offset: string, now: Date): { from: Date; days: string[] } {
  const today = Date.parse(`${dayOf(now, offset)}T00:00:00Z`);
  const days: string[] = [];
  for (let i = n - 1; i >= 0; i--) days.push(new Date(today - i * DAY_MS).toISOString().slice(0, 10));
  return { from: new Date(startOfDay(days[0] ?? dayOf(now, offset), offset)), days };
}
