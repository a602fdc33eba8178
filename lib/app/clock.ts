/**
 * The time handlers read. On AWS it is the system clock; local mode replaces it with an
 * accelerated clock, and the journey test harness with one it moves by hand. The pure core never
 * reads it: handlers pass `now` in.
 */
export interface Clock {
  now(): Date;
}

const systemClock: Clock = { now: () => new Date() };
let current: Clock = systemClock;

/**
 * The clock in use.
 *
 * @example
 * const result = await processEvents(events, { store, config, now: () => clock().now() });
 */
export function clock(): Clock {
  return current;
}

/**
 * Replace the clock (local runtime and tests only); `undefined` restores the system clock.
 *
 * @example
 * useClock({ now: () => new Date('2026-11-22T07:00:00Z') });
 */
export function useClock(replacement: Clock | undefined): void {
  current = replacement ?? systemClock;
}
