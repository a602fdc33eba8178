/**
 * Small UTC helpers for the pure core. Every function takes its instants as arguments: the core
 * never reads the clock.
 */

/** Milliseconds in one day (UTC days have no DST). */
export const DAY_MS = 86_400_000;

/**
 * The UTC calendar day of an instant.
 *
 * @example
 * utcDay('2026-03-01T23:30:00-02:00'); // '2026-03-02'
 */
export function utcDay(instant: string | Date): string {
  return toDate(instant).toISOString().slice(0, 10);
}

/**
 * A UTC calendar day `days` after (or before, when negative) `day` (`YYYY-MM-DD`).
 *
 * @example
 * addDays('2026-02-27', 2); // '2026-03-01'
 */
export function addDays(day: string, days: number): string {
  return new Date(dayStart(day).getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Midnight UTC at the start of `day` (`YYYY-MM-DD`).
 *
 * @example
 * dayStart('2026-03-01').toISOString(); // '2026-03-01T00:00:00.000Z'
 */
export function dayStart(day: string): Date {
  return new Date(`${day}T00:00:00.000Z`);
}

/**
 * Whole days elapsed from `from` to `to` (floor of the difference in 24-hour days; negative when
 * `to` is earlier).
 *
 * @example
 * daysBetween('2026-03-01T12:00:00Z', '2026-03-03T11:59:59Z'); // 1
 */
export function daysBetween(from: string | Date, to: string | Date): number {
  return Math.floor((toDate(to).getTime() - toDate(from).getTime()) / DAY_MS);
}

/**
 * Whether `tz` is an IANA time zone name the runtime knows (`Asia/Jakarta`), checked with `Intl`
 * so the list stays as current as the runtime's ICU data.
 *
 * @example
 * isValidTimeZone('Asia/Jayapura'); // true
 * isValidTimeZone('Mars/Olympus'); // false
 * isValidTimeZone('+09:00'); // false
 */
export function isValidTimeZone(tz: string): boolean {
  // Recent ICU also accepts offsets such as "+09:00"; they are not zones (no DST rules), so names only.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Milliseconds since the epoch of an ISO string or a Date; `NaN` when the string is not a date.
 *
 * @example
 * toMillis('1970-01-01T00:00:01Z'); // 1000
 */
export function toMillis(instant: string | Date): number {
  return typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
}

function toDate(instant: string | Date): Date {
  return typeof instant === 'string' ? new Date(instant) : instant;
}
