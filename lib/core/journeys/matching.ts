import { eventKey, type CustomerEvent } from '../events';
import type { EventMatch, PropertyFilter } from './definition';

/**
 * Event matching for journeys: entry triggers, exit criteria and `waitForEvent` steps all ask
 * "is this the event we are waiting for?" with the same rules, so they can never disagree.
 */

/**
 * Whether every filter holds on `properties` (no filters: true). Paths are dot paths
 * (`items.0.sku` reads arrays by index). `equals` / `notEquals` are strict (`'1' !== 1`); `in` /
 * `notIn` test membership of the filter's array; `contains` is a case-insensitive substring of a
 * string, or an element of an array; `gt` / `gte` / `lt` / `lte` compare numbers, numeric strings
 * included, and are false when either side is not a number. A missing property fails every
 * filter except `notEquals`, `notIn` and `notExists`.
 *
 * @example
 * matchesFilters({ total: '150000', coupon: 'HEMAT10' }, [
 *   { property: 'total', operator: 'gte', value: 100000 },
 *   { property: 'coupon', operator: 'contains', value: 'hemat' },
 * ]); // true
 */
export function matchesFilters(properties: Record<string, unknown>, filters?: readonly PropertyFilter[]): boolean {
  return (filters ?? []).every((filter) => matchesFilter(valueAt(properties, filter.property), filter));
}

/**
 * Whether a customer event is the one `match` describes: same event key (the track name, or
 * `page` / `screen` / `identify`...), every `where` filter holds on its properties, and, when
 * `match.matchEntryKey` is set, its entry-key property equals the run's entry key. A keyed match
 * without an `entryKey` to compare with never matches: better to miss an event than to stop or
 * resume the wrong cart's run.
 *
 * @example
 * matchesEvent(orderCompleted, { event: 'Order Completed', matchEntryKey: true }, { property: 'cartId', value: 'c-42' });
 * // true when orderCompleted.properties.cartId is 'c-42' (or the number 42 for value '42')
 */
export function matchesEvent(event: CustomerEvent, match: EventMatch, entryKey?: { property: string; value: string }): boolean {
  if (eventKey(event) !== match.event) return false;
  if (match.matchEntryKey && !sameKey(valueAt(event.properties, entryKey?.property), entryKey?.value)) return false;
  return matchesFilters(event.properties, match.where);
}

/** Entry keys are stored as strings; events may carry the same id as a number (`cartId: 42`). */
function sameKey(actual: unknown, expected: string | undefined): boolean {
  if (expected === undefined) return false;
  return (typeof actual === 'string' || typeof actual === 'number') && String(actual) === expected;
}

function matchesFilter(actual: unknown, filter: PropertyFilter): boolean {
  const expected = filter.value;
  switch (filter.operator) {
    case 'equals':
      return actual !== undefined && actual === expected;
    case 'notEquals':
      return actual !== expected;
    case 'in':
      return Array.isArray(expected) && expected.includes(actual as never);
    case 'notIn':
      return !(Array.isArray(expected) && expected.includes(actual as never));
    case 'exists':
      return actual !== undefined && actual !== null;
    case 'notExists':
      return actual === undefined || actual === null;
    case 'contains':
      return contains(actual, expected);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return compare(toNumber(actual), filter.operator, toNumber(expected));
    default: {
      const unexpected: never = filter.operator;
      throw new Error(`unknown filter operator ${String(unexpected)}`);
    }
  }
}

function contains(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(actual)) return actual.includes(expected);
  return typeof actual === 'string' && typeof expected === 'string' && actual.toLowerCase().includes(expected.toLowerCase());
}

function compare(a: number | undefined, operator: 'gt' | 'gte' | 'lt' | 'lte', b: number | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if (operator === 'gt') return a > b;
  if (operator === 'gte') return a >= b;
  if (operator === 'lt') return a < b;
  return a <= b;
}

function toNumber(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** Own properties only: a path such as `constructor` or `__proto__` must not reach the prototype. */
function valueAt(properties: Record<string, unknown>, path: string | undefined): unknown {
  if (path === undefined) return undefined;
  return path.split('.').reduce<unknown>(
    (value, part) => (typeof value === 'object' && value !== null && Object.hasOwn(value, part) ? (value as Record<string, unknown>)[part] : undefined),
    properties,
  );
}
