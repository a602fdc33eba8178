import type { CustomerEvent } from '../events';
import type { Goal, JourneyDefinition } from '../journeys/definition';
import { endRun, isRunActive, propertyAt } from '../journeys/entry';
import { matchesEvent } from '../journeys/matching';
import type { CounterIncrement } from '../ports';
import type { Profile, RunGroup, RunRecord } from '../profile';
import { ALL, GLOBAL_CONTROL_GROUP, TREATMENT_GROUP, counterMetric } from './counters';
import { updateRun } from './runs';

/**
 * Conversion attribution: which journey runs a goal event converts, decided on the profile as pure
 * data, so that the processor commits the conversions in the same conditional write as the fold
 * (a redelivered event is a duplicate there and never converts twice), then counts them.
 *
 * The rules:
 * - **Window.** A goal's window opens at the run's entry (`from: 'entry'`, the default) or at its
 *   last send (`from: 'lastSend'`; a run that sent nothing, a holdout for example, has no window
 *   then) and lasts `windowDays`. The start is inclusive and the end exclusive: an event at exactly
 *   entry + 7 days is outside a 7-day window. Times are the events' own timestamps.
 * - **Per journey.** Each journey the customer is in converts on its own: the same order can
 *   convert the welcome, the win-back and the cross-sell run at once.
 * - **Re-entry.** Each run converts separately; an event converts the most recent run (by entry)
 *   whose window contains it, so one run per journey and goal per event.
 * - **Once per run and goal.** The first event converts the run; later goal events within the same
 *   run's window add their value to it (revenue per customer), without counting a second conversion.
 * - **Active or recently ended.** A run converts whether it is still running or ended (completed,
 *   exited, holdout: holdout runs end at once and convert like any other), for as long as the
 *   profile keeps it (see `runs.ts`).
 * - **Per variant and group.** A conversion carries the run's variant at each split and its group
 *   (treatment or global control), recorded at entry and at the splits.
 * - **Last touched step.** The run's last sent step at or before the conversion; none when nothing
 *   was sent (a holdout, a control customer, or an event older than the last send).
 * - **Exit on conversion.** A goal with `exitOnConversion` ends the run when it converts (if still
 *   active), as exit criteria do; the caller stops it with reason `goal:<goalId>`.
 */

/** One run converted (or its conversion grew) by one event. */
export interface Conversion {
  readonly journeyId: string;
  readonly runId: string;
  readonly goalId: string;
  readonly group: RunGroup;
  /** Split step id -> the run's variant there. */
  readonly variants: Record<string, string>;
  /** The last touched step credited with the conversion; absent when nothing was sent. */
  readonly stepId?: string;
  /** This event's value. */
  readonly value: number;
  /** The run's value for this goal before this event: 0 on the first conversion. */
  readonly previousValue: number;
  /** The run's first conversion for this goal (counted once); false when the event only adds value. */
  readonly first: boolean;
  /** The event's time and messageId. */
  readonly at: string;
  readonly messageId: string;
}

/** A run that ended because it converted a goal with `exitOnConversion`. */
export interface GoalExit {
  readonly journeyId: string;
  readonly runId: string;
  readonly goalId: string;
}

export interface Attribution {
  readonly profile: Profile;
  readonly conversions: Conversion[];
  readonly exits: GoalExit[];
}

/** The stop reason (and run outcome) of a goal exit; counted as `exited:goal:<goalId>`. */
export const goalExitReason = (goalId: string): string => `goal:${goalId}`;

/**
 * Attribute a batch of newly applied events to the goals of the customer's journey runs: the
 * profile with each converted run's `conversions` recorded (and exit-on-conversion runs ended),
 * the conversions to count, and the runs to stop. Engine events never convert.
 *
 * @param profile the profile after fold and evaluation, before this batch's entries
 * @param events the events applied by this write (never redelivered ones)
 *
 * @example
 * const attributed = attributeConversions(evaluated, folded.applied, config.journeys ?? [], now);
 * attributed.conversions[0]; // { journeyId: 'win-back', goalId: 'order', value: 150000, first: true, group: 'treatment', ... }
 */
export function attributeConversions(profile: Profile, events: readonly CustomerEvent[], journeys: readonly JourneyDefinition[], now: Date): Attribution {
  let current = profile;
  const conversions: Conversion[] = [];
  const exits: GoalExit[] = [];
  const ordered = events.filter((event) => event.source !== 'engine').sort((a, b) => a.timestamp.localeCompare(b.timestamp) || a.messageId.localeCompare(b.messageId));
  for (const event of ordered) {
    const at = Date.parse(event.timestamp);
    if (Number.isNaN(at)) continue;
    for (const journey of journeys) {
      for (const goal of journey.goals ?? []) {
        const run = convertingRun(current.journeys?.[journey.id]?.recent ?? [], journey, goal, event, at);
        if (run === undefined) continue;
        const value = goalValue(event, goal);
        const existing = run.conversions[goal.id];
        const stepId = existing === undefined ? lastTouchedStep(run, at) : existing.stepId;
        const previousValue = existing?.value ?? 0;
        current = updateRun(current, journey.id, run.runId, (r) => ({
          ...r,
          conversions: { ...r.conversions, [goal.id]: { at: existing?.at ?? event.timestamp, value: previousValue + value, ...(stepId !== undefined && { stepId }) } },
        }));
        conversions.push({
          journeyId: journey.id,
          runId: run.runId,
          goalId: goal.id,
          group: run.group,
          variants: run.variants,
          ...(stepId !== undefined && { stepId }),
          value,
          previousValue,
          first: existing === undefined,
          at: event.timestamp,
          messageId: event.messageId,
        });
        if (existing === undefined && goal.exitOnConversion === true && isRunActive(current, journey.id, run.runId)) {
          current = endRun(current, journey.id, run.runId, goalExitReason(goal.id), now.toISOString());
          exits.push({ journeyId: journey.id, runId: run.runId, goalId: goal.id });
        }
      }
    }
  }
  return { profile: current, conversions, exits };
}

/**
 * The goal's window for a run, `[start, end)` in epoch ms: from the entry or from the last send;
 * undefined for `from: 'lastSend'` when the run sent nothing.
 *
 * @example
 * goalWindow(run, { id: 'order', event: 'Order Completed', windowDays: 7 }); // { start: entry, end: entry + 7 days }
 */
export function goalWindow(run: RunRecord, goal: Pick<Goal, 'windowDays' | 'from'>): { start: number; end: number } | undefined {
  const from = goal.from === 'lastSend' ? run.lastSend?.at : run.enteredAt;
  if (from === undefined) return undefined;
  const start = Date.parse(from);
  return Number.isNaN(start) ? undefined : { start, end: start + goal.windowDays * 86_400_000 };
}

/**
 * The value of a goal event: the number at `valueProperty` (default `revenue`), else at `total`,
 * else 0 (a conversion without a value still counts).
 *
 * @example
 * goalValue(orderCompleted, { id: 'order', event: 'Order Completed', windowDays: 14 }); // 150000
 */
export function goalValue(event: CustomerEvent, goal: Pick<Goal, 'valueProperty'>): number {
  const raw = propertyAt(event.properties, goal.valueProperty ?? 'revenue') ?? event.properties.total;
  const value = typeof raw === 'number' || (typeof raw === 'string' && raw.trim() !== '') ? Number(raw) : NaN;
  return Number.isFinite(value) ? value : 0;
}

/**
 * The counters a conversion adds, per `counters.ts`: at the group, at each split step with the
 * run's variant (`converted`, `value`, `valueSq`) and at the last touched step (`converted`,
 * `value`). `valueSq` adds `(old + v)^2 - old^2`, so it stays the sum of squared run totals as a
 * run's value grows; `converted` only on the run's first conversion. Zero increments are left out.
 *
 * @example
 * conversionCounters({ goalId: 'order', group: 'treatment', variants: { 'holdout-test': 'offer' }, stepId: 'send-offer', value: 100, previousValue: 0, first: true, ... });
 * // group:treatment converted:order 1, value:order 100, valueSq:order 10000; holdout-test/offer the same; send-offer/* converted 1, value 100
 */
export function conversionCounters(conversion: Conversion): CounterIncrement[] {
  const { goalId, value, previousValue } = conversion;
  const converted = conversion.first ? 1 : 0;
  const squared = (previousValue + value) ** 2 - previousValue ** 2;
  const full = (stepId: string, variant: string): CounterIncrement[] => [
    { stepId, variant, metric: counterMetric.converted(goalId), by: converted },
    { stepId, variant, metric: counterMetric.value(goalId), by: value },
    { stepId, variant, metric: counterMetric.valueSq(goalId), by: squared },
  ];
  const increments = [
    ...full(ALL, conversion.group === 'global-control' ? GLOBAL_CONTROL_GROUP : TREATMENT_GROUP),
    ...Object.entries(conversion.variants).flatMap(([splitStepId, variant]) => full(splitStepId, variant)),
    ...(conversion.stepId === undefined
      ? []
      : [
          { stepId: conversion.stepId, variant: ALL, metric: counterMetric.converted(goalId), by: converted },
          { stepId: conversion.stepId, variant: ALL, metric: counterMetric.value(goalId), by: value },
        ]),
  ];
  return increments.filter((increment) => increment.by !== 0);
}

/** The most recent run (by entry) whose window contains the event and whose entry key it matches. */
function convertingRun(runs: readonly RunRecord[], journey: JourneyDefinition, goal: Goal, event: CustomerEvent, at: number): RunRecord | undefined {
  let found: RunRecord | undefined;
  for (const run of runs) {
    const window = goalWindow(run, goal);
    if (window === undefined || at < window.start || at >= window.end) continue;
    const key = goal.matchEntryKey === true && journey.entryKey !== undefined && run.entryKey !== undefined ? { property: journey.entryKey, value: run.entryKey } : undefined;
    if (!matchesEvent(event, { event: goal.event, ...(goal.where !== undefined && { where: goal.where }), ...(goal.matchEntryKey === true && { matchEntryKey: true }) }, key)) continue;
    if (found === undefined || run.enteredAt >= found.enteredAt) found = run;
  }
  return found;
}

/** The run's last send if it happened at or before the conversion (the profile keeps only the latest). */
function lastTouchedStep(run: RunRecord, at: number): string | undefined {
  return run.lastSend !== undefined && Date.parse(run.lastSend.at) <= at ? run.lastSend.stepId : undefined;
}
