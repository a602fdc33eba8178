import type { JourneyPlan } from '../core/journeys/entry';
import type { CounterIncrement, JourneyRunner, JourneyStore, StartQueue } from '../core/ports';

/** Where journey decisions go once they are committed to the profile. */
export interface JourneyEffectsDeps {
  readonly startQueue: StartQueue;
  readonly runner: JourneyRunner;
  readonly journeyStore: JourneyStore;
}

export interface JourneyEffectsResult {
  readonly started: number;
  readonly stopped: number;
  readonly resumed: number;
  /** Resumes whose token had expired or was used already (the wait timed out first). */
  readonly staleResumes: number;
}

/**
 * Carry out committed journey decisions: enqueue the starts (the paced starter runs them), stop the
 * exited runs and resume the waits, then count `entered` and `exited:exit_criteria` per journey.
 * Every call is idempotent, so a redelivery may repeat them; it passes `count: false` so that the
 * counters are not inflated (a crash between the calls and the count under-counts instead).
 *
 * @example
 * const plan = planJourneyActions(profile, events, journeys, now);
 * await store.saveProfile(plan.profile, version);
 * await carryOutJourneyPlan(plan, { startQueue, runner, journeyStore }, { count: true });
 */
export async function carryOutJourneyPlan(plan: Omit<JourneyPlan, 'profile'>, deps: JourneyEffectsDeps, options: { count: boolean }): Promise<JourneyEffectsResult> {
  if (plan.starts.length > 0) await deps.startQueue.enqueue(plan.starts);
  await Promise.all(plan.stops.map((stop) => deps.runner.stop(stop.journeyId, stop.runId, stop.reason)));
  const resumed = await Promise.all(plan.resumes.map((resume) => deps.runner.resume(resume.taskToken, resume.output)));
  if (options.count) {
    const counters = new Map<string, CounterIncrement[]>();
    const add = (journeyId: string, metric: string) => {
      const list = counters.get(journeyId) ?? [];
      const existing = list.find((counter) => counter.metric === metric);
      counters.set(journeyId, existing === undefined
        ? [...list, { stepId: '*', variant: '*', metric, by: 1 }]
        : list.map((counter) => (counter === existing ? { ...counter, by: counter.by + 1 } : counter)));
    };
    for (const start of plan.starts) add(start.journeyId, 'entered');
    for (const stop of plan.stops) add(stop.journeyId, `exited:${stop.reason}`);
    await Promise.all([...counters].map(([journeyId, increments]) => deps.journeyStore.incrementCounters(journeyId, increments)));
  }
  return {
    started: plan.starts.length,
    stopped: plan.stops.length,
    resumed: resumed.filter(Boolean).length,
    staleResumes: resumed.filter((ok) => !ok).length,
  };
}

/**
 * Several plans as one (a batch touches several profiles).
 *
 * @example
 * const all = combinePlans(commits.map((commit) => commit.actions));
 */
export function combinePlans(plans: readonly Omit<JourneyPlan, 'profile'>[]): Omit<JourneyPlan, 'profile'> {
  return {
    starts: plans.flatMap((plan) => plan.starts),
    stops: plans.flatMap((plan) => plan.stops),
    resumes: plans.flatMap((plan) => plan.resumes),
  };
}
