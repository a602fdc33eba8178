import type { EngineConfig } from '../core/config';
import { evaluateProfile } from '../core/evaluate-profile';
import { planJourneyActions } from '../core/journeys/entry';
import type { ProfileStore } from '../core/ports';
import { carryOutJourneyPlan, type JourneyEffectsDeps } from './journey-effects';
import { expiryOf, transitionEvents, transitionsOf, withConflictRetry, type SegmentTransition } from './process-events';

export interface ReevaluateDeps {
  readonly store: ProfileStore;
  readonly config: EngineConfig;
  readonly now: Date;
  /** How far back the very first run looks for due profiles (later runs start at the cursor). @default 48 */
  readonly firstRunLookbackHours?: number;
  /** Conditional-write attempts per profile. @default 25 */
  readonly maxAttempts?: number;
  /**
   * Where journey starts and stops from segment entries and exits go.
   * @default none: segment transitions start and stop no journeys
   */
  readonly journeys?: JourneyEffectsDeps;
}

export interface ReevaluateResult {
  /** Due profiles evaluated. */
  readonly evaluated: number;
  /** Profiles whose segment memberships changed. */
  readonly changed: number;
  readonly transitions: readonly SegmentTransition[];
  /** Journey runs enqueued and stopped by the transitions. */
  readonly journeyStarts: number;
  readonly journeyStops: number;
}

/**
 * Re-evaluate the profiles whose time-based segment conditions may have changed without a new
 * event (a customer becomes "lapsed" 30 days after the last order): those whose `nextEvaluationAt`
 * has passed. Each is read, evaluated at `now`, saved if the version is unchanged (retried on
 * conflict, so a concurrent fold is never overwritten) and its transitions stored as engine events.
 * Segment entries and exits start and stop journeys as in the processor: the runs are recorded in
 * the same conditional write and carried out right after it, profile by profile (a crash between
 * the two loses that profile's starts: a scheduled run, unlike a queue message, is not redelivered).
 *
 * Each run starts at the hour of the previous complete run (a cursor item) and moves the cursor to
 * `now` only when it finished, so a failed or missed run leaves no gap, however long the outage.
 *
 * Cost per run: one index Query per UTC hour bucket and shard since the cursor: 2 x 16 = 32 small
 * Queries for an hourly schedule (0.5 RCU each when empty), plus one GetItem and one conditional
 * PutItem per due profile, one BatchWrite slot per transition, and the cursor's GetItem and PutItem.
 * Nothing Scans: the cost follows the number of due profiles, not the size of the table.
 *
 * @example
 * const { evaluated, transitions } = await reevaluateDueProfiles({ store, config, now: new Date() });
 */
export async function reevaluateDueProfiles(deps: ReevaluateDeps): Promise<ReevaluateResult> {
  const { store, config, now } = deps;
  let evaluated = 0;
  let changed = 0;
  const transitions: SegmentTransition[] = [];
  const journeys = deps.journeys === undefined ? [] : config.journeys ?? [];
  let journeyStarts = 0;
  let journeyStops = 0;
  const cursor = await store.getReevaluationCursor();
  const since = cursor !== undefined ? new Date(cursor) : new Date(now.getTime() - (deps.firstRunLookbackHours ?? 48) * 3_600_000);
  for await (const profileId of store.listDueForEvaluation(now, since)) {
    const found = await withConflictRetry(deps.maxAttempts, async () => {
      const stored = await store.getProfile(profileId);
      // Merged or erased since the index was read: nothing to evaluate.
      if (stored?.kind !== 'profile') return undefined;
      const evaluation = evaluateProfile(stored.profile, config, now);
      const changes = transitionsOf(profileId, evaluation);
      const engineEvents = transitionEvents(evaluation.profile, changes, stored.version + 1, now);
      const plan = journeys.length === 0 || changes.length === 0
        ? { profile: evaluation.profile, starts: [], stops: [], resumes: [] }
        : planJourneyActions(evaluation.profile, engineEvents, journeys, now, { globalControlShare: config.globalControlShare });
      // Saved even without a transition: nextEvaluationAt moves on, or the profile stays due forever.
      await store.saveProfile(plan.profile, stored.version);
      return { changes, engineEvents, plan };
    });
    if (found === undefined) continue;
    evaluated++;
    if (found.changes.length === 0) continue;
    changed++;
    transitions.push(...found.changes);
    await store.putEvents(profileId, found.engineEvents, expiryOf(config, now));
    // At once, profile by profile: a scheduled run has no redelivery, so nothing waits in memory.
    if (deps.journeys !== undefined) {
      const effects = await carryOutJourneyPlan(found.plan, deps.journeys, { count: true });
      journeyStarts += effects.started;
      journeyStops += effects.stopped;
    }
  }
  await store.setReevaluationCursor(now.toISOString());
  return { evaluated, changed, transitions, journeyStarts, journeyStops };
}
