import { DEFAULT_RFM, type RfmThresholds } from '../config';
import type { Profile, SegmentMembership } from '../profile';
import { DAY_MS, addDays, dayStart, toMillis, utcDay } from '../time';
import type {
  Condition,
  ConsentCondition,
  EventCondition,
  LocationCondition,
  MetricCondition,
  MetricName,
  NumericOperator,
  SegmentDefinition,
  TraitCondition,
} from './definition';

/** The memberships after an evaluation and what changed. */
export interface SegmentEvaluation {
  readonly memberships: Record<string, SegmentMembership>;
  readonly entered: string[];
  readonly exited: string[];
  /** Earliest instant (ISO) a time-dependent condition can change without a new event. */
  readonly nextEvaluationAt?: string;
}

/** A condition's value now, and the earliest later instant (epoch ms) it may change by time alone. */
interface Outcome {
  readonly value: boolean;
  readonly next?: number;
}

interface Context {
  readonly profile: Profile;
  readonly now: number;
  readonly rfm: RfmThresholds;
}

/**
 * Evaluate every segment against a profile as of `now`. A member keeps the `since` of its entry;
 * a new member gets `now`. Memberships of segments that are no longer defined are dropped silently
 * (they are not reported as exits: removing a segment from the configuration is not a customer's
 * action). `profile.metrics.rfm` is used as it is: refresh it first (see `evaluateProfile`).
 *
 * `nextEvaluationAt` is the earliest future instant at which a time-dependent condition (days-since
 * metrics, RFM recency and tiers, relative trait dates, windowed event counts) can change value;
 * it may be earlier than a real change, never later.
 *
 * @example
 * const { memberships, entered } = evaluateSegments(profile, config.segments, new Date('2026-03-01T00:00:00Z'));
 * entered; // ['high-value']
 */
export function evaluateSegments(
  profile: Profile,
  segments: readonly SegmentDefinition[],
  now: Date,
  rfmThresholds: RfmThresholds = DEFAULT_RFM,
): SegmentEvaluation {
  const context: Context = { profile, now: now.getTime(), rfm: rfmThresholds };
  const memberships: Record<string, SegmentMembership> = {};
  const entered: string[] = [];
  const exited: string[] = [];
  let next: number | undefined;
  for (const segment of segments) {
    const outcome = evaluate(segment.condition, context);
    next = earliest(next, outcome.next);
    const current = Object.hasOwn(profile.segments, segment.id) ? profile.segments[segment.id] : undefined;
    if (outcome.value) memberships[segment.id] = current ?? { since: now.toISOString() };
    if (outcome.value && !current) entered.push(segment.id);
    if (!outcome.value && current) exited.push(segment.id);
  }
  return { memberships, entered, exited, ...(next !== undefined && { nextEvaluationAt: new Date(next).toISOString() }) };
}

function evaluate(condition: Condition, context: Context): Outcome {
  switch (condition.type) {
    case 'trait':
      return traitOutcome(condition, context);
    case 'event':
      return eventOutcome(condition, context);
    case 'metric':
      return metricOutcome(condition, context);
    case 'rfmTier': {
      const tier = context.profile.metrics.rfm?.tier;
      return { value: tier !== undefined && condition.tiers.includes(tier), next: recencyChange(context) };
    }
    case 'consent':
      return { value: consentMatches(condition, context.profile) };
    case 'location':
      return { value: locationMatches(condition, context.profile) };
    case 'and':
    case 'or': {
      const outcomes = condition.conditions.map((c) => evaluate(c, context));
      const value = condition.type === 'and' ? outcomes.every((o) => o.value) : outcomes.some((o) => o.value);
      return { value, next: outcomes.reduce<number | undefined>((min, o) => earliest(min, o.next), undefined) };
    }
    case 'not': {
      const outcome = evaluate(condition.condition, context);
      return { value: !outcome.value, next: outcome.next };
    }
    default: {
      const unexpected: never = condition;
      throw new Error(`unknown condition ${JSON.stringify(unexpected)}`);
    }
  }
}

function traitOutcome(condition: TraitCondition, context: Context): Outcome {
  const actual = traitAt(context.profile.traits, condition.trait);
  const expected = condition.value;
  switch (condition.operator) {
    case 'equals':
      return { value: actual === expected };
    case 'notEquals':
      return { value: actual !== expected };
    case 'in':
      return { value: Array.isArray(expected) && expected.includes(actual as never) };
    case 'notIn':
      return { value: !(Array.isArray(expected) && expected.includes(actual as never)) };
    case 'contains':
      return { value: contains(actual, expected) };
    case 'exists':
      return { value: actual !== undefined && actual !== null };
    case 'notExists':
      return { value: actual === undefined || actual === null };
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return { value: compareNumbers(toNumber(actual), condition.operator, toNumber(expected)) };
    case 'before':
    case 'after': {
      const [a, b] = [dateOf(actual), dateOf(expected)];
      return { value: a !== undefined && b !== undefined && (condition.operator === 'before' ? a < b : a > b) };
    }
    case 'withinLastDays':
    case 'moreThanDaysAgo': {
      const origin = dateOf(actual);
      const days = toNumber(expected);
      if (origin === undefined || days === undefined) return { value: false };
      const predicate = condition.operator === 'withinLastDays' ? (d: number) => d >= 0 && d < days : (d: number) => d > days;
      const critical = condition.operator === 'withinLastDays' ? [0, Math.ceil(days)] : [Math.floor(days) + 1];
      return { value: predicate(daysSince(origin, context.now)), next: nextDayChange(origin, context.now, critical) };
    }
    default: {
      const unexpected: never = condition.operator;
      throw new Error(`unknown trait operator ${String(unexpected)}`);
    }
  }
}

function eventOutcome(condition: EventCondition, context: Context): Outcome {
  const { atMost } = condition;
  const atLeast = condition.atLeast ?? (atMost === undefined ? 1 : 0);
  const matches = (count: number) => count >= atLeast && (atMost === undefined || count <= atMost);
  const { metrics } = context.profile;
  const withinDays = condition.withinDays;
  if (withinDays === undefined) {
    return { value: matches(Object.hasOwn(metrics.eventCounts, condition.event) ? metrics.eventCounts[condition.event] : 0) };
  }
  const days = Object.hasOwn(metrics.daily, condition.event) ? metrics.daily[condition.event] : {};
  const countAt = (instant: number) => {
    const today = utcDay(new Date(instant));
    const oldest = addDays(today, -(withinDays - 1));
    return Object.entries(days).reduce((sum, [day, n]) => (day >= oldest && day <= today ? sum + n : sum), 0);
  };
  const value = matches(countAt(context.now));
  // The windowed count only changes at the UTC midnights when a counted day enters or leaves the window.
  const instants = Object.keys(days)
    .flatMap((day) => [dayStart(day).getTime(), dayStart(addDays(day, withinDays)).getTime()])
    .filter((instant) => instant > context.now)
    .sort((a, b) => a - b);
  return { value, next: instants.find((instant) => matches(countAt(instant)) !== value) };
}

function metricOutcome(condition: MetricCondition, context: Context): Outcome {
  const origin = metricOrigin(condition.metric, context.profile);
  if (origin !== undefined) {
    const origins = toMillis(origin);
    const critical = criticalDays(condition.operator, condition.value);
    return { value: compareNumbers(daysSince(origins, context.now), condition.operator, condition.value), next: nextDayChange(origins, context.now, critical) };
  }
  const value = compareNumbers(metricValue(condition.metric, context.profile), condition.operator, condition.value);
  return { value, next: condition.metric === 'rfm.recency' ? recencyChange(context) : undefined };
}

/** The instant a days-since metric counts from, or undefined for the other metrics. */
function metricOrigin(metric: MetricName, profile: Profile): string | undefined {
  switch (metric) {
    case 'daysSinceLastSeen':
      return profile.metrics.lastSeen;
    case 'daysSinceFirstSeen':
      return profile.metrics.firstSeen;
    case 'daysSinceLastOrder':
      return profile.metrics.orders.lastAt;
    default:
      return undefined;
  }
}

function metricValue(metric: MetricName, profile: Profile): number | undefined {
  const { metrics } = profile;
  switch (metric) {
    case 'orders.count':
      return metrics.orders.count;
    case 'orders.revenue':
      return metrics.orders.revenue;
    case 'clv':
      return metrics.clv;
    case 'rfm.recency':
      return metrics.rfm?.recency;
    case 'rfm.frequency':
      return metrics.rfm?.frequency;
    case 'rfm.monetary':
      return metrics.rfm?.monetary;
    // A days-since metric without its origin (never seen, never ordered) has no value.
    case 'daysSinceLastSeen':
    case 'daysSinceFirstSeen':
    case 'daysSinceLastOrder':
      return undefined;
    default: {
      const unexpected: never = metric;
      throw new Error(`unknown metric ${String(unexpected)}`);
    }
  }
}

/** When the RFM recency score (and so tiers) next changes: a day after each recency cut point. */
function recencyChange(context: Context): number | undefined {
  const lastAt = context.profile.metrics.orders.lastAt;
  if (lastAt === undefined || context.profile.metrics.rfm === undefined) return undefined;
  return nextDayChange(toMillis(lastAt), context.now, context.rfm.recencyDays.map((cut) => cut + 1));
}

/** Day counts d at which `d <op> value` can change as d grows by one. */
function criticalDays(operator: NumericOperator, value: number): number[] {
  switch (operator) {
    case 'equals':
      return Number.isInteger(value) ? [value, value + 1] : [];
    case 'gt':
    case 'lte':
      return [Math.floor(value) + 1];
    case 'gte':
    case 'lt':
      return [Math.ceil(value)];
    default: {
      const unexpected: never = operator;
      throw new Error(`unknown operator ${String(unexpected)}`);
    }
  }
}

/** The first instant after `now` at which floor((t - origin) / day) reaches one of `critical`. */
function nextDayChange(origin: number, now: number, critical: readonly number[]): number | undefined {
  const current = daysSince(origin, now);
  const ahead = critical.filter((d) => d > current);
  return ahead.length === 0 ? undefined : origin + Math.min(...ahead) * DAY_MS;
}

function daysSince(origin: number, now: number): number {
  return Math.floor((now - origin) / DAY_MS);
}

function consentMatches(condition: ConsentCondition, profile: Profile): boolean {
  const { channel, topic, status } = condition;
  if (channel === undefined && topic === undefined) return false;
  const statusOf = (state: { status: string } | undefined) => state?.status ?? 'unknown';
  const channelOk = channel === undefined || statusOf(profile.consent.channels[channel]) === status;
  const topicOk = topic === undefined || statusOf(Object.hasOwn(profile.consent.topics, topic) ? profile.consent.topics[topic] : undefined) === status;
  return channelOk && topicOk;
}

function locationMatches(condition: LocationCondition, profile: Profile): boolean {
  const actual = profile.location?.value[condition.field];
  const found = actual !== undefined && condition.values.some((v) => foldText(v) === foldText(actual));
  return condition.operator === 'in' ? found : !found;
}

/** Case- and accent-insensitive form: "  Nusa  Tenggara Timur" and "nusa tenggara timur" are equal. */
function foldText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').trim().replace(/\s+/g, ' ').toLowerCase();
}

function traitAt(traits: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>(
    (value, part) => (typeof value === 'object' && value !== null && Object.hasOwn(value, part) ? (value as Record<string, unknown>)[part] : undefined),
    traits,
  );
}

function contains(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(actual)) return actual.includes(expected);
  return typeof actual === 'string' && typeof expected === 'string' && actual.toLowerCase().includes(expected.toLowerCase());
}

function compareNumbers(a: number | undefined, operator: NumericOperator, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  switch (operator) {
    case 'equals':
      return a === b;
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
    default: {
      const unexpected: never = operator;
      throw new Error(`unknown operator ${String(unexpected)}`);
    }
  }
}

function toNumber(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function dateOf(value: unknown): number | undefined {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(ms) ? undefined : ms;
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? (a ?? b) : Math.min(a, b);
}
