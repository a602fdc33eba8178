import type { Goal, JourneyDefinition, Step } from '../journeys/definition';
import { HOLDOUT } from '../journeys/protocol';
import type { CounterIncrement } from '../ports';
import { ALL, counterMetric, GLOBAL_CONTROL_GROUP, TREATMENT_GROUP } from './counters';
import {
  compareMeans,
  compareProportions,
  InvalidMeasurementInputError,
  summaryFromSums,
  type MeanComparison,
  type NotEnoughData,
  type ProportionComparison,
} from './stats';

/**
 * "Did this journey work?": a journey's counters (see `counters.ts`) read back as totals, per-step
 * funnels and, per goal, conversion rate and revenue per customer of every group and variant with
 * the lift over its holdout or control. Pure: definition and counters in, a JSON-serialisable value
 * out. The admin API serves it; the CLI prints it with {@link formatReadout}.
 */

/** Counters that contradict each other (e.g. more conversions than exposed customers): no test can run. */
export interface InconsistentCounters {
  readonly status: 'inconsistent_counters';
  readonly reason: string;
}

export type ProportionReadout = ProportionComparison | NotEnoughData | InconsistentCounters;
export type MeanReadout = MeanComparison | NotEnoughData | InconsistentCounters;

/** One group or variant's outcome on a goal. Rates are `null` while nobody is exposed. */
export interface GroupOutcome {
  /** `treatment`, `global-control`, or a split's variant name (`holdout` for its holdout). */
  readonly name: string;
  /** Customers who could convert: the group's `entered`, or the split's `assigned:<variant>`. */
  readonly exposed: number;
  readonly converted: number;
  readonly conversionRate: number | null;
  /** The sum of conversion values (revenue). */
  readonly value: number;
  /** The sum over customers of the square of each one's total value (for the variance). */
  readonly valueSq: number;
  /** `value / exposed`: customers without a conversion count as 0. */
  readonly revenuePerCustomer: number | null;
}

/** `treatment` against `control` on one goal: both tests, or why they could not run. */
export interface GroupComparison {
  readonly treatment: string;
  readonly control: string;
  readonly conversionRate: ProportionReadout;
  readonly revenuePerCustomer: MeanReadout;
}

export interface SplitOutcome {
  readonly stepId: string;
  /** The variants in definition order, then the holdout. */
  readonly variants: readonly GroupOutcome[];
  /** Each variant against the holdout, or with no holdout against the first variant. */
  readonly comparisons: readonly GroupComparison[];
}

export interface GoalReadout {
  readonly goalId: string;
  readonly event: string;
  readonly windowDays: number;
  readonly from: 'entry' | 'lastSend';
  readonly valueProperty: string;
  /** `treatment` (customers the journey may message) and `global-control` (the engine-wide control group). */
  readonly groups: readonly GroupOutcome[];
  /** Treatment against global control. */
  readonly groupComparison: GroupComparison;
  readonly splits: readonly SplitOutcome[];
}

/** Conversions credited to a send step as the run's last touch before converting. */
export interface StepAttribution {
  readonly goalId: string;
  readonly converted: number;
  readonly value: number;
}

export interface StepReadout {
  readonly stepId: string;
  readonly type: Step['type'];
  /** Send steps only. */
  readonly channel?: 'email' | 'sms' | 'push';
  readonly sent: number;
  /** Total of `suppressed`, whose reasons follow. */
  readonly suppressedTotal: number;
  readonly suppressed: Readonly<Record<string, number>>;
  readonly deferred: number;
  readonly failed: number;
  readonly delivered: number;
  readonly opened: number;
  readonly clicked: number;
  readonly bounced: number;
  readonly complained: number;
  readonly unsubscribed: number;
  /** Branch steps: customers per path (`otherwise` included). */
  readonly paths?: Readonly<Record<string, number>>;
  /** Split steps: customers assigned per variant (`holdout` included). */
  readonly assigned?: Readonly<Record<string, number>>;
  readonly attributed: readonly StepAttribution[];
}

export interface JourneyReadout {
  readonly journeyId: string;
  readonly name: string;
  readonly confidence: number;
  /** The tests behind the comparisons, in words. */
  readonly method: {
    readonly conversionRate: string;
    readonly revenuePerCustomer: string;
    readonly sampleRules: string;
  };
  readonly totals: {
    readonly entered: number;
    /** Entered minus every way a run ends. */
    readonly inProgress: number;
    /** Ended runs by reason: `completed`, `holdout`, `failed`, `exit_criteria`, `goal:<goalId>`... */
    readonly exited: Readonly<Record<string, number>>;
  };
  readonly steps: readonly StepReadout[];
  readonly goals: readonly GoalReadout[];
}

export interface ReadoutOptions {
  /**
   * The confidence level of the intervals and of `significant`.
   * @default 0.95
   */
  readonly confidence?: number;
}

const METHOD = {
  conversionRate:
    'two-sided two-proportion z-test: pooled standard error for z and the p-value, Wald interval for the difference, delta-method interval on the log rate ratio for the relative lift',
  revenuePerCustomer:
    "two-sided Welch's unequal-variance t-test on value per exposed customer (a customer without a conversion counts as 0), Welch-Satterthwaite degrees of freedom",
  sampleRules:
    'not enough data yet while a group has fewer than 30 exposed customers, or fewer than 5 expected conversions or non-conversions at the pooled rate',
} as const;

const RUN_ENDINGS = ['completed', 'holdout', 'failed'] as const;
const EXITED_PREFIX = 'exited:';

/**
 * Read a journey's counters back as a readout: totals, every step in definition order, and per
 * goal every group and split variant with its comparisons (two-proportion z-test on the conversion
 * rate, Welch's t on revenue per customer). Counters of any variant are summed per step.
 *
 * @example
 * const readout = buildReadout(winBack, await journeyStore.readCounters('win-back'));
 * readout.goals[0].splits[0].comparisons[0].conversionRate;
 * // { status: 'compared', relativeLift: { estimate: 1.97, interval: { ... } }, pValue: 0.00003, ... }
 * // or { status: 'insufficient_data', reason: 'each group needs at least 30 exposed customers ...' }
 */
export function buildReadout(journey: JourneyDefinition, counters: readonly CounterIncrement[], options: ReadoutOptions = {}): JourneyReadout {
  const confidence = options.confidence ?? 0.95;
  const read = counterIndex(counters);
  const goals = journey.goals ?? [];

  const exited: Record<string, number> = {};
  for (const ending of RUN_ENDINGS) exited[ending] = read.get(ALL, ALL, ending);
  exited.exit_criteria = 0;
  for (const goal of goals) exited[`goal:${goal.id}`] = 0;
  for (const [metric, count] of Object.entries(read.byPrefix(ALL, EXITED_PREFIX, ALL))) exited[metric] = count;
  const entered = read.get(ALL, ALL, 'entered');
  const ended = Object.values(exited).reduce((sum, count) => sum + count, 0);

  return {
    journeyId: journey.id,
    name: journey.name,
    confidence,
    method: METHOD,
    totals: { entered, inProgress: entered - ended, exited },
    steps: journey.steps.map((step) => stepReadout(step, goals, read)),
    goals: goals.map((goal) => goalReadout(goal, journey.steps, read, confidence)),
  };
}

function stepReadout(step: Step, goals: readonly Goal[], read: CounterIndex): StepReadout {
  const total = (metric: string) => read.sum(step.id, metric);
  const suppressed = read.byPrefix(step.id, 'suppressed:');
  return {
    stepId: step.id,
    type: step.type,
    ...(step.type === 'send' && { channel: step.channel }),
    sent: total('sent'),
    suppressedTotal: Object.values(suppressed).reduce((sum, count) => sum + count, 0),
    suppressed,
    deferred: total('deferred'),
    failed: total('failed'),
    delivered: total('delivered'),
    opened: total('opened'),
    clicked: total('clicked'),
    bounced: total('bounced'),
    complained: total('complained'),
    unsubscribed: total('unsubscribed'),
    ...(step.type === 'branch' && {
      paths: Object.fromEntries([...step.paths.map((path) => path.name), 'otherwise'].map((name) => [name, total(`branch:${name}`)])),
    }),
    ...(step.type === 'split' && {
      assigned: Object.fromEntries(variantsOf(step).map((name) => [name, total(counterMetric.assigned(name))])),
    }),
    attributed: goals.map((goal) => ({
      goalId: goal.id,
      converted: read.get(step.id, ALL, counterMetric.converted(goal.id)),
      value: read.get(step.id, ALL, counterMetric.value(goal.id)),
    })),
  };
}

function goalReadout(goal: Goal, steps: readonly Step[], read: CounterIndex, confidence: number): GoalReadout {
  const outcome = (name: string, stepId: string, variant: string, exposed: number): GroupOutcome => {
    const value = read.get(stepId, variant, counterMetric.value(goal.id));
    const converted = read.get(stepId, variant, counterMetric.converted(goal.id));
    return {
      name,
      exposed,
      converted,
      conversionRate: exposed > 0 ? converted / exposed : null,
      value,
      valueSq: read.get(stepId, variant, counterMetric.valueSq(goal.id)),
      revenuePerCustomer: exposed > 0 ? value / exposed : null,
    };
  };
  const treatment = outcome('treatment', ALL, TREATMENT_GROUP, read.get(ALL, TREATMENT_GROUP, 'entered'));
  const globalControl = outcome('global-control', ALL, GLOBAL_CONTROL_GROUP, read.get(ALL, GLOBAL_CONTROL_GROUP, 'entered'));
  const splits = steps.flatMap((step) => {
    if (step.type !== 'split') return [];
    // Exposure is `assigned:<variant>` under any variant key (`*` in the vocabulary, the variant itself from the task).
    const variants = variantsOf(step).map((name) => outcome(name, step.id, name, read.sum(step.id, counterMetric.assigned(name))));
    const [control, ...others] = step.holdout ? [variants[variants.length - 1], ...variants.slice(0, -1)] : variants;
    return [{ stepId: step.id, variants, comparisons: others.map((variant) => compareGroups(variant, control, confidence)) }];
  });
  return {
    goalId: goal.id,
    event: goal.event,
    windowDays: goal.windowDays,
    from: goal.from ?? 'entry',
    valueProperty: goal.valueProperty ?? 'revenue',
    groups: [treatment, globalControl],
    groupComparison: compareGroups(treatment, globalControl, confidence),
    splits,
  };
}

/**
 * Both tests of `treatment` against `control` with the stats module; counters that no experiment
 * can produce (more conversions than exposed customers, e.g. a customer converting in two runs)
 * come back as {@link InconsistentCounters} rather than an exception.
 *
 * @example
 * compareGroups(offer, holdout, 0.95).conversionRate.status; // 'compared'
 */
export function compareGroups(treatment: GroupOutcome, control: GroupOutcome, confidence: number): GroupComparison {
  return {
    treatment: treatment.name,
    control: control.name,
    conversionRate: unlessInconsistent(() =>
      compareProportions({ conversions: treatment.converted, exposed: treatment.exposed }, { conversions: control.converted, exposed: control.exposed }, { confidence }),
    ),
    revenuePerCustomer: unlessInconsistent(() =>
      compareMeans(summaryFromSums(treatment.exposed, treatment.value, treatment.valueSq), summaryFromSums(control.exposed, control.value, control.valueSq), { confidence }),
    ),
  };
}

function unlessInconsistent<T>(compare: () => T): T | InconsistentCounters {
  try {
    return compare();
  } catch (error) {
    if (!(error instanceof InvalidMeasurementInputError)) throw error;
    return { status: 'inconsistent_counters', reason: `the counters contradict each other: ${error.message}` };
  }
}

function variantsOf(step: Extract<Step, { type: 'split' }>): string[] {
  return [...step.variants.map((variant) => variant.name), ...(step.holdout ? [HOLDOUT] : [])];
}

interface CounterIndex {
  /** One (step, variant, metric) counter; 0 when never written. */
  get(stepId: string, variant: string, metric: string): number;
  /** A step's metric summed over every variant. */
  sum(stepId: string, metric: string): number;
  /** `prefix<rest>` metrics of a step (one variant, or all summed) as `{ rest: count }`. */
  byPrefix(stepId: string, prefix: string, variant?: string): Record<string, number>;
}

function counterIndex(counters: readonly CounterIncrement[]): CounterIndex {
  const exact = new Map<string, number>();
  const add = (key: string, by: number) => exact.set(key, (exact.get(key) ?? 0) + by);
  for (const counter of counters) add(`${counter.stepId}\u0000${counter.variant}\u0000${counter.metric}`, counter.by);
  return {
    get: (stepId, variant, metric) => exact.get(`${stepId}\u0000${variant}\u0000${metric}`) ?? 0,
    sum: (stepId, metric) => counters.filter((c) => c.stepId === stepId && c.metric === metric).reduce((sum, c) => sum + c.by, 0),
    byPrefix: (stepId, prefix, variant) => {
      const found: Record<string, number> = {};
      for (const c of counters) {
        if (c.stepId !== stepId || !c.metric.startsWith(prefix) || (variant !== undefined && c.variant !== variant)) continue;
        const rest = c.metric.slice(prefix.length);
        found[rest] = (found[rest] ?? 0) + c.by;
      }
      return found;
    },
  };
}

// --- Formatting ---------------------------------------------------------------------------------

/**
 * The readout as a fixed-width text table for a terminal: journey totals, steps, then per goal
 * each split's variants and the groups with their comparisons. Every number is a rendering of a
 * number of the readout (counts as is, rates as percentages, amounts to two decimals), so the
 * table and the JSON always agree.
 *
 * @example
 * console.log(formatReadout(readout));
 * //     offer vs holdout
 * //       conversion rate   +20.0 pp [95% CI +12.3, +27.7]  lift +200.0% [95% CI +63.5%, +450.3%]  z=4.35  p=1.4e-5
 */
export function formatReadout(readout: JourneyReadout): string {
  const level = percent(readout.confidence, 0);
  const { totals } = readout;
  const lines = [
    `Journey ${readout.journeyId}: ${readout.name}  (confidence ${level})`,
    `  entered ${count(totals.entered)}  in progress ${count(totals.inProgress)}  ${Object.entries(totals.exited).map(([reason, n]) => `${reason} ${count(n)}`).join('  ')}`,
    '',
    ...formatSteps(readout.steps),
    ...readout.goals.flatMap((goal) => ['', ...formatGoal(goal, level)]),
    '',
    `Method: conversion rate: ${readout.method.conversionRate}.`,
    `        revenue per customer: ${readout.method.revenuePerCustomer}.`,
    `        ${readout.method.sampleRules}.`,
  ];
  return `${lines.join('\n')}\n`;
}

const STEP_COLUMNS = [
  ['sent', 'sent'],
  ['suppressedTotal', 'suppressed'],
  ['deferred', 'deferred'],
  ['failed', 'failed'],
  ['delivered', 'delivered'],
  ['opened', 'opened'],
  ['clicked', 'clicked'],
  ['bounced', 'bounced'],
  ['complained', 'complained'],
  ['unsubscribed', 'unsubscribed'],
] as const;

function formatSteps(steps: readonly StepReadout[]): string[] {
  const width = Math.max(4, ...steps.map((step) => step.stepId.length)) + 2;
  const header = `${'Steps'.padEnd(width + 2)}${'type'.padEnd(14)}${'channel'.padEnd(8)}${STEP_COLUMNS.map(([, title]) => title.padStart(title.length + 2)).join('')}`;
  return [
    header,
    ...steps.flatMap((step) => {
      // Message counts mean something for sends only; other steps show their paths or variants below.
      const cells = step.type === 'send' ? STEP_COLUMNS.map(([key, title]) => count(step[key]).padStart(title.length + 2)).join('') : '';
      const row = `  ${step.stepId.padEnd(width)}${step.type.padEnd(14)}${(step.channel ?? '').padEnd(8)}${cells}`.trimEnd();
      const details = [
        ...(step.suppressedTotal > 0 ? [`suppressed: ${counts(step.suppressed)}`] : []),
        ...(step.paths ? [`paths: ${counts(step.paths)}`] : []),
        ...(step.assigned ? [`assigned: ${counts(step.assigned)}`] : []),
        ...step.attributed.filter((a) => a.converted > 0 || a.value !== 0).map((a) => `last touch before ${a.goalId}: ${count(a.converted)} converted, value ${amount(a.value)}`),
      ];
      return [row, ...details.map((detail) => `      ${detail}`)];
    }),
  ];
}

function formatGoal(goal: GoalReadout, level: string): string[] {
  const width = Math.max(16, ...goal.splits.flatMap((split) => split.variants.map((v) => v.name.length))) + 2;
  const table = (title: string, outcomes: readonly GroupOutcome[]) => [
    `  ${title.padEnd(width + 2)}${'exposed'.padStart(9)}${'converted'.padStart(11)}${'rate'.padStart(8)}${'value'.padStart(16)}${'per customer'.padStart(15)}`,
    ...outcomes.map(
      (o) =>
        `    ${o.name.padEnd(width)}${count(o.exposed).padStart(9)}${count(o.converted).padStart(11)}${(o.conversionRate === null ? '-' : percent(o.conversionRate, 1)).padStart(8)}` +
        `${amount(o.value).padStart(16)}${(o.revenuePerCustomer === null ? '-' : amount(o.revenuePerCustomer)).padStart(15)}`,
    ),
  ];
  const comparison = (c: GroupComparison) => [
    `    ${c.treatment} vs ${c.control}`,
    `      conversion rate   ${formatProportion(c.conversionRate, level)}`,
    `      revenue/customer  ${formatMean(c.revenuePerCustomer, level)}`,
  ];
  return [
    `Goal ${goal.goalId}: ${goal.event} within ${count(goal.windowDays)} days of ${goal.from === 'entry' ? 'entry' : 'the last send'}, value from "${goal.valueProperty}"`,
    ...goal.splits.flatMap((split) => [...table(`split ${split.stepId}`, split.variants), ...split.comparisons.flatMap(comparison)]),
    ...table('groups', goal.groups),
    ...comparison(goal.groupComparison),
  ];
}

function formatProportion(result: ProportionReadout, level: string): string {
  if (result.status !== 'compared') return notCompared(result);
  const { difference, relativeLift } = result;
  return [
    `${signed(difference.estimate * 100, 1)} pp${interval(difference.interval, level, (x) => signed(x * 100, 1))}`,
    lift(relativeLift, level),
    `z=${fixed(result.z, 2)}`,
    `p=${pValue(result.pValue)}`,
  ].join('  ');
}

function formatMean(result: MeanReadout, level: string): string {
  if (result.status !== 'compared') return notCompared(result);
  const { difference, relativeLift } = result;
  return [
    `${signedAmount(difference.estimate)}${interval(difference.interval, level, signedAmount)}`,
    lift(relativeLift, level),
    `t=${fixed(result.t, 2)}`,
    `df=${fixed(result.degreesOfFreedom, 1)}`,
    `p=${pValue(result.pValue)}`,
  ].join('  ');
}

function notCompared(result: NotEnoughData | InconsistentCounters): string {
  return result.status === 'insufficient_data' ? `not enough data yet: ${result.reason}` : `not compared: ${result.reason}`;
}

function lift(estimate: ProportionComparison['relativeLift'], level: string): string {
  if (estimate === undefined) return 'lift n/a (control is 0)';
  return `lift ${signed(estimate.estimate * 100, 1)}%${interval(estimate.interval, level, (x) => `${signed(x * 100, 1)}%`)}`;
}

function interval(range: { lower: number; upper: number } | undefined, level: string, show: (x: number) => string): string {
  return range === undefined ? '' : ` [${level} CI ${show(range.lower)}, ${show(range.upper)}]`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function counts(record: Readonly<Record<string, number>>): string {
  return Object.entries(record).map(([name, n]) => `${name} ${count(n)}`).join(', ');
}

function amount(x: number): string {
  return x.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

function signedAmount(x: number): string {
  return `${x >= 0 ? '+' : '-'}${amount(Math.abs(x))}`;
}

function percent(rate: number, digits: number): string {
  return `${(rate * 100).toFixed(digits)}%`;
}

function signed(x: number, digits: number): string {
  const text = Math.abs(x).toFixed(digits);
  return `${x < 0 && Number(text) !== 0 ? '-' : '+'}${text}`;
}

function fixed(x: number, digits: number): string {
  return x.toFixed(digits);
}

function pValue(p: number): string {
  return p >= 0.001 ? p.toFixed(3) : p.toExponential(1);
}
