import type { JourneyState, Profile, RunRecord } from '../profile';

/**
 * The bounded run history on the profile (`JourneyState.recent`) that conversions are attributed
 * to. It lives on the profile item so that a conversion commits in the processor's one conditional
 * write, with the event that caused it.
 */

/** Runs kept per journey: re-entry journeys (cooldowns, carts) keep their last few runs. */
export const RUN_HISTORY_LIMIT = 10;
/**
 * An ended run is kept this many days after it ended: the longest goal window, counted from the
 * entry or the last send (both at or before the end), so no later event can convert it.
 */
export const RUN_HISTORY_DAYS = 90;

/**
 * The runs worth keeping at `now`: active runs and runs ended within {@link RUN_HISTORY_DAYS},
 * then the newest {@link RUN_HISTORY_LIMIT} of those, oldest first.
 *
 * @example
 * pruneRuns([...state.recent, run], now); // at most 10 runs
 */
export function pruneRuns(runs: readonly RunRecord[], now: Date): RunRecord[] {
  const oldest = now.getTime() - RUN_HISTORY_DAYS * 86_400_000;
  return runs.filter((run) => run.endedAt === undefined || Date.parse(run.endedAt) >= oldest).slice(-RUN_HISTORY_LIMIT);
}

/**
 * The journey state with a new run appended to its history (pruned at `now`).
 *
 * @example
 * const next = appendRun(state, { runId, enteredAt, variants: {}, group: 'treatment', conversions: {} }, now);
 */
export function appendRun(state: JourneyState, run: RunRecord, now: Date): JourneyState {
  const others = (state.recent ?? []).filter((existing) => existing.runId !== run.runId);
  return { ...state, recent: pruneRuns([...others, run], now) };
}

/**
 * The run's record, if the profile still has it.
 *
 * @example
 * findRun(profile, 'win-back', runId)?.group; // 'global-control'
 */
export function findRun(profile: Profile, journeyId: string, runId: string): RunRecord | undefined {
  return profile.journeys?.[journeyId]?.recent?.find((run) => run.runId === runId);
}

/**
 * Change one run's record. Returns the same profile object when the run has no record or
 * `change` returns the record unchanged, so callers can skip a write.
 *
 * @example
 * const next = updateRun(profile, 'welcome', runId, (run) => ({ ...run, lastSend: { stepId: 'hello', at } }));
 */
export function updateRun(profile: Profile, journeyId: string, runId: string, change: (run: RunRecord) => RunRecord): Profile {
  const state = profile.journeys?.[journeyId];
  const run = state?.recent?.find((candidate) => candidate.runId === runId);
  if (state === undefined || run === undefined) return profile;
  const changed = change(run);
  if (changed === run) return profile;
  const recent = (state.recent ?? []).map((candidate) => (candidate === run ? changed : candidate));
  return { ...profile, journeys: { ...profile.journeys, [journeyId]: { ...state, recent } } };
}

/**
 * Record the run's variant at a split (kept when already recorded: assignments are sticky).
 *
 * @example
 * recordVariant(profile, 'win-back', runId, 'holdout-test', 'holdout');
 */
export function recordVariant(profile: Profile, journeyId: string, runId: string, splitStepId: string, variant: string): Profile {
  return updateRun(profile, journeyId, runId, (run) =>
    Object.hasOwn(run.variants, splitStepId) ? run : { ...run, variants: { ...run.variants, [splitStepId]: variant } });
}

/**
 * Record a `sent` message as the run's last send (the last touched step of later conversions).
 *
 * @example
 * recordSend(profile, 'welcome', runId, 'welcome-email', now.toISOString());
 */
export function recordSend(profile: Profile, journeyId: string, runId: string, stepId: string, at: string): Profile {
  return updateRun(profile, journeyId, runId, (run) =>
    run.lastSend !== undefined && run.lastSend.at > at ? run : { ...run, lastSend: { stepId, at } });
}
