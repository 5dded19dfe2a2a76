import { ValidationError } from '../lib/errors.ts';

/**
 * Plan days: a calendar day in the plan's time zone, written YYYY-MM-DD. A time zone is a fixed
 * offset (`+08:00`, `-05:30`, `Z`) or an IANA name (`Asia/Shanghai`, `UTC`), the latter through
 * Intl so daylight-saving rules apply.
 */
export const DEFAULT_TIME_ZONE = '+08:00';

export interface PlanDayBounds {
  /** YYYY-MM-DD in the plan's time zone. */
  day: string;
  startsAt: Date;
  /** The next midnight in the plan's time zone: when the day's counters reset. */
  resetsAt: Date;
}

const OFFSET = /^([+-])(\d{2}):(\d{2})$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

function offsetMinutes(tz: string): number | null {
  if (tz === 'Z') return 0;
  const m = OFFSET.exec(tz);
  if (!m) return null;
  const hours = Number(m[2]);
  const minutes = Number(m[3]);
  if (hours > 14 || minutes > 59 || (hours === 14 && minutes > 0)) return null;
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

function formatter(tz: string): Intl.DateTimeFormat | null {
  let f = formatters.get(tz);
  if (f) return f;
  try {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
  } catch {
    return null;
  }
  formatters.set(tz, f);
  return f;
}

/** Whether Tollgate understands the time zone. */
export function isValidTimeZone(tz: string): boolean {
  return offsetMinutes(tz) !== null || (!OFFSET.test(tz) && formatter(tz) !== null);
}

/** @throws ValidationError (VALIDATION_FAILED) for an unknown time zone. */
export function assertTimeZone(tz: string, param = 'timeZone'): string {
  if (!isValidTimeZone(tz))
    throw new ValidationError(
      `Unknown time zone '${tz}': use a fixed offset like +08:00 or an IANA name like Asia/Shanghai`,
      { param },
    );
  return tz;
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The plan day (YYYY-MM-DD in `tz`) that instant `at` belongs to. */
export function planDayOf(at: Date, tz: string = DEFAULT_TIME_ZONE): string {
  const offset = offsetMinutes(tz);
  if (offset !== null) return isoDay(at.getTime() + offset * 60_000);
  const f = formatter(tz);
  if (!f) throw new ValidationError(`Unknown time zone '${tz}'`, { param: 'timeZone' });
  // en-CA formats dates as YYYY-MM-DD.
  return f.format(at);
}

const boundsCache = new Map<string, PlanDayBounds>();
/** Per time zone, the bounds last asked for: every request of the day falls inside them. */
const currentBounds = new Map<string, PlanDayBounds>();

/** The plan day of `at` with its first instant and the instant it resets (the next local midnight). */
export function planDayBounds(at: Date, tz: string = DEFAULT_TIME_ZONE): PlanDayBounds {
  const t = at.getTime();
  const current = currentBounds.get(tz);
  if (current && t >= current.startsAt.getTime() && t < current.resetsAt.getTime()) return current;
  const bounds = dayBounds(at, tz);
  if (currentBounds.size > 10_000) currentBounds.clear();
  currentBounds.set(tz, bounds);
  return bounds;
}

function dayBounds(at: Date, tz: string): PlanDayBounds {
  const day = planDayOf(at, tz);
  const cacheKey = `${tz}|${day}`;
  const cached = boundsCache.get(cacheKey);
  if (cached) return cached;
  const offset = offsetMinutes(tz);
  let bounds: PlanDayBounds;
  if (offset !== null) {
    const startMs = Date.parse(`${day}T00:00:00Z`) - offset * 60_000;
    bounds = { day, startsAt: new Date(startMs), resetsAt: new Date(startMs + 86_400_000) };
  } else {
    // No fixed offset: find the first instant of the day and of the next by bisection
    // (a local day lasts 23 to 25 hours, and some zones skip midnight itself).
    const t = at.getTime();
    const startMs = firstInstant(t - 26 * 3_600_000, t, (ms) => planDayOf(new Date(ms), tz) >= day);
    const resetMs = firstInstant(t, t + 26 * 3_600_000, (ms) => planDayOf(new Date(ms), tz) > day);
    bounds = { day, startsAt: new Date(startMs), resetsAt: new Date(resetMs) };
  }
  if (boundsCache.size > 10_000) boundsCache.clear();
  boundsCache.set(cacheKey, bounds);
  return bounds;
}

/** Smallest ms in (lo, hi] for which pred holds, given pred(lo) is false and pred(hi) is true. */
function firstInstant(lo: number, hi: number, pred: (ms: number) => boolean): number {
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (pred(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
