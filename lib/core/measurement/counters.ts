/**
 * The counter vocabulary shared by the writers (processor, journey task, feedback) and the readouts.
 * Counters live per (journeyId, stepId, variant, metric) in the JourneyStore; `*` means "all".
 *
 * Journey level, stepId `*`, variant `*`:
 *   entered | completed | holdout | failed | exited:exit_criteria | exited:goal:<goalId>
 * Per step, variant `*` or the run's variant of the nearest split before the step:
 *   sent | deferred | failed | suppressed:<reason> | delivered | opened | clicked | bounced |
 *   complained | unsubscribed | branch:<path>
 * Split steps, variant `*`: assigned:<variant>   (exposure per variant; the holdout is `holdout`)
 *
 * Conversions (written by the processor on goal events, once per run and goal):
 *   group level, stepId `*`, variant `group:treatment` | `group:global-control`:
 *       entered (exposure of the group), converted:<goalId>, value:<goalId>, valueSq:<goalId>
 *   per split step, variant = the run's variant there:
 *       converted:<goalId>, value:<goalId>, valueSq:<goalId>
 *   per last touched step (the run's last `sent` step before the conversion), variant `*`:
 *       converted:<goalId>, value:<goalId>
 * `value` sums the conversion values of each run within the goal window; `valueSq` sums the squares
 * of each run's total value (kept right as a run's value grows: add (old + v)^2 - old^2), so the
 * readout can compute revenue per customer and its variance for Welch's t-test.
 */
export const ALL = '*';
export const TREATMENT_GROUP = 'group:treatment';
export const GLOBAL_CONTROL_GROUP = 'group:global-control';

export const counterMetric = {
  converted: (goalId: string) => `converted:${goalId}`,
  value: (goalId: string) => `value:${goalId}`,
  valueSq: (goalId: string) => `valueSq:${goalId}`,
  exitedByGoal: (goalId: string) => `exited:goal:${goalId}`,
  assigned: (variant: string) => `assigned:${variant}`,
  suppressed: (reason: string) => `suppressed:${reason}`,
};
