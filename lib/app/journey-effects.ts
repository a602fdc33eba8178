import type { JourneyPlan } from '../core/journeys/entry';
import { conversionCounters, type Conversion } from '../core/measurement/attribution';
import { ALL, GLOBAL_CONTROL_GROUP, TREATMENT_GROUP } from '../core/measurement/counters';
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

/** Committed journey decisions: a plan's actions and the conversions committed with them. */
export type JourneyEffects = Omit<JourneyPlan, 'profile'> & {
  /** Conversions committed by the same write (see `attributeConversions`). @default none */
  readonly conversions?: readonly Conversion[];
};

/**
 * Carry out committed journey decisions: enqueue the starts (the paced starter runs them), stop the
 * exited runs and resume the waits, then count per `counters.ts`: `entered` per journey and at the
 * run's group (`group:treatment` / `group:global-control`), `exited:<reason>` (`exit_criteria`,
 * `goal:<goalId>`), and each conversion's `converted` / `value` / `valueSq`. Every call is
 * idempotent, so a redelivery may repeat them; it passes `count: false` so that the counters are
 * not inflated (a crash between the calls and the count under-counts instead).
 *
 * @example
 * const plan = planJourneyActions(profile, events, journeys, now);
 * await store.saveProfile(plan.profile, version);
 * await carryOutJourneyPlan(plan, { startQueue, runner, journeyStore }, { count: true });
 */
export async function carryOutJourneyPlan(plan: JourneyEffects, deps: JourneyEffectsDeps, options: { count: boolean }): Promise<JourneyEffectsResult> {
  if (plan.starts.length > 0) await deps.startQueue.enqueue(plan.starts);
  await Promise.all(plan.stops.map((stop) => deps.runner.stop(stop.journeyId, stop.runId, stop.reason)));
  const resumed = await Promise.all(plan.resumes.map((resume) => deps.runner.resume(resume.taskToken, resume.output)));
  if (options.count) {
    const counters = journeyCounters(plan);
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
 * The counter increments of committed decisions, per journey, summed by (step, variant, metric).
 *
 * @example
 * journeyCounters({ starts: [start], stops: [], resumes: [], groups: { [start.runId]: 'treatment' } }).get('welcome');
 * // [{ stepId: '*', variant: '*', metric: 'entered', by: 1 }, { stepId: '*', variant: 'group:treatment', metric: 'entered', by: 1 }]
 */
export function journeyCounters(plan: JourneyEffects): Map<string, CounterIncrement[]> {
  const totals = new Map<string, Map<string, CounterIncrement>>();
  const add = (journeyId: string, increment: CounterIncrement) => {
    const journey = totals.get(journeyId) ?? new Map<string, CounterIncrement>();
    const key = `${increment.stepId}\u0000${increment.variant}\u0000${increment.metric}`;
    const existing = journey.get(key);
    journey.set(key, { ...increment, by: (existing?.by ?? 0) + increment.by });
    totals.set(journeyId, journey);
  };
  for (const start of plan.starts) {
    add(start.journeyId, { stepId: ALL, variant: ALL, metric: 'entered', by: 1 });
    const group = plan.groups?.[start.runId];
    if (group !== undefined) add(start.journeyId, { stepId: ALL, variant: group === 'global-control' ? GLOBAL_CONTROL_GROUP : TREATMENT_GROUP, metric: 'entered', by: 1 });
  }
  for (const stop of plan.stops) add(stop.journeyId, { stepId: ALL, variant: ALL, metric: `exited:${stop.reason}`, by: 1 });
  for (const conversion of plan.conversions ?? []) for (const increment of conversionCounters(conversion)) add(conversion.journeyId, increment);
  return new Map([...totals].map(([journeyId, increments]) => [journeyId, [...increments.values()]]));
}

/**
 * Several plans as one (a batch touches several profiles).
 *
 * @example
 * const all = combinePlans(commits.map((commit) => commit.actions));
 */
export function combinePlans(plans: readonly JourneyEffects[]): JourneyEffects {
  return {
    starts: plans.flatMap((plan) => plan.starts),
    stops: plans.flatMap((plan) => plan.stops),
    resumes: plans.flatMap((plan) => plan.resumes),
    groups: Object.fromEntries(plans.flatMap((plan) => Object.entries(plan.groups ?? {}))),
    conversions: plans.flatMap((plan) => plan.conversions ?? []),
  };
}
