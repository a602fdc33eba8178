import type { Channel } from '../profile';
import type { Condition } from '../segments/definition';
import type { EventMatch, Goal, JourneyDefinition, PropertyFilter, QuietHours, Reentry, Step, Weekday } from './definition';
import { checkJourneys, JourneyValidationError, type JourneyContext } from './validate';

/**
 * A typed builder that reads like the journey and produces a plain {@link JourneyDefinition}:
 *
 * ```ts
 * journey('cart-abandonment', 'Cart abandonment')
 *   .onEvent('Cart Abandoned', where('total').gte(100_000))
 *   .keyedBy('cartId')
 *   .exitWhen(eventMatches('Order Completed', { matchEntryKey: true }))
 *   .steps(
 *     wait('wait-1h', hours(1)),
 *     send('remind', email('cart-reminder')),
 *     exit('done'),
 *   )
 *   .build();
 * ```
 *
 * Steps are a flat list linked by ids; a step that goes on to one step (`wait`, `send`...) goes on
 * to the one after it in the list unless it names `next`. Steps that fork (branch, split,
 * waitForEvent) name every target.
 */

/** A length of time, in whole seconds. */
export interface Duration {
  readonly seconds: number;
}

/** @example seconds(30) // { seconds: 30 } */
export function seconds(amount: number): Duration {
  return { seconds: amount };
}

/** @example minutes(15) // { seconds: 900 } */
export function minutes(amount: number): Duration {
  return { seconds: amount * 60 };
}

/** @example hours(23) // { seconds: 82800 } */
export function hours(amount: number): Duration {
  return { seconds: amount * 3_600 };
}

/** @example days(-1) // { seconds: -86400 }: a day before, as a waitUntilDate offset */
export function days(amount: number): Duration {
  return { seconds: amount * 86_400 };
}

/** Monday to Friday, for `waitUntilTime(..., { days: MONDAY_TO_FRIDAY })`. */
export const MONDAY_TO_FRIDAY: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];

type Scalar = string | number | boolean;

/** Filters on one event property (a dot path). */
export interface PropertyFilterBuilder {
  equals(value: Scalar): PropertyFilter;
  notEquals(value: Scalar): PropertyFilter;
  in(values: readonly Scalar[]): PropertyFilter;
  notIn(values: readonly Scalar[]): PropertyFilter;
  /** Case-insensitive substring of a string, or an element of an array. */
  contains(value: Scalar): PropertyFilter;
  exists(): PropertyFilter;
  notExists(): PropertyFilter;
  gt(value: number): PropertyFilter;
  gte(value: number): PropertyFilter;
  lt(value: number): PropertyFilter;
  lte(value: number): PropertyFilter;
}

/**
 * A filter on an event property.
 *
 * @example
 * where('total').gte(100_000); // { property: 'total', operator: 'gte', value: 100000 }
 */
export function where(property: string): PropertyFilterBuilder {
  const op = (operator: PropertyFilter['operator']) => (value?: Scalar | readonly Scalar[]): PropertyFilter => ({
    property,
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
  };
}

/**
 * Re-enter only after `duration` since the last entry.
 *
 * @example
 * cooldown(days(1)); // { type: 'cooldown', seconds: 86400 }
 */
export function cooldown(duration: Duration): Reentry {
  return { type: 'cooldown', seconds: duration.seconds };
}

/**
 * Enter at most `times` times in all, optionally with a cooldown between entries.
 *
 * @example
 * maxTimes(3, days(30)); // { type: 'maxTimes', times: 3, cooldownSeconds: 2592000 }
 */
export function maxTimes(times: number, between?: Duration): Reentry {
  return { type: 'maxTimes', times, ...(between !== undefined && { cooldownSeconds: between.seconds }) };
}

/**
 * An event that ends the run (exit criteria) or that a `waitForEvent` step waits for.
 *
 * @example
 * eventMatches('Order Completed', { matchEntryKey: true }); // { event: 'Order Completed', matchEntryKey: true }
 */
export function eventMatches(event: string, options: { where?: readonly PropertyFilter[]; matchEntryKey?: boolean } = {}): EventMatch {
  return {
    event,
    ...(options.where !== undefined && { where: [...options.where] }),
    ...(options.matchEntryKey !== undefined && { matchEntryKey: options.matchEntryKey }),
  };
}

/** Exit criterion: the customer left this segment. */
export interface SegmentExited {
  readonly segmentExited: string;
}

/**
 * Exit criterion: the run stops when the customer leaves the segment.
 *
 * @example
 * segmentExited('lapsed-30d'); // { segmentExited: 'lapsed-30d' }
 */
export function segmentExited(segmentId: string): SegmentExited {
  return { segmentExited: segmentId };
}

/** A template on a channel, for `send`. */
export interface MessageRef {
  readonly channel: Channel;
  readonly template: string;
}

/** @example send('remind', email('cart-reminder')) */
export function email(template: string): MessageRef {
  return { channel: 'email', template };
}

/** @example send('remind', sms('cart-reminder-sms')) */
export function sms(template: string): MessageRef {
  return { channel: 'sms', template };
}

/** @example send('remind', push('cart-reminder-push')) */
export function push(template: string): MessageRef {
  return { channel: 'push', template };
}

type OptionalNext<T> = T extends { next: string } ? Omit<T, 'next'> & { next?: string } : T;
/** A step as written in `.steps(...)`: `next` may be left out to mean "the step after this one". */
export type StepDraft = OptionalNext<Step>;

/** Where a step goes on to, when not to the step after it in the list. */
export interface NextOptions {
  readonly next?: string;
}

/**
 * Wait a fixed time.
 *
 * @example
 * wait('wait-1h', hours(1)); // { id: 'wait-1h', type: 'wait', seconds: 3600 }
 */
export function wait(id: string, duration: Duration, options: NextOptions = {}): StepDraft {
  return { id, type: 'wait', seconds: duration.seconds, ...nextOf(options) };
}

/**
 * Wait until a local time of day (the customer's time zone), optionally on some weekdays only.
 *
 * @example
 * waitUntilTime('afternoon', '14:00', { days: MONDAY_TO_FRIDAY });
 */
export function waitUntilTime(id: string, time: string, options: NextOptions & { readonly days?: readonly Weekday[] } = {}): StepDraft {
  return { id, type: 'waitUntilTime', time, ...(options.days !== undefined && { days: [...options.days] }), ...nextOf(options) };
}

/**
 * Wait until a date read from a profile trait or an entry-event property, plus an offset. A date
 * in the past continues at once; a missing or invalid one goes to `ifMissing`.
 *
 * @example
 * waitUntilDate('day-before', { trait: 'birthday' }, { offset: days(-1), ifMissing: 'done' });
 */
export function waitUntilDate(
  id: string,
  from: { readonly trait: string } | { readonly eventProperty: string },
  options: NextOptions & { readonly offset?: Duration; readonly ifMissing: string },
): StepDraft {
  const source = 'trait' in from ? { from: 'trait' as const, path: from.trait } : { from: 'event' as const, path: from.eventProperty };
  return {
    id,
    type: 'waitUntilDate',
    ...source,
    ...(options.offset !== undefined && { offsetSeconds: options.offset.seconds }),
    ifMissing: options.ifMissing,
    ...nextOf(options),
  };
}

/**
 * Wait for an event, at most `timeout`: go to `onEvent` when it arrives, `onTimeout` otherwise.
 *
 * @example
 * waitForEvent('bought', 'Order Completed', { matchEntryKey: true, timeout: hours(23), onEvent: 'done', onTimeout: 'remind' });
 */
export function waitForEvent(
  id: string,
  event: string,
  options: {
    readonly where?: readonly PropertyFilter[];
    readonly matchEntryKey?: boolean;
    readonly timeout: Duration;
    readonly onEvent: string;
    readonly onTimeout: string;
  },
): StepDraft {
  return {
    id,
    type: 'waitForEvent',
    ...eventMatches(event, options),
    timeoutSeconds: options.timeout.seconds,
    onEvent: options.onEvent,
    onTimeout: options.onTimeout,
  };
}

/** A branch path's test: a segment membership or any segment condition. */
export type BranchTest = Condition | { readonly segmentId: string };

/**
 * Branch test: the customer is a member of the segment (as stored on the profile).
 *
 * @example
 * branch('region').when('eastern', inSegment('eastern-provinces'), 'offer-everyday').otherwise('offer-bills');
 */
export function inSegment(segmentId: string): BranchTest {
  return { segmentId };
}

/** A branch being written: add paths with `when`, finish with `otherwise`. */
export interface BranchBuilder {
  /** The first path whose test holds is taken. */
  when(name: string, test: BranchTest, next: string): BranchBuilder;
  /** Everyone else; returns the step. */
  otherwise(next: string): StepDraft;
}

/**
 * Branch on the profile: the first path whose test holds, or `otherwise`.
 *
 * @example
 * branch('channel')
 *   .when('sms', and(trait('preferredChannel').equals('sms'), consent('sms').granted()), 'welcome-sms')
 *   .otherwise('welcome-email');
 */
export function branch(id: string): BranchBuilder {
  const withPaths = (paths: Extract<Step, { type: 'branch' }>['paths']): BranchBuilder => ({
    when: (name, test, next) => withPaths([...paths, { name, ...('segmentId' in test ? { segmentId: test.segmentId } : { condition: test }), next }]),
    otherwise: (next) => ({ id, type: 'branch', paths, otherwise: next }),
  });
  return withPaths([]);
}

/**
 * A split step that can take more variants. The methods are not enumerable, so the object is
 * plain data for `JSON.stringify` and equality.
 */
export type SplitDraft = Extract<Step, { type: 'split' }> & {
  /** A variant with a weight (percent: all weights, holdout included, add up to 100). */
  variant(name: string, weight: number, next: string): SplitDraft;
  /** A holdout group of `weight` percent that receives nothing more (recorded for lift). */
  holdout(weight: number): StepDraft;
};

/**
 * A random, sticky split into variants, optionally with a holdout.
 *
 * @example
 * split('offer-test').variant('discount', 90, 'send-offer').holdout(10);
 */
export function split(id: string): SplitDraft {
  const make = (variants: Extract<Step, { type: 'split' }>['variants']): SplitDraft => {
    const step = { id, type: 'split' as const, variants };
    return Object.defineProperties(step, {
      variant: { value: (name: string, weight: number, next: string) => make([...variants, { name, weight, next }]), enumerable: false },
      holdout: { value: (weight: number): StepDraft => ({ id, type: 'split', variants, holdout: { weight } }), enumerable: false },
    }) as SplitDraft;
  };
  return make([]);
}

/**
 * Send a template on its channel (suppression, caps and quiet hours are applied by the task).
 *
 * @example
 * send('remind', email('cart-reminder'), { topic: 'promotions' });
 */
export function send(id: string, message: MessageRef, options: NextOptions & { readonly topic?: string } = {}): StepDraft {
  return { id, type: 'send', channel: message.channel, template: message.template, ...(options.topic !== undefined && { topic: options.topic }), ...nextOf(options) };
}

/**
 * Set traits on the profile. String values are Liquid, rendered with the template variables and
 * `now` (ISO), e.g. `'{{ now }}'`.
 *
 * @example
 * updateProfile('remember', { lastRewardReminderAt: '{{ now }}' });
 */
export function updateProfile(id: string, traits: Record<string, unknown>, options: NextOptions = {}): StepDraft {
  return { id, type: 'updateProfile', traits: { ...traits }, ...nextOf(options) };
}

/**
 * End the run (outcome `completed`).
 *
 * @example
 * exit('done');
 */
export function exit(id: string): StepDraft {
  return { id, type: 'exit' };
}

/** A journey without an entry yet: choose how customers enter. */
export interface JourneyStart {
  /** Enter when a track event with this name arrives and every filter holds. */
  onEvent(event: string, ...filters: PropertyFilter[]): JourneyBuilder;
  /** Enter when the customer enters the segment. */
  onSegmentEntered(segmentId: string): JourneyBuilder;
  /** Enter through the admin API (`POST /admin/journeys/{id}/entries`). */
  onApiCall(): JourneyBuilder;
}

/** Journey options, then `.steps(...)`. Each call returns a new builder. */
export interface JourneyBuilder {
  /** One active run per customer per value of this entry-event property. */
  keyedBy(property: string): JourneyBuilder;
  /** @default never: a customer enters once */
  reentry(rule: Reentry): JourneyBuilder;
  /** Stop the run at once when one of these events arrives or the customer leaves one of these segments. */
  exitWhen(...criteria: (EventMatch | SegmentExited)[]): JourneyBuilder;
  /** Quiet hours in the customer's time zone: hold (`defer`) or `drop` messages between `start` and `end`. */
  quietHours(start: string, end: string, action?: QuietHours['action']): JourneyBuilder;
  /** Transactional: frequency caps do not apply (consent always does). */
  ignoringFrequencyCaps(): JourneyBuilder;
  /** Conversion goals measured for the journey (and, with `exitOnConversion`, ending its runs). */
  goals(...goals: Goal[]): JourneyBuilder;
  /** The steps; the first is where runs start. */
  steps(...steps: StepDraft[]): BuildableJourney;
}

export interface BuildableJourney {
  /**
   * The validated definition. Segment and template references are checked when `context` has them.
   *
   * @throws {JourneyValidationError} listing every problem.
   */
  build(context?: Partial<JourneyContext>): JourneyDefinition;
}

type Draft = Omit<JourneyDefinition, 'entry' | 'startAt' | 'steps'>;

/**
 * Start a journey: its id (a lower-case slug), name and optional description.
 *
 * @example
 * journey('welcome', 'Welcome series').onEvent('Signed Up').steps(send('hello', email('welcome')), exit('done')).build();
 */
export function journey(id: string, name: string, description?: string): JourneyStart {
  const head: Draft = { id, name, ...(description !== undefined && { description }) };
  return {
    onEvent: (event, ...filters) => builder(head, { type: 'event', event, ...(filters.length > 0 && { where: filters }) }),
    onSegmentEntered: (segmentId) => builder(head, { type: 'segment', segmentId }),
    onApiCall: () => builder(head, { type: 'api' }),
  };
}

function builder(draft: Draft, entry: JourneyDefinition['entry']): JourneyBuilder {
  const next = (more: Partial<Draft>) => builder({ ...draft, ...more }, entry);
  return {
    keyedBy: (property) => next({ entryKey: property }),
    reentry: (rule) => next({ reentry: rule }),
    exitWhen: (...criteria) => {
      const events = [...(draft.exitCriteria?.events ?? []), ...criteria.filter((c): c is EventMatch => 'event' in c)];
      const exited = [...(draft.exitCriteria?.segmentExited ?? []), ...criteria.filter((c): c is SegmentExited => 'segmentExited' in c).map((c) => c.segmentExited)];
      return next({ exitCriteria: { ...(events.length > 0 && { events }), ...(exited.length > 0 && { segmentExited: exited }) } });
    },
    quietHours: (start, end, action = 'defer') => next({ quietHours: { start, end, action } }),
    ignoringFrequencyCaps: () => next({ ignoreFrequencyCaps: true }),
    goals: (...goals) => next({ goals: [...(draft.goals ?? []), ...goals] }),
    steps: (...steps) => ({ build: (context) => build(draft, entry, steps, context) }),
  };
}

function build(draft: Draft, entry: JourneyDefinition['entry'], drafts: readonly StepDraft[], context: Partial<JourneyContext> = {}): JourneyDefinition {
  const { id, name, description, reentry, entryKey, exitCriteria, quietHours, ignoreFrequencyCaps, goals } = draft;
  const definition = {
    id,
    name,
    ...(description !== undefined && { description }),
    entry,
    ...(reentry !== undefined && { reentry }),
    ...(entryKey !== undefined && { entryKey }),
    ...(exitCriteria !== undefined && { exitCriteria }),
    ...(quietHours !== undefined && { quietHours }),
    ...(ignoreFrequencyCaps !== undefined && { ignoreFrequencyCaps }),
    ...(goals !== undefined && { goals }),
    startAt: drafts[0]?.id,
    steps: drafts.map((step, i) => linkToFollowing(step, drafts[i + 1]?.id)),
  };
  const { journeys, problems } = checkJourneys([definition], context);
  if (problems.length > 0) throw new JourneyValidationError(problems);
  return journeys[0];
}

/** Steps with a single `next` go on to the following step unless they name one. */
function linkToFollowing(step: StepDraft, following: string | undefined): StepDraft {
  const copy = { ...step };
  const linear = copy.type === 'wait' || copy.type === 'waitUntilTime' || copy.type === 'waitUntilDate' || copy.type === 'send' || copy.type === 'updateProfile';
  if (linear && copy.next === undefined && following !== undefined) return { ...copy, next: following };
  return copy;
}

function nextOf(options: NextOptions): { next?: string } {
  return options.next !== undefined ? { next: options.next } : {};
}
