import { createHash } from 'node:crypto';
import { SEGMENT_ENTERED, SEGMENT_EXITED, eventKey, type CustomerEvent } from '../events';
import type { StartRequest } from '../ports';
import { groupOf } from '../measurement/control';
import { appendRun, updateRun } from '../measurement/runs';
import type { ActiveRun, JourneyState, Profile, RunGroup, WaitingStep } from '../profile';
import type { EventMatch, JourneyDefinition, PropertyFilter } from './definition';
import { matchesEvent } from './matching';
import type { EventArrivedResult, RunInput } from './protocol';

/**
 * Journey entry, exit and resume, decided on a profile as pure data: what the processor commits in
 * the same conditional profile write as the fold, and then carries out (start, stop, resume).
 */

/** The `active` key of journeys without an entry key. */
export const NO_ENTRY_KEY = '_';
/** Why the processor stops a run. */
export const EXIT_CRITERIA = 'exit_criteria';

export interface JourneyStop {
  readonly journeyId: string;
  readonly runId: string;
  readonly reason: string;
}

export interface JourneyResume {
  readonly journeyId: string;
  readonly runId: string;
  readonly taskToken: string;
  readonly output: EventArrivedResult;
}

/** What {@link planJourneyActions} decided: the profile to commit and what to do after the commit. */
export interface JourneyPlan {
  readonly profile: Profile;
  readonly starts: StartRequest[];
  readonly stops: JourneyStop[];
  readonly resumes: JourneyResume[];
  /** runId -> measurement group of each started run (counted as `entered` at the group). @default none */
  readonly groups?: Readonly<Record<string, RunGroup>>;
}

/** Engine-wide settings entries need. */
export interface EntryOptions {
  /** `EngineConfig.globalControlShare`: decides the run's group at entry. @default 0 (everyone is treatment) */
  readonly globalControlShare?: number;
}

/** An entry as {@link planEntry} sees it: from an event, a segment transition or the admin API. */
export interface EntryRequest {
  /** The value of the journey's entry key, or {@link NO_ENTRY_KEY}. */
  readonly key: string;
  /** The entry event's messageId, or the API request's idempotency key: it makes the runId. */
  readonly messageId: string;
  readonly event?: CustomerEvent;
  readonly context?: Record<string, unknown>;
}

/** Why an entry did not happen: a value, not an error. */
export type EntryRefusal = 'already_active' | 'reentry_not_allowed';

/**
 * Decide what a batch of events does to the customer's journeys. Events are taken in time order
 * (segment transitions last, as they follow from the whole batch); for each event, first the exits
 * (so an event that ends a run and starts the next one does both), then the resumes, then the
 * entries. A run started and stopped in the same batch is never started. Expired waits are dropped.
 *
 * @param profile the profile after fold and segment evaluation
 * @param events the events just applied plus the `segment_entered` / `segment_exited` engine events
 *
 * @example
 * const plan = planJourneyActions(evaluated, [cartAbandoned], config.journeys ?? [], now);
 * plan.starts[0].runId; // 'cart-reminder-3f9a…' (same event, same runId)
 */
export function planJourneyActions(profile: Profile, events: readonly CustomerEvent[], journeys: readonly JourneyDefinition[], now: Date, options: EntryOptions = {}): JourneyPlan {
  const nowIso = now.toISOString();
  let current: Profile = { ...profile, waiting: (profile.waiting ?? []).filter((wait) => wait.until > nowIso) };
  const starts = new Map<string, StartRequest>();
  const stops: JourneyStop[] = [];
  const resumes: JourneyResume[] = [];
  const groups: Record<string, RunGroup> = {};

  for (const event of orderEvents(events)) {
    for (const journey of journeys) {
      for (const run of runsToExit(current, journey, event)) {
        current = endRun(current, journey.id, run.runId, 'exited', nowIso);
        // Started in this batch: it was never started, so there is nothing to stop.
        if (!starts.delete(run.runId)) stops.push({ journeyId: journey.id, runId: run.runId, reason: EXIT_CRITERIA });
      }
    }
    for (const wait of current.waiting ?? []) {
      if (wait.resumedBy !== undefined || !waitMatches(wait, event)) continue;
      resumes.push({ journeyId: wait.journeyId, runId: wait.runId, taskToken: wait.taskToken, output: arrivedResult(event) });
      current = { ...current, waiting: (current.waiting ?? []).map((w) => (w === wait ? { ...w, resumedBy: event.messageId } : w)) };
    }
    for (const journey of journeys) {
      const key = entryKeyOf(journey, event);
      if (key === undefined) continue;
      const entered = planEntry(current, journey, { key, messageId: event.messageId, event }, now, options);
      if ('refused' in entered) continue;
      current = entered.profile;
      starts.set(entered.start.runId, entered.start);
      groups[entered.start.runId] = entered.group;
    }
  }
  const started = [...starts.values()];
  return { profile: current, starts: started, stops, resumes, groups: Object.fromEntries(started.map((start) => [start.runId, groups[start.runId]])) };
}

/**
 * Enter one customer into one journey if the re-entry rule and the one-active-run-per-key rule
 * allow it: the profile with the run recorded (entries + 1, lastEnteredAt, active[key], and the
 * run's measurement record in `recent` with its group: global control or treatment), the start
 * request and the group, or the reason it was refused.
 *
 * @example
 * const result = planEntry(profile, journey, { key: '_', messageId: 'api:order-42', context: { coupon: 'KOPI' } }, now, { globalControlShare: 0.05 });
 * if ('refused' in result) return conflict(result.refused);
 */
export function planEntry(
  profile: Profile,
  journey: JourneyDefinition,
  entry: EntryRequest,
  now: Date,
  options: EntryOptions = {},
): { profile: Profile; start: StartRequest; group: RunGroup } | { refused: EntryRefusal } {
  const state = profile.journeys?.[journey.id];
  if (state !== undefined && Object.hasOwn(state.active, entry.key)) return { refused: 'already_active' };
  if (!reentryAllows(journey, state, now)) return { refused: 'reentry_not_allowed' };
  const runId = runIdFor(journey.id, profile.profileId, entry.key, entry.messageId);
  const enteredAt = now.toISOString();
  const keyed = journey.entryKey !== undefined;
  const input: RunInput = {
    journeyId: journey.id,
    runId,
    profileId: profile.profileId,
    ...(keyed && { entryKey: entry.key }),
    ...(entry.event !== undefined && { entryEvent: entryEventOf(entry.event) }),
    ...(entry.context !== undefined && { context: entry.context }),
    enteredAt,
  };
  const run: ActiveRun = { runId, enteredAt, ...(keyed && { entryKey: entry.key }), entryMessageId: entry.messageId };
  const group = groupOf(profile.profileId, options.globalControlShare);
  const next: JourneyState = appendRun({
    ...(state ?? { active: {} }),
    entries: (state?.entries ?? 0) + 1,
    lastEnteredAt: enteredAt,
    active: { ...(state?.active ?? {}), [entry.key]: run },
  }, { runId, ...(keyed && { entryKey: entry.key }), enteredAt, variants: {}, group, conversions: {} }, now);
  return {
    profile: { ...profile, journeys: { ...(profile.journeys ?? {}), [journey.id]: next } },
    start: { journeyId: journey.id, runId, input },
    group,
  };
}

/**
 * The execution name of a run: deterministic, so the same entry (event or idempotency key) always
 * gives the same runId, and valid for Step Functions (at most 80 of `[A-Za-z0-9_-]`).
 *
 * @example
 * runIdFor('welcome', 'p_1', '_', 'm-1'); // 'welcome-<24 hex>'
 */
export function runIdFor(journeyId: string, profileId: string, key: string, messageId: string): string {
  return `${journeyId}-${createHash('sha256').update(`${profileId}|${key}|${messageId}`).digest('hex').slice(0, 24)}`;
}

/**
 * Take a run out of the profile's journey state: out of `active` (only if it is still that run),
 * its waits dropped, `lastOutcome` set, and its measurement record ended (`endedAt`, `outcome`:
 * `completed`, `holdout`, `failed`, `exited` or `goal:<goalId>`). Returns the same profile when the
 * run is not active.
 *
 * @example
 * const next = endRun(profile, 'welcome', runId, 'completed', now.toISOString());
 */
export function endRun(profile: Profile, journeyId: string, runId: string, outcome: string, at: string): Profile {
  const state = profile.journeys?.[journeyId];
  const entry = state === undefined ? undefined : Object.entries(state.active).find(([, run]) => run.runId === runId);
  if (state === undefined || entry === undefined) return profile;
  const active = Object.fromEntries(Object.entries(state.active).filter(([key]) => key !== entry[0]));
  const ended: Profile = {
    ...profile,
    journeys: { ...profile.journeys, [journeyId]: { ...state, active, lastOutcome: { runId, outcome, at } } },
    waiting: (profile.waiting ?? []).filter((wait) => wait.runId !== runId),
  };
  return updateRun(ended, journeyId, runId, (run) => ({ ...run, endedAt: at, outcome }));
}

/**
 * Is this run still active on the profile (not stopped by exit criteria, not completed)?
 *
 * @example
 * if (!isRunActive(profile, run.journeyId, run.runId)) return suppressed('exit_criteria');
 */
export function isRunActive(profile: Profile, journeyId: string, runId: string): boolean {
  return Object.values(profile.journeys?.[journeyId]?.active ?? {}).some((run) => run.runId === runId);
}

/**
 * The start request of a run that is already recorded as active: what a redelivery re-issues
 * (StartExecution with the same name is harmless). `event` is the entry event when it is at hand.
 *
 * @example
 * const start = restartOf(profile, journey, run, duplicates.get(run.entryMessageId));
 */
export function restartOf(profile: Profile, journeyId: string, run: ActiveRun, event: CustomerEvent | undefined, context?: Record<string, unknown>): StartRequest {
  const input: RunInput = {
    journeyId,
    runId: run.runId,
    profileId: profile.profileId,
    ...(run.entryKey !== undefined && { entryKey: run.entryKey }),
    ...(event !== undefined && { entryEvent: entryEventOf(event) }),
    ...(context !== undefined && { context }),
    enteredAt: run.enteredAt,
  };
  return { journeyId, runId: run.runId, input };
}

/**
 * The journey's entry key for this event if the event is an entry trigger of the journey:
 * {@link NO_ENTRY_KEY} for unkeyed journeys, undefined when the event does not trigger it (or a
 * keyed journey's event has no value at the key's path).
 *
 * @example
 * entryKeyOf(cartJourney, cartAbandoned); // 'cart-17'
 */
export function entryKeyOf(journey: JourneyDefinition, event: CustomerEvent): string | undefined {
  const entry = journey.entry;
  let triggered: boolean;
  switch (entry.type) {
    case 'event':
      triggered = event.source !== 'engine' && matchesEvent(event, { event: entry.event, where: entry.where });
      break;
    case 'segment':
      triggered = isTransition(event, SEGMENT_ENTERED, entry.segmentId);
      break;
    case 'api':
      triggered = false;
      break;
    default: {
      const unknown: never = entry;
      throw new Error(`unknown entry type ${JSON.stringify(unknown)}`);
    }
  }
  if (!triggered) return undefined;
  if (journey.entryKey === undefined) return NO_ENTRY_KEY;
  return keyValue(propertyAt(event.properties, journey.entryKey));
}

/**
 * What a waitForEvent step receives when its event arrives (`$.last` after the wait).
 *
 * @example
 * arrivedResult(orderCompleted); // { event: 'Order Completed', messageId, properties, timestamp }
 */
export function arrivedResult(event: CustomerEvent): EventArrivedResult {
  return { event: eventKey(event), messageId: event.messageId, properties: event.properties, timestamp: event.timestamp };
}

/** A value at a dot path (`cart.id`) of a record. */
export function propertyAt(record: Record<string, unknown> | undefined, path: string): unknown {
  let value: unknown = record;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function runsToExit(profile: Profile, journey: JourneyDefinition, event: CustomerEvent): ActiveRun[] {
  const criteria = journey.exitCriteria;
  const active = Object.values(profile.journeys?.[journey.id]?.active ?? {});
  if (criteria === undefined || active.length === 0) return [];
  if ((criteria.segmentExited ?? []).some((segmentId) => isTransition(event, SEGMENT_EXITED, segmentId))) return active;
  if (event.source === 'engine') return [];
  return active.filter((run) => (criteria.events ?? []).some((match) => matchesEvent(event, match, entryKeyMatch(journey.entryKey, run.entryKey))));
}

function waitMatches(wait: WaitingStep, event: CustomerEvent): boolean {
  if (event.source === 'engine') return false;
  const match: EventMatch = {
    event: wait.event,
    ...(wait.where !== undefined && { where: wait.where as PropertyFilter[] }),
    ...(wait.entryKey !== undefined && { matchEntryKey: true }),
  };
  return matchesEvent(event, match, entryKeyMatch(wait.entryKeyProperty, wait.entryKey));
}

function entryKeyMatch(property: string | undefined, value: string | undefined): { property: string; value: string } | undefined {
  return property !== undefined && value !== undefined ? { property, value } : undefined;
}

function reentryAllows(journey: JourneyDefinition, state: JourneyState | undefined, now: Date): boolean {
  if (state === undefined || state.entries === 0) return true;
  const reentry = journey.reentry ?? { type: 'never' };
  const since = (seconds: number | undefined) =>
    seconds === undefined || state.lastEnteredAt === undefined || now.getTime() - Date.parse(state.lastEnteredAt) >= seconds * 1000;
  switch (reentry.type) {
    case 'never':
      return false;
    case 'cooldown':
      return since(reentry.seconds);
    case 'maxTimes':
      return state.entries < reentry.times && since(reentry.cooldownSeconds);
    default: {
      const unknown: never = reentry;
      throw new Error(`unknown reentry type ${JSON.stringify(unknown)}`);
    }
  }
}

function isTransition(event: CustomerEvent, name: string, segmentId: string): boolean {
  return event.source === 'engine' && event.event === name && event.properties.segmentId === segmentId;
}

function keyValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function entryEventOf(event: CustomerEvent): NonNullable<RunInput['entryEvent']> {
  return { messageId: event.messageId, event: eventKey(event), properties: event.properties, timestamp: event.timestamp };
}

/** Customer events in time order, then the engine's segment transitions (they follow the whole batch). */
function orderEvents(events: readonly CustomerEvent[]): CustomerEvent[] {
  const rank = (event: CustomerEvent) => (event.source === 'engine' ? 1 : 0);
  return [...events].sort((a, b) => rank(a) - rank(b) || a.timestamp.localeCompare(b.timestamp) || a.messageId.localeCompare(b.messageId));
}

/**
 * What a redelivery re-issues for events that were committed before (the queue redelivers after a
 * crash between the profile write and the start/stop/resume): the starts of active runs those
 * events (or a segment entry) started, the resumes of waits they resumed, and a stop of the last
 * run of a journey they exit (by exit criteria, or by converting a goal with `exitOnConversion`).
 * All three are idempotent at Step Functions. Conversions are never re-issued: they were
 * committed with the event, and their counters are not repeated.
 *
 * @example
 * const again = redeliveryActions(profile, duplicates, config.journeys ?? []);
 * await startQueue.enqueue(again.starts);
 */
export function redeliveryActions(profile: Profile, duplicates: readonly CustomerEvent[], journeys: readonly JourneyDefinition[]): Omit<JourneyPlan, 'profile'> {
  const byId = new Map(duplicates.map((event) => [event.messageId, event]));
  const starts: StartRequest[] = [];
  const stops: JourneyStop[] = [];
  for (const journey of journeys) {
    const state = profile.journeys?.[journey.id];
    if (state === undefined) continue;
    for (const run of Object.values(state.active)) {
      const messageId = run.entryMessageId;
      if (messageId === undefined) continue;
      const event = byId.get(messageId) ?? segmentEntryOf(profile, messageId, run.enteredAt);
      if (event !== undefined) starts.push(restartOf(profile, journey.id, run, event));
    }
    const last = state.lastOutcome;
    const exits = journey.exitCriteria?.events ?? [];
    if (last?.outcome === 'exited' && duplicates.some((event) => exits.some((match) => matchesEvent(event, { ...match, matchEntryKey: false })))) {
      stops.push({ journeyId: journey.id, runId: last.runId, reason: EXIT_CRITERIA });
    }
    const goal = (journey.goals ?? []).find((candidate) => last?.outcome === `goal:${candidate.id}`);
    if (last !== undefined && goal !== undefined && duplicates.some((event) => matchesEvent(event, { event: goal.event, ...(goal.where !== undefined && { where: goal.where }) }))) {
      stops.push({ journeyId: journey.id, runId: last.runId, reason: last.outcome });
    }
  }
  const resumes = (profile.waiting ?? []).flatMap((wait) => {
    const event = wait.resumedBy === undefined ? undefined : byId.get(wait.resumedBy);
    return event === undefined ? [] : [{ journeyId: wait.journeyId, runId: wait.runId, taskToken: wait.taskToken, output: arrivedResult(event) }];
  });
  return { starts, stops, resumes };
}

/**
 * The `segment_entered` engine event a run was started by, rebuilt from its messageId
 * (`engine:<profileId>:<version>:entered:<segmentId>`, see `transitionEvents`).
 */
function segmentEntryOf(profile: Profile, messageId: string, at: string): CustomerEvent | undefined {
  const prefix = `engine:${profile.profileId}:`;
  const match = messageId.startsWith(prefix) ? /^\d+:entered:(.+)$/.exec(messageId.slice(prefix.length)) : null;
  if (match === null) return undefined;
  const userId = profile.identities.userIds[0];
  const anonymousId = userId === undefined ? profile.identities.anonymousIds[0] : undefined;
  return {
    type: 'track',
    event: SEGMENT_ENTERED,
    messageId,
    ...(userId !== undefined && { userId }),
    ...(anonymousId !== undefined && { anonymousId }),
    properties: { segmentId: match[1] },
    traits: {},
    context: {},
    timestamp: at,
    receivedAt: at,
    source: 'engine',
  };
}
