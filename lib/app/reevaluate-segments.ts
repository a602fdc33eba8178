import type { EngineConfig } from '../core/config';
import { evaluateProfile } from '../core/evaluate-profile';
import type { ProfileStore } from '../core/ports';
import { expiryOf, transitionEvents, transitionsOf, withConflictRetry, type SegmentTransition } from './process-events';

export interface ReevaluateDeps {
  readonly store: ProfileStore;
  readonly config: EngineConfig;
  readonly now: Date;
  /** How far back due profiles are looked for; run the schedule more often than this. @default 48 */
  readonly lookbackHours?: number;
  /** Conditional-write attempts per profile. @default 25 */
  readonly maxAttempts?: number;
}

export interface ReevaluateResult {
  /** Due profiles evaluated. */
  readonly evaluated: number;
  /** Profiles whose segment memberships changed. */
  readonly changed: number;
  readonly transitions: readonly SegmentTransition[];
}

/**
 * Re-evaluate the profiles whose time-based segment conditions may have changed without a new
 * event (a customer becomes "lapsed" 30 days after the last order): those whose `nextEvaluationAt`
 * has passed. Each is read, evaluated at `now`, saved if the version is unchanged (retried on
 * conflict, so a concurrent fold is never overwritten) and its transitions stored as engine events.
 *
 * Cost per run: one index Query per UTC hour bucket and shard, i.e. (lookbackHours + 1) x 16 Queries
 * (784 for the default 48 hours, most of them empty: 0.5 RCU each), plus one GetItem and one
 * conditional PutItem per due profile, plus one BatchWrite slot per transition. Nothing Scans: the
 * cost follows the number of due profiles, not the size of the table.
 *
 * @example
 * const { evaluated, transitions } = await reevaluateDueProfiles({ store, config, now: new Date() });
 */
export async function reevaluateDueProfiles(deps: ReevaluateDeps): Promise<ReevaluateResult> {
  const { store, config, now } = deps;
  let evaluated = 0;
  let changed = 0;
  const transitions: SegmentTransition[] = [];
  for await (const profileId of store.listDueForEvaluation(now, deps.lookbackHours ?? 48)) {
    const found = await withConflictRetry(deps.maxAttempts, async () => {
      const stored = await store.getProfile(profileId);
      // Merged or erased since the index was read: nothing to evaluate.
      if (stored?.kind !== 'profile') return undefined;
      const evaluation = evaluateProfile(stored.profile, config, now);
      // Saved even without a transition: nextEvaluationAt moves on, or the profile stays due forever.
      const version = await store.saveProfile(evaluation.profile, stored.version);
      return { evaluation, version };
    });
    if (found === undefined) continue;
    evaluated++;
    const changes = transitionsOf(profileId, found.evaluation);
    if (changes.length === 0) continue;
    changed++;
    transitions.push(...changes);
    await store.putEvents(profileId, transitionEvents(found.evaluation.profile, changes, found.version, now), expiryOf(config, now));
  }
  return { evaluated, changed, transitions };
}
