import type { Channel } from '../profile';
import type { RfmTier } from '../rfm';
import type {
  Condition,
  ConsentCondition,
  EventCondition,
  LocationCondition,
  MetricCondition,
  MetricName,
  RfmTierCondition,
  SegmentDefinition,
  TraitCondition,
} from './definition';

/**
 * A typed builder that reads like the segment and produces plain {@link SegmentDefinition} data:
 * every call returns a JSON-serialisable object, so `JSON.stringify` round-trips. Pass the result
 * through `parseSegments` to check it.
 */

type Scalar = string | number | boolean;

/** Starts a segment; `.where(condition)` returns the definition. */
export interface SegmentBuilder {
  where(condition: Condition): SegmentDefinition;
}

/**
 * A segment with its id (a lower-case slug), name and optional description.
 *
 * @example
 * segment('eastern-indonesia', 'Customers in eastern provinces').where(location('region').in(['Papua', 'Maluku']));
 */
export function segment(id: string, name: string, description?: string): SegmentBuilder {
  return { where: (condition) => ({ id, name, ...(description !== undefined && { description }), condition }) };
}

/** Conditions on one trait (a dot path into traits). */
export interface TraitBuilder {
  equals(value: Scalar): TraitCondition;
  notEquals(value: Scalar): TraitCondition;
  in(values: readonly Scalar[]): TraitCondition;
  notIn(values: readonly Scalar[]): TraitCondition;
  /** Case-insensitive substring of a string trait, or an element of an array trait. */
  contains(value: Scalar): TraitCondition;
  exists(): TraitCondition;
  notExists(): TraitCondition;
  gt(value: number): TraitCondition;
  gte(value: number): TraitCondition;
  lt(value: number): TraitCondition;
  lte(value: number): TraitCondition;
  /** The trait is a date before this ISO date. */
  before(isoDate: string): TraitCondition;
  after(isoDate: string): TraitCondition;
  /** The trait is a date within the last `days` days. */
  withinLastDays(days: number): TraitCondition;
  moreThanDaysAgo(days: number): TraitCondition;
}

/**
 * Conditions on a trait.
 *
 * @example
 * trait('plan').equals('gold'); // { type: 'trait', trait: 'plan', operator: 'equals', value: 'gold' }
 */
export function trait(path: string): TraitBuilder {
  const op = (operator: TraitCondition['operator']) => (value?: Scalar | readonly Scalar[]): TraitCondition => ({
    type: 'trait',
    trait: path,
    operator,
    ...(value !== undefined && { value: Array.isArray(value) ? [...value] : (value as Scalar) }),
  });
  return {
    equals: op('equals'),
    notEquals: op('notEquals'),
    in: op('in'),
    notIn: op('notIn'),
    contains: op('contains'),
    exists: () => op('exists')(),
    notExists: () => op('notExists')(),
    gt: op('gt'),
    gte: op('gte'),
    lt: op('lt'),
    lte: op('lte'),
    before: op('before'),
    after: op('after'),
    withinLastDays: op('withinLastDays'),
    moreThanDaysAgo: op('moreThanDaysAgo'),
  };
}

/** How often the event must have happened; each returns a condition. */
export interface EventCountBuilder {
  /** At least once. */
  occurred(): EventConditionBuilder;
  /** Not at all. */
  never(): EventConditionBuilder;
  atLeast(count: number): EventConditionBuilder;
  atMost(count: number): EventConditionBuilder;
  between(min: number, max: number): EventConditionBuilder;
}

/**
 * An event condition that can still be limited to recent days. `inLastDays` is not enumerable, so
 * the object is plain data for `JSON.stringify` and equality.
 */
export type EventConditionBuilder = EventCondition & {
  /** Count only the last `days` UTC days, today included (1..90). */
  inLastDays(days: number): EventCondition;
};

/**
 * Conditions on how often an event happened (all time, or in recent days). The counts are methods
 * of a separate step because the condition's own `atLeast` / `atMost` fields are data.
 *
 * @example
 * event('Order Completed').atLeast(2).inLastDays(30);
 * // { type: 'event', event: 'Order Completed', atLeast: 2, withinDays: 30 }
 */
export function event(name: string): EventCountBuilder {
  const counted = (bounds: Pick<EventCondition, 'atLeast' | 'atMost'>): EventConditionBuilder => {
    const condition: EventCondition = { type: 'event', event: name, ...bounds };
    const inLastDays = (days: number): EventCondition => ({ ...condition, withinDays: days });
    return Object.defineProperty(condition, 'inLastDays', { value: inLastDays, enumerable: false }) as EventConditionBuilder;
  };
  return {
    occurred: () => counted({ atLeast: 1 }),
    never: () => counted({ atMost: 0 }),
    atLeast: (count) => counted({ atLeast: count }),
    atMost: (count) => counted({ atMost: count }),
    between: (min, max) => counted({ atLeast: min, atMost: max }),
  };
}

/** Numeric comparisons of a computed metric. */
export interface MetricBuilder {
  equals(value: number): MetricCondition;
  gt(value: number): MetricCondition;
  gte(value: number): MetricCondition;
  lt(value: number): MetricCondition;
  lte(value: number): MetricCondition;
}

/**
 * Compare a computed metric with a number.
 *
 * @example
 * metric('clv').gte(5_000_000); // { type: 'metric', metric: 'clv', operator: 'gte', value: 5000000 }
 */
export function metric(name: MetricName): MetricBuilder {
  const op = (operator: MetricCondition['operator']) => (value: number): MetricCondition => ({ type: 'metric', metric: name, operator, value });
  return { equals: op('equals'), gt: op('gt'), gte: op('gte'), lt: op('lt'), lte: op('lte') };
}

/** Relative-time conditions on a days-since metric. */
export interface RecencyBuilder {
  /** More than `days` whole days ago (days-since > days). */
  moreThanDaysAgo(days: number): MetricCondition;
  /** Within the last `days` days (days-since < days). */
  withinLastDays(days: number): MetricCondition;
}

function recency(name: 'daysSinceLastSeen' | 'daysSinceFirstSeen' | 'daysSinceLastOrder'): RecencyBuilder {
  return { moreThanDaysAgo: (days) => metric(name).gt(days), withinLastDays: (days) => metric(name).lt(days) };
}

/**
 * When the customer was last seen (any event).
 *
 * @example
 * lastSeen().moreThanDaysAgo(30); // { type: 'metric', metric: 'daysSinceLastSeen', operator: 'gt', value: 30 }
 */
export function lastSeen(): RecencyBuilder {
  return recency('daysSinceLastSeen');
}

/**
 * When the customer was first seen.
 *
 * @example
 * firstSeen().withinLastDays(7); // { type: 'metric', metric: 'daysSinceFirstSeen', operator: 'lt', value: 7 }
 */
export function firstSeen(): RecencyBuilder {
  return recency('daysSinceFirstSeen');
}

/**
 * When the customer last completed an order.
 *
 * @example
 * lastOrder().moreThanDaysAgo(60); // { type: 'metric', metric: 'daysSinceLastOrder', operator: 'gt', value: 60 }
 */
export function lastOrder(): RecencyBuilder {
  return recency('daysSinceLastOrder');
}

/** The consent status to require. */
export interface ConsentBuilder {
  granted(): ConsentCondition;
  revoked(): ConsentCondition;
  /** Nothing recorded either way. */
  unknown(): ConsentCondition;
}

/**
 * Consent on a channel, a topic, or both (both must have the status).
 *
 * @example
 * consent('email').granted(); // { type: 'consent', channel: 'email', status: 'granted' }
 * consent({ topic: 'promotions' }).revoked(); // { type: 'consent', topic: 'promotions', status: 'revoked' }
 */
export function consent(scope: Channel | { readonly channel?: Channel; readonly topic?: string }): ConsentBuilder {
  const { channel, topic } = typeof scope === 'string' ? { channel: scope, topic: undefined } : scope;
  const of = (status: ConsentCondition['status']): ConsentCondition => ({
    type: 'consent',
    ...(channel !== undefined && { channel }),
    ...(topic !== undefined && { topic }),
    status,
  });
  return { granted: () => of('granted'), revoked: () => of('revoked'), unknown: () => of('unknown') };
}

/** Membership of a list of places. */
export interface LocationBuilder {
  in(values: readonly string[]): LocationCondition;
  notIn(values: readonly string[]): LocationCondition;
}

/**
 * The profile's country, region (province) or city, compared case- and accent-insensitively.
 *
 * @example
 * location('region').in(['Papua', 'Maluku']); // { type: 'location', field: 'region', operator: 'in', values: ['Papua', 'Maluku'] }
 */
export function location(field: LocationCondition['field']): LocationBuilder {
  return {
    in: (values) => ({ type: 'location', field, operator: 'in', values: [...values] }),
    notIn: (values) => ({ type: 'location', field, operator: 'notIn', values: [...values] }),
  };
}

/**
 * The profile's RFM tier is one of `tiers`.
 *
 * @example
 * rfmTier('champions', 'loyal'); // { type: 'rfmTier', tiers: ['champions', 'loyal'] }
 */
export function rfmTier(...tiers: RfmTier[]): RfmTierCondition {
  return { type: 'rfmTier', tiers };
}

/**
 * Every condition holds.
 *
 * @example
 * and(consent('email').granted(), metric('clv').gte(1_000_000));
 */
export function and(...conditions: Condition[]): Condition {
  return { type: 'and', conditions };
}

/**
 * At least one condition holds.
 *
 * @example
 * or(metric('clv').gte(5_000_000), rfmTier('champions'));
 */
export function or(...conditions: Condition[]): Condition {
  return { type: 'or', conditions };
}

/**
 * The condition does not hold.
 *
 * @example
 * not(consent('sms').revoked());
 */
export function not(condition: Condition): Condition {
  return { type: 'not', condition };
}
