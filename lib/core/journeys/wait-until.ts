import { localCalendar, localTimeToInstant } from '../messaging/local-time';
import { addDays } from '../time';
import type { Weekday } from './definition';

/**
 * The next instant (strictly after `now`) at which the customer's wall clock in `timeZone` reads
 * `time` on one of `days` (every day when omitted). DST-safe: a local time skipped when clocks go
 * forward becomes the transition instant, a repeated one its first occurrence.
 *
 * @example
 * nextLocalTime(new Date('2026-11-05T08:00:00Z'), '14:00', ['mon', 'fri'], 'Asia/Jakarta').toISOString();
 * // '2026-11-06T07:00:00.000Z' (Friday 14:00 WIB)
 */
export function nextLocalTime(now: Date, time: string, days: readonly Weekday[] | undefined, timeZone: string): Date {
  const today = localCalendar(now, timeZone).day;
  // Eight local days always contain the next allowed weekday after today's time has passed.
  for (let offset = 0; offset <= 8; offset++) {
    const day = addDays(today, offset);
    const candidate = localTimeToInstant(day, time, timeZone, now);
    if (candidate.getTime() <= now.getTime()) continue;
    const weekday = localCalendar(new Date(Date.parse(`${day}T12:00:00.000Z`)), 'UTC').weekday;
    if (days === undefined || days.includes(weekday)) return candidate;
  }
  throw new Error(`no ${time} on ${days?.join(', ')} within 8 days of ${now.toISOString()} in ${timeZone}`);
}

/**
 * The instant a waitUntilDate step waits for: the date found at the step's path plus the offset,
 * never before `now` (a date in the past continues at once); `undefined` when the value is not a
 * date. Accepts ISO dates (`2026-12-25`, `2026-12-25T10:00:00+07:00`) and epoch numbers (seconds
 * below 10^11, milliseconds above).
 *
 * @example
 * dateWithOffset('2026-12-25T00:00:00Z', -86_400, now)?.toISOString(); // '2026-12-24T00:00:00.000Z'
 */
export function dateWithOffset(value: unknown, offsetSeconds: number | undefined, now: Date): Date | undefined {
  let millis: number;
  if (typeof value === 'number' && Number.isFinite(value)) millis = Math.abs(value) < 1e11 ? value * 1000 : value;
  else if (typeof value === 'string' && value.trim() !== '') millis = Date.parse(value);
  else return undefined;
  if (Number.isNaN(millis)) return undefined;
  const at = millis + (offsetSeconds ?? 0) * 1000;
  return new Date(Math.max(at, now.getTime()));
}
