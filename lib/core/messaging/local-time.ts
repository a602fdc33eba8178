import { WEEKDAYS, type Weekday } from '../journeys/definition';
import { addDays } from '../time';

/**
 * The customer's wall clock: calendar day, calendar week and time of day of an instant in an IANA
 * time zone, and the way back from a local wall time to an instant. Built on `Intl` (the runtime's
 * ICU time-zone data), so DST rules stay as current as the runtime; no date library.
 */

/** An instant read on a customer's wall clock. */
export interface LocalCalendar {
  /** Local calendar day, `YYYY-MM-DD`: the key of a per-day frequency cap. */
  readonly day: string;
  /** The Monday that starts the local calendar week (Monday to Sunday), `YYYY-MM-DD`: the key of a per-week cap. */
  readonly week: string;
  readonly weekday: Weekday;
  /** Local time of day, `HH:MM` (24-hour). */
  readonly time: string;
  /** Minutes since local midnight, 0..1439. */
  readonly minutes: number;
  /** The zone's offset from UTC at this instant, in minutes (e.g. 420 for Asia/Jakarta). */
  readonly offsetMinutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // en-US with h23 gives stable, parseable parts; throws RangeError for an unknown zone.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock fields of `instant` in `timeZone`, as if they were UTC (milliseconds). */
function wallMillis(instant: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const ms = ((instant % 1000) + 1000) % 1000;
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second, ms);
}

function offsetMillis(instant: number, timeZone: string): number {
  return wallMillis(instant, timeZone) - instant;
}

/**
 * Read an instant on the wall clock of an IANA time zone.
 *
 * @example
 * localCalendar(new Date('2026-03-08T07:30:00Z'), 'America/New_York');
 * // { day: '2026-03-08', week: '2026-03-02', weekday: 'sun', time: '03:30', minutes: 210, offsetMinutes: -240 }
 */
export function localCalendar(now: Date, timeZone: string): LocalCalendar {
  const instant = now.getTime();
  const wall = new Date(wallMillis(instant, timeZone));
  const day = wall.toISOString().slice(0, 10);
  // getUTCDay: 0 = Sunday; WEEKDAYS starts on Monday.
  const weekdayIndex = (wall.getUTCDay() + 6) % 7;
  const minutes = wall.getUTCHours() * 60 + wall.getUTCMinutes();
  return {
    day,
    week: addDays(day, -weekdayIndex),
    weekday: WEEKDAYS[weekdayIndex],
    time: wall.toISOString().slice(11, 16),
    minutes,
    offsetMinutes: Math.round((wall.getTime() - instant) / 60_000),
  };
}

/**
 * The first instant at or after which the wall clock of `timeZone` reads `time` on `day`, and not
 * before `notBefore` when given:
 * - a normal local time has one instant;
 * - a time repeated when clocks go back (e.g. 01:30 on America/New_York 2026-11-01) has two: the
 *   earlier one, unless it is before `notBefore`;
 * - a time skipped when clocks go forward (02:30 on America/New_York 2026-03-08) never happens: the
 *   answer is the transition itself (03:00 EDT), the first instant whose wall time is later.
 *
 * @example
 * localTimeToInstant('2026-03-08', '02:30', 'America/New_York').toISOString(); // '2026-03-08T07:00:00.000Z'
 * localTimeToInstant('2026-11-22', '08:00', 'Asia/Jayapura').toISOString(); // '2026-11-21T23:00:00.000Z'
 */
export function localTimeToInstant(day: string, time: string, timeZone: string, notBefore?: Date): Date {
  const [hours, minutes] = time.split(':').map(Number);
  const wall = Date.parse(`${day}T00:00:00.000Z`) + (hours * 60 + minutes) * 60_000;
  // Offsets a day either side cover every real transition (they are at most a few hours).
  const offsets = new Set([offsetMillis(wall - 86_400_000, timeZone), offsetMillis(wall, timeZone), offsetMillis(wall + 86_400_000, timeZone)]);
  const candidates = [...offsets]
    .map((offset) => wall - offset)
    .filter((instant) => wallMillis(instant, timeZone) === wall)
    .sort((a, b) => a - b);
  const floor = notBefore?.getTime() ?? -Infinity;
  const match = candidates.find((instant) => instant >= floor) ?? candidates[candidates.length - 1];
  if (match !== undefined) return new Date(match);
  return new Date(transitionAfter(wall, timeZone));
}

/** In a skipped hour: the first instant whose wall time is past `wall` (binary search to the millisecond). */
function transitionAfter(wall: number, timeZone: string): number {
  // Read with the offset after and before the jump: the jump lies between the two instants.
  let low = wall - offsetMillis(wall + 86_400_000, timeZone);
  let high = wall - offsetMillis(wall - 86_400_000, timeZone);
  if (low > high) [low, high] = [high, low];
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (wallMillis(mid, timeZone) > wall) high = mid;
    else low = mid;
  }
  return high;
}
