import { DEFAULT_EVENT_RETENTION_DAYS, type EngineConfig } from '../core/config';
import { evaluateProfile } from '../core/evaluate-profile';
import { SEGMENT_ENTERED, SEGMENT_EXITED, type CustomerEvent } from '../core/events';
import { identityKeysOf, planIdentity } from '../core/identity';
import { ProfileVersionConflictError, identityKeyString, type IdentityKey, type ProfileStore, type StoredProfile } from '../core/ports';
import type { Profile } from '../core/profile';
import { emptyProfile, foldEvents, mergeProfiles } from '../core/reducer';
import { planJourneyActions, redeliveryActions } from '../core/journeys/entry';
import { attributeConversions, goalExitReason } from '../core/measurement/attribution';
import { carryOutJourneyPlan, combinePlans, type JourneyEffects, type JourneyEffectsDeps, type JourneyEffectsResult } from './journey-effects';

export interface ProcessEventsDeps {
  readonly store: ProfileStore;
  readonly config: EngineConfig;
  readonly now: () => Date;
  /** Conditional-write attempts per profile before giving up (the queue then redelivers). @default 25 */
  readonly maxAttempts?: number;
  /**
   * Where journey starts, stops and resumes go. Required when `config.journeys` is not empty.
   * @default none: journeys are not planned
   */
  readonly journeys?: JourneyEffectsDeps;
}

/** A segment membership change, recorded as a `segment_entered` / `segment_exited` engine event. */
export interface SegmentTransition {
  readonly profileId: string;
  readonly segmentId: string;
  readonly kind: 'entered' | 'exited';
}

export interface ProcessResult {
  /** Events folded into a profile for the first time. */
  readonly applied: number;
  /** Events already applied before (a redelivery or a resent messageId): they changed nothing. */
  readonly duplicates: number;
  /** Profile items written by folds (merges not counted). */
  readonly profilesWritten: number;
  /** Profiles merged into another one. */
  readonly merges: number;
  readonly segmentTransitions: number;
  readonly transitions: readonly SegmentTransition[];
  /** The profiles the events landed on. */
  readonly profileIds: readonly string[];
  /** Journey runs enqueued, stopped and resumed (redelivered ones included). */
  readonly journeys: JourneyEffectsResult;
}

type JourneyActions = JourneyEffects;
const NO_ACTIONS: JourneyActions = { starts: [], stops: [], resumes: [] };
const NO_EFFECTS: JourneyEffectsResult = { started: 0, stopped: 0, resumed: 0, staleResumes: 0 };

/** Tombstones chain only when merged profiles merge again; more hops than this is a loop or a bug. */
const MAX_TOMBSTONE_HOPS = 5;
/** How often identity is re-planned when another writer linked a key first. */
const MAX_REPLANS = 3;
const DEFAULT_MAX_ATTEMPTS = 25;

/**
 * Apply a batch of customer events to their profiles.
 *
 * Events are grouped by the profile identity resolution gives them (creating, using or merging
 * profiles and linking their keys), then each profile takes all its events in one conditional
 * write: read, fold, evaluate segments, save if the version is unchanged, else re-read and redo.
 * That write carries the folded messageIds, so it is the commit point: a redelivery of anything
 * already committed is a duplicate and writes nothing. Raw events and segment transitions are stored
 * after it (idempotent keys). Every step, merges included, can be retried after a crash.
 *
 * Journeys are planned inside the same attempt (`planJourneyActions`): entries are recorded on the
 * profile by the same conditional write, so two concurrent batches can never both start a run, and
 * the starts, stops and resumes are carried out only after it. A redelivery re-issues them
 * (`redeliveryActions`): a crash between the write and the calls loses nothing.
 *
 * Conversions too (`attributeConversions`, before the entries, so an event never converts the run
 * it starts): recorded on the runs by the same write, so a redelivered goal event is a duplicate
 * and never converts twice; counted after it; never re-issued. A goal with `exitOnConversion`
 * stops its run like exit criteria (counter `exited:goal:<goalId>`).
 *
 * Cost per profile in a batch: one BatchGet of its events' keys, one GetItem (shared by identity
 * resolution and the commit), one PutItem (plus one more of each per version conflict), and one BatchWrite slot per event and transition. A new
 * identity key costs one conditional PutItem; a merge costs reads and writes proportional to the
 * loser's stored events.
 *
 * @example
 * const result = await processEvents(message.events, { store, config, now: () => new Date() });
 * logger.info('processed', { applied: result.applied, duplicates: result.duplicates });
 */
export async function processEvents(events: readonly CustomerEvent[], deps: ProcessEventsDeps): Promise<ProcessResult> {
  const now = deps.now();
  if ((deps.config.journeys ?? []).length > 0 && deps.journeys === undefined) {
    throw new Error('processEvents: config.journeys is set but no journey effects (startQueue, runner, journeyStore) were given');
  }
  // Engine events are the engine's own log lines: they never resolve identities or fold.
  const customerEvents = events.filter((event) => event.source !== 'engine');
  const { groups, merges, reads } = await resolveProfiles(customerEvents, deps, now);
  const commits = await Promise.all([...groups].map(([profileId, grouped]) => commitEvents(profileId, grouped, deps, now, reads.get(profileId))));
  const transitions = commits.flatMap((commit) => commit.transitions);
  const effects = deps.journeys === undefined
    ? NO_EFFECTS
    : sumEffects(
        await carryOutJourneyPlan(combinePlans(commits.map((commit) => commit.actions)), deps.journeys, { count: true }),
        await carryOutJourneyPlan(combinePlans(commits.map((commit) => commit.redelivered)), deps.journeys, { count: false }),
      );
  return {
    applied: sum(commits.map((commit) => commit.applied)),
    duplicates: sum(commits.map((commit) => commit.duplicates)),
    profilesWritten: commits.filter((commit) => commit.written).length,
    merges,
    segmentTransitions: transitions.length,
    transitions,
    profileIds: [...new Set(commits.map((commit) => commit.profileId))],
    journeys: effects,
  };
}

interface Commit {
  readonly profileId: string;
  readonly applied: number;
  readonly duplicates: number;
  readonly written: boolean;
  readonly transitions: SegmentTransition[];
  /** Journey actions decided by this commit. */
  readonly actions: JourneyActions;
  /** Journey actions re-issued for events committed before. */
  readonly redelivered: JourneyActions;
}

type LiveProfile = Awaited<ReturnType<typeof readLive>>;

/**
 * Fold one profile's events in one conditional write, retried on version conflicts. `firstRead` is
 * the read identity resolution already made: the first attempt reuses it (a stale read only fails
 * the conditional write, and the retry reads again), saving a GetItem per profile per batch.
 */
async function commitEvents(profileId: string, events: readonly CustomerEvent[], deps: ProcessEventsDeps, now: Date, firstRead?: LiveProfile): Promise<Commit> {
  const { store, config } = deps;
  // A redelivery older than the profile's ring of recent messageIds is still found by its stored event.
  const stored = await store.findStoredEvents(profileId, events);
  const fresh = events.filter((event) => !stored.has(event.messageId));
  const expiresAt = expiryOf(config, now);
  const journeys = deps.journeys === undefined ? [] : config.journeys ?? [];
  let reusable = firstRead;
  return withConflictRetry(deps.maxAttempts, async () => {
    const { profileId: liveId, stored: current } = reusable ?? (await readLive(store, profileId));
    reusable = undefined;
    const base = current?.profile ?? emptyProfile(liveId, now.toISOString());
    const folded = foldEvents(base, fresh, config);
    const appliedIds = new Set(folded.applied.map((event) => event.messageId));
    const seenBefore = events.filter((event) => !appliedIds.has(event.messageId));
    if (folded.applied.length === 0) {
      // Committed before: store the raw events again in case the last attempt stopped before it did.
      if (folded.duplicates.length > 0) await store.putEvents(liveId, folded.duplicates, expiresAt);
      const redelivered = journeys.length === 0 ? NO_ACTIONS : redeliveryActions(base, seenBefore, journeys);
      return { profileId: liveId, applied: 0, duplicates: events.length, written: false, transitions: [], actions: NO_ACTIONS, redelivered };
    }
    const evaluation = evaluateProfile(folded.profile, config, now);
    const transitions = transitionsOf(liveId, evaluation);
    // The version this write will create: transition messageIds (and so segment-entry runIds) derive from it.
    const nextVersion = (current?.version ?? 0) + 1;
    const engineEvents = transitionEvents(evaluation.profile, transitions, nextVersion, now);
    const attributed = journeys.length === 0 ? undefined : attributeConversions(evaluation.profile, folded.applied, journeys, now);
    const plan = attributed === undefined
      ? { profile: evaluation.profile, ...NO_ACTIONS }
      : planJourneyActions(attributed.profile, [...folded.applied, ...engineEvents], journeys, now, { globalControlShare: config.globalControlShare });
    await store.saveProfile(plan.profile, current?.version);
    await store.putEvents(liveId, [...folded.applied, ...folded.duplicates, ...engineEvents], expiresAt);
    const { profile: _committed, ...planned } = plan;
    const goalStops = (attributed?.exits ?? []).map((exit) => ({ journeyId: exit.journeyId, runId: exit.runId, reason: goalExitReason(exit.goalId) }));
    const actions: JourneyActions = { ...planned, stops: [...goalStops, ...planned.stops], conversions: attributed?.conversions ?? [] };
    const redelivered = journeys.length === 0 || seenBefore.length === 0 ? NO_ACTIONS : redeliveryActions(plan.profile, seenBefore, journeys);
    return { profileId: liveId, applied: folded.applied.length, duplicates: events.length - folded.applied.length, written: true, transitions, actions, redelivered };
  });
}

/**
 * Run `attempt` until it does not throw {@link ProfileVersionConflictError}, with full-jitter
 * exponential backoff (so a burst of writers to one hot profile spreads out instead of colliding
 * again), at most `maxAttempts` times.
 *
 * @example
 * const version = await withConflictRetry(25, async () => store.saveProfile(next(await store.getProfile(id)), v));
 */
export async function withConflictRetry<T>(maxAttempts: number | undefined, attempt: () => Promise<T>): Promise<T> {
  const limit = maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ProfileVersionConflictError) || n >= limit) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(1000, 5 * 2 ** n)));
    }
  }
}

/**
 * Read a profile, following merge tombstones to the profile that absorbed it. `stored` is undefined
 * when no live profile exists yet under `profileId` (the returned id) .
 *
 * @example
 * const { profileId, stored } = await readLive(store, 'p_anonymous');
 */
export async function readLive(store: ProfileStore, profileId: string): Promise<{ profileId: string; stored?: Extract<StoredProfile, { kind: 'profile' }> }> {
  let id = profileId;
  for (let hop = 0; hop <= MAX_TOMBSTONE_HOPS; hop++) {
    const stored = await store.getProfile(id);
    if (stored?.kind !== 'merged') return { profileId: id, stored };
    id = stored.mergedInto;
  }
  throw new Error(`profile ${profileId}: more than ${MAX_TOMBSTONE_HOPS} merge tombstones in a row`);
}

/**
 * The segment changes of an evaluation as values.
 *
 * @example
 * transitionsOf('p_1', { profile, entered: ['vip'], exited: [] }); // [{ profileId: 'p_1', segmentId: 'vip', kind: 'entered' }]
 */
export function transitionsOf(profileId: string, evaluation: { entered: readonly string[]; exited: readonly string[] }): SegmentTransition[] {
  return [
    ...evaluation.entered.map((segmentId) => ({ profileId, segmentId, kind: 'entered' as const })),
    ...evaluation.exited.map((segmentId) => ({ profileId, segmentId, kind: 'exited' as const })),
  ];
}

/**
 * The internal track events that record segment transitions in the profile's event log. Their
 * messageIds derive from the profile version that made the change, so a retry writes the same items.
 *
 * @example
 * transitionEvents(profile, [{ profileId, segmentId: 'vip', kind: 'entered' }], 7, now)[0].messageId; // 'engine:p_1:7:entered:vip'
 */
export function transitionEvents(profile: Profile, transitions: readonly SegmentTransition[], version: number, now: Date): CustomerEvent[] {
  const at = now.toISOString();
  const userId = profile.identities.userIds[0];
  const anonymousId = userId === undefined ? profile.identities.anonymousIds[0] : undefined;
  return transitions.map((transition) => ({
    type: 'track',
    event: transition.kind === 'entered' ? SEGMENT_ENTERED : SEGMENT_EXITED,
    messageId: `engine:${transition.profileId}:${version}:${transition.kind}:${transition.segmentId}`,
    ...(userId !== undefined && { userId }),
    ...(anonymousId !== undefined && { anonymousId }),
    properties: { segmentId: transition.segmentId },
    traits: {},
    context: {},
    timestamp: at,
    receivedAt: at,
    source: 'engine',
  }));
}

/**
 * The TTL (epoch seconds) of raw events stored now.
 *
 * @example
 * expiryOf({ segments: [] }, new Date('2026-01-01T00:00:00Z')); // 90 days later
 */
export function expiryOf(config: EngineConfig, now: Date): number {
  return Math.floor(now.getTime() / 1000) + (config.eventRetentionDays ?? DEFAULT_EVENT_RETENTION_DAYS) * 86_400;
}

/**
 * Identity resolution for a batch: decides each event's profile in order, as if they came one by
 * one, with one batch read of the links up front. `views` are the profiles as planning sees them
 * (stored state plus the batch's events so far), so that an identify early in the batch counts for
 * a track later in it.
 */
async function resolveProfiles(
  events: readonly CustomerEvent[],
  deps: ProcessEventsDeps,
  now: Date,
): Promise<{ groups: Map<string, CustomerEvent[]>; merges: number; reads: Map<string, LiveProfile> }> {
  const { store, config } = deps;
  const allKeys = [...new Map(events.flatMap(identityKeysOf).map((key) => [identityKeyString(key), key])).values()];
  const linked = allKeys.length === 0 ? new Map<string, string>() : await store.findProfileIds(allKeys);
  const views = new Map<string, Profile>();
  const groups = new Map<string, CustomerEvent[]>();
  let merges = 0;

  /** profileId -> the live profile it resolved to, so each profile is read once per batch. */
  const resolved = new Map<string, string>();
  /** The reads as stored, for the commit's first attempt (not for profiles a merge changed). */
  const reads = new Map<string, LiveProfile>();
  const load = async (profileId: string): Promise<string> => {
    const known = resolved.get(profileId);
    if (known !== undefined && views.has(known)) return known;
    const read = await readLive(store, profileId);
    const { profileId: liveId, stored } = read;
    if (!reads.has(liveId)) reads.set(liveId, read);
    if (!views.has(liveId)) views.set(liveId, stored?.profile ?? emptyProfile(liveId, now.toISOString()));
    resolved.set(profileId, liveId);
    return liveId;
  };
  const pointAt = (from: string, to: string) => {
    for (const [key, owner] of linked) if (owner === from) linked.set(key, to);
  };
  for (const profileId of new Set(linked.values())) {
    const liveId = await load(profileId);
    if (liveId !== profileId) pointAt(profileId, liveId);
  }

  for (const event of events) {
    for (let round = 0; ; round++) {
      const plan = planIdentity(event, linked, views);
      let target: string;
      if (plan.action === 'merge') {
        target = plan.into;
        for (const loser of plan.from) {
          const loserKeys = [...linked].filter(([, owner]) => owner === loser).map(([key]) => parseIdentityKey(key));
          await mergeProfile(loser, target, loserKeys, deps, now);
          merges++;
          reads.delete(target);
          reads.delete(loser);
          views.set(target, mergeProfiles(views.get(target) as Profile, views.get(loser) as Profile));
          views.delete(loser);
          resolved.set(loser, target);
          pointAt(loser, target);
          groups.set(target, [...(groups.get(target) ?? []), ...(groups.get(loser) ?? [])]);
          groups.delete(loser);
        }
      } else {
        target = await load(plan.profileId);
      }
      let raced = false;
      for (const key of plan.link) {
        const owner = await store.linkIdentity(key, target);
        if (owner !== target) {
          // Another writer linked the key first: plan again with its profile, which will merge.
          linked.set(identityKeyString(key), await load(owner));
          raced = true;
        } else {
          linked.set(identityKeyString(key), target);
        }
      }
      if (raced && round < MAX_REPLANS) continue;
      groups.set(target, [...(groups.get(target) ?? []), event]);
      views.set(target, foldEvents(views.get(target) as Profile, [event], config).profile);
      break;
    }
  }
  return { groups, merges, reads };
}

/**
 * Merge `loser` into `winner`, each step idempotent so that a retry after a crash finishes the job:
 * 1. the winner absorbs the loser's profile (skipped when the loser is already in `mergedFrom`);
 * 2. the loser becomes a tombstone, conditionally on the version that was absorbed; when a fold
 *    slipped in between, the events it added are folded into the winner and the step is retried;
 * 3. the loser's identity keys point at the winner;
 * 4. the loser's raw events move under the winner.
 */
async function mergeProfile(loser: string, winner: string, linkedKeys: readonly IdentityKey[], deps: ProcessEventsDeps, now: Date): Promise<void> {
  const { store, config } = deps;
  let loserState = await store.getProfile(loser);
  /** The loser as this call folded it into the winner. */
  let absorbed: Profile | undefined;
  for (let attempt = 1; ; attempt++) {
    if (loserState?.kind === 'merged') {
      if (loserState.mergedInto !== winner) throw new Error(`profile ${loser} was merged into ${loserState.mergedInto} while merging into ${winner}: retry`);
      break;
    }
    if (loserState !== undefined) {
      const loserProfile = loserState.profile;
      if (absorbed === undefined) {
        await updateProfile(store, winner, now, deps.maxAttempts, (profile) => mergeProfiles(profile, loserProfile));
      } else {
        const known = new Set(absorbed.recentMessageIds);
        const late = await findEvents(store, loser, loserProfile.recentMessageIds.filter((id) => !known.has(id)));
        await updateProfile(store, winner, now, deps.maxAttempts, (profile) => foldEvents(profile, late, config).profile);
      }
      absorbed = loserProfile;
    }
    try {
      await store.markMerged(loser, winner, loserState?.version ?? 0);
      break;
    } catch (error) {
      if (!(error instanceof ProfileVersionConflictError) || attempt >= (deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)) throw error;
      loserState = await store.getProfile(loser);
    }
  }

  const identities = absorbed?.identities;
  const keys = new Map<string, IdentityKey>([
    ...(identities?.userIds ?? []).map((id): [string, IdentityKey] => [`user:${id}`, { kind: 'user', id }]),
    ...(identities?.anonymousIds ?? []).map((id): [string, IdentityKey] => [`anonymous:${id}`, { kind: 'anonymous', id }]),
    ...linkedKeys.map((key): [string, IdentityKey] => [identityKeyString(key), key]),
  ]);
  await Promise.all([...keys.values()].map((key) => store.relinkIdentity(key, winner)));

  let before: string | undefined;
  do {
    const page = await store.listEvents(loser, { limit: 100, before });
    await store.putEvents(winner, page.events, expiryOf(config, now));
    before = page.next;
  } while (before !== undefined);
  await store.deleteEvents(loser);
}

/** Read-modify-write of one profile (created empty when missing), retried on version conflicts. */
async function updateProfile(store: ProfileStore, profileId: string, now: Date, maxAttempts: number | undefined, change: (profile: Profile) => Profile): Promise<void> {
  await withConflictRetry(maxAttempts, async () => {
    const current = await store.getProfile(profileId);
    if (current?.kind === 'merged') throw new Error(`profile ${profileId} was merged into ${current.mergedInto} during a merge into it: retry`);
    const base = current?.profile ?? emptyProfile(profileId, now.toISOString());
    const next = change(base);
    if (next !== base) await store.saveProfile(next, current?.version);
  });
}

/**
 * The stored events with these messageIds: the ones a concurrent fold committed to a profile that
 * is being merged. Its raw events are written just after its profile, so wait briefly for them.
 */
async function findEvents(store: ProfileStore, profileId: string, messageIds: readonly string[]): Promise<CustomerEvent[]> {
  const wanted = new Set(messageIds);
  let found: CustomerEvent[] = [];
  for (let attempt = 0; wanted.size > 0 && attempt < 5; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    const { events } = await store.listEvents(profileId, { limit: 1000 });
    found = events.filter((event) => wanted.has(event.messageId));
    if (found.length === wanted.size) break;
  }
  return found;
}

function parseIdentityKey(key: string): IdentityKey {
  const colon = key.indexOf(':');
  return { kind: key.slice(0, colon) as IdentityKey['kind'], id: key.slice(colon + 1) };
}

function sumEffects(a: JourneyEffectsResult, b: JourneyEffectsResult): JourneyEffectsResult {
  return { started: a.started + b.started, stopped: a.stopped + b.stopped, resumed: a.resumed + b.resumed, staleResumes: a.staleResumes + b.staleResumes };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
