import type { JourneyDefinition } from '../../lib/core/journeys/definition';
import { buildReadout, formatReadout, type JourneyReadout } from '../../lib/core/measurement/readout';
import { compareMeans, compareProportions, summaryFromSums } from '../../lib/core/measurement/stats';
import type { CounterIncrement } from '../../lib/core/ports';

// A win-back journey: a branch, a split with a holdout, an email, a goal with revenue.
const winBack: JourneyDefinition = {
  id: 'win-back',
  name: 'Win back lapsed customers',
  entry: { type: 'api' },
  goals: [{ id: 'order', event: 'Order Completed', windowDays: 14, valueProperty: 'revenue' }],
  startAt: 'value',
  steps: [
    { id: 'value', type: 'branch', paths: [{ name: 'high', segmentId: 'high-value', next: 'holdout-test' }], otherwise: 'done' },
    { id: 'holdout-test', type: 'split', variants: [{ name: 'offer', weight: 80, next: 'send-offer' }], holdout: { weight: 20 } },
    { id: 'send-offer', type: 'send', channel: 'email', template: 'winback-offer', next: 'done' },
    { id: 'done', type: 'exit' },
  ],
};

const c = (stepId: string, variant: string, metric: string, by: number): CounterIncrement => ({ stepId, variant, metric, by });

/** Revenue counters of `converted` customers who each ordered once for `revenue`. */
const orders = (stepId: string, variant: string, converted: number, revenue: number): CounterIncrement[] => [
  c(stepId, variant, 'converted:order', converted),
  c(stepId, variant, 'value:order', converted * revenue),
  c(stepId, variant, 'valueSq:order', converted * revenue * revenue),
];

const counters: CounterIncrement[] = [
  c('*', '*', 'entered', 500),
  c('*', '*', 'completed', 380),
  c('*', '*', 'holdout', 80),
  c('*', '*', 'failed', 2),
  c('*', '*', 'exited:exit_criteria', 10),
  c('*', '*', 'exited:goal:order', 3),
  c('*', 'group:treatment', 'entered', 500),
  ...orders('*', 'group:treatment', 104, 150_000),
  c('value', '*', 'branch:high', 400),
  c('value', '*', 'branch:otherwise', 100),
  // The task writes `assigned:<v>` under the variant; the vocabulary says `*`: both are summed.
  c('holdout-test', 'offer', 'assigned:offer', 300),
  c('holdout-test', '*', 'assigned:offer', 20),
  c('holdout-test', 'holdout', 'assigned:holdout', 80),
  ...orders('holdout-test', 'offer', 96, 150_000),
  ...orders('holdout-test', 'holdout', 8, 150_000),
  c('send-offer', 'offer', 'sent', 300),
  c('send-offer', '*', 'sent', 5),
  c('send-offer', 'offer', 'suppressed:no_consent', 12),
  c('send-offer', 'offer', 'suppressed:frequency_cap', 3),
  c('send-offer', 'offer', 'deferred', 7),
  c('send-offer', 'offer', 'failed', 1),
  c('send-offer', 'offer', 'delivered', 290),
  c('send-offer', 'offer', 'opened', 120),
  c('send-offer', 'offer', 'clicked', 40),
  c('send-offer', 'offer', 'bounced', 4),
  c('send-offer', 'offer', 'complained', 1),
  c('send-offer', 'offer', 'unsubscribed', 2),
  c('send-offer', '*', 'converted:order', 90),
  c('send-offer', '*', 'value:order', 13_500_000),
];

describe('buildReadout', () => {
  it('counts the journey totals, and in progress as entered minus every way a run ends', () => {
    // Act
    const readout = buildReadout(winBack, counters);

    // Assess
    expect(readout.totals).toEqual({
      entered: 500,
      inProgress: 500 - 380 - 80 - 2 - 10 - 3,
      exited: { completed: 380, holdout: 80, failed: 2, exit_criteria: 10, 'goal:order': 3 },
    });
    expect(readout).toMatchObject({ journeyId: 'win-back', name: 'Win back lapsed customers', confidence: 0.95 });
    expect(readout.method.conversionRate).toContain('two-proportion z-test');
    expect(readout.method.revenuePerCustomer).toContain("Welch's");
  });

  it('reads every step in definition order, summing variants, with paths, assignments and last-touch conversions', () => {
    // Act
    const [value, split, send, done] = buildReadout(winBack, counters).steps;

    // Assess
    expect(value).toMatchObject({ stepId: 'value', type: 'branch', paths: { high: 400, otherwise: 100 } });
    expect(split).toMatchObject({ stepId: 'holdout-test', type: 'split', assigned: { offer: 320, holdout: 80 } });
    expect(send).toEqual({
      stepId: 'send-offer',
      type: 'send',
      channel: 'email',
      sent: 305,
      suppressedTotal: 15,
      suppressed: { no_consent: 12, frequency_cap: 3 },
      deferred: 7,
      failed: 1,
      delivered: 290,
      opened: 120,
      clicked: 40,
      bounced: 4,
      complained: 1,
      unsubscribed: 2,
      attributed: [{ goalId: 'order', converted: 90, value: 13_500_000 }],
    });
    expect(done).toMatchObject({ stepId: 'done', type: 'exit', sent: 0, attributed: [{ goalId: 'order', converted: 0, value: 0 }] });
    expect(done).not.toHaveProperty('channel');
  });

  it('gives each variant and group its exposure, conversions, rate, revenue and revenue per customer', () => {
    // Act
    const [goal] = buildReadout(winBack, counters).goals;

    // Assess
    expect(goal).toMatchObject({ goalId: 'order', event: 'Order Completed', windowDays: 14, from: 'entry', valueProperty: 'revenue' });
    expect(goal.splits[0].stepId).toBe('holdout-test');
    expect(goal.splits[0].variants).toEqual([
      { name: 'offer', exposed: 320, converted: 96, conversionRate: 0.3, value: 14_400_000, valueSq: 96 * 150_000 ** 2, revenuePerCustomer: 45_000 },
      { name: 'holdout', exposed: 80, converted: 8, conversionRate: 0.1, value: 1_200_000, valueSq: 8 * 150_000 ** 2, revenuePerCustomer: 15_000 },
    ]);
    expect(goal.groups).toEqual([
      { name: 'treatment', exposed: 500, converted: 104, conversionRate: 0.208, value: 15_600_000, valueSq: 104 * 150_000 ** 2, revenuePerCustomer: 31_200 },
      { name: 'global-control', exposed: 0, converted: 0, conversionRate: null, value: 0, valueSq: 0, revenuePerCustomer: null },
    ]);
  });

  it('compares each variant with the holdout exactly as the stats module does on the same counts', () => {
    // Act
    const [comparison] = buildReadout(winBack, counters).goals[0].splits[0].comparisons;

    // Assess
    expect(comparison.treatment).toBe('offer');
    expect(comparison.control).toBe('holdout');
    expect(comparison.conversionRate).toEqual(compareProportions({ conversions: 96, exposed: 320 }, { conversions: 8, exposed: 80 }));
    expect(comparison.revenuePerCustomer).toEqual(
      compareMeans(summaryFromSums(320, 14_400_000, 96 * 150_000 ** 2), summaryFromSums(80, 1_200_000, 8 * 150_000 ** 2)),
    );
    expect(comparison.conversionRate).toMatchObject({ status: 'compared', relativeLift: { estimate: expect.closeTo(2, 12) }, significant: true });
  });

  it('compares with the first variant when the split has no holdout, at the confidence asked for', () => {
    // Prepare
    const abTest: JourneyDefinition = {
      ...winBack,
      steps: [{ id: 'subject-test', type: 'split', variants: [{ name: 'a', weight: 50, next: 'done' }, { name: 'b', weight: 50, next: 'done' }, { name: 'c', weight: 50, next: 'done' }] }, { id: 'done', type: 'exit' }],
      startAt: 'subject-test',
    };
    const abCounters = [
      c('subject-test', 'a', 'assigned:a', 200), ...orders('subject-test', 'a', 20, 100),
      c('subject-test', 'b', 'assigned:b', 200), ...orders('subject-test', 'b', 30, 100),
      c('subject-test', 'c', 'assigned:c', 200), ...orders('subject-test', 'c', 25, 100),
    ];

    // Act
    const readout = buildReadout(abTest, abCounters, { confidence: 0.9 });

    // Assess
    const { comparisons } = readout.goals[0].splits[0];
    expect(comparisons.map((x) => [x.treatment, x.control])).toEqual([['b', 'a'], ['c', 'a']]);
    expect(comparisons[0].conversionRate).toEqual(compareProportions({ conversions: 30, exposed: 200 }, { conversions: 20, exposed: 200 }, { confidence: 0.9 }));
    expect(readout.confidence).toBe(0.9);
  });

  it('compares treatment with the global control group', () => {
    // Prepare
    const withControl = [...counters, c('*', 'group:global-control', 'entered', 60), ...orders('*', 'group:global-control', 6, 150_000)];

    // Act
    const { groupComparison } = buildReadout(winBack, withControl).goals[0];

    // Assess
    expect(groupComparison.treatment).toBe('treatment');
    expect(groupComparison.control).toBe('global-control');
    expect(groupComparison.conversionRate).toEqual(compareProportions({ conversions: 104, exposed: 500 }, { conversions: 6, exposed: 60 }));
    expect(groupComparison.revenuePerCustomer).toEqual(
      compareMeans(summaryFromSums(500, 15_600_000, 104 * 150_000 ** 2), summaryFromSums(60, 900_000, 6 * 150_000 ** 2)),
    );
  });

  it('says "not enough data yet" below the sample rules instead of comparing', () => {
    // Prepare: 20 holdout customers (< 30), and no global control at all.
    const small = [c('holdout-test', 'offer', 'assigned:offer', 80), ...orders('holdout-test', 'offer', 10, 1000), c('holdout-test', 'holdout', 'assigned:holdout', 20), ...orders('holdout-test', 'holdout', 1, 1000), c('*', 'group:treatment', 'entered', 100)];

    // Act
    const [goal] = buildReadout(winBack, small).goals;

    // Assess
    expect(goal.splits[0].comparisons[0].conversionRate).toEqual({
      status: 'insufficient_data',
      reason: 'each group needs at least 30 exposed customers (treatment has 80, control 20)',
      needed: { perGroup: 46 },
    });
    expect(goal.splits[0].comparisons[0].revenuePerCustomer).toMatchObject({ status: 'insufficient_data', reason: 'each group needs at least 30 customers (treatment has 80, control 20)' });
    expect(goal.groupComparison.conversionRate).toMatchObject({ status: 'insufficient_data', reason: expect.stringContaining('control 0') });
  });

  it('returns counters that contradict each other as a value, not an exception', () => {
    // Prepare: conversions counted for a variant nobody was assigned to (yet).
    const contradictory = [...orders('holdout-test', 'offer', 5, 100)];

    // Act
    const [comparison] = buildReadout(winBack, contradictory).goals[0].splits[0].comparisons;

    // Assess
    expect(comparison.conversionRate).toEqual({
      status: 'inconsistent_counters',
      reason: 'the counters contradict each other: treatment.conversions: cannot exceed treatment.exposed (5 > 0)',
    });
  });

  it('reads a journey without goals: totals and steps, no goals and no attribution', () => {
    // Prepare
    const { goals: _goals, ...noGoals } = winBack;

    // Act
    const readout = buildReadout(noGoals, [c('*', '*', 'entered', 3), c('*', '*', 'completed', 1), c('send-offer', '*', 'sent', 2)]);

    // Assess
    expect(readout.goals).toEqual([]);
    expect(readout.totals).toEqual({ entered: 3, inProgress: 2, exited: { completed: 1, holdout: 0, failed: 0, exit_criteria: 0 } });
    expect(readout.steps.map((step) => [step.stepId, step.sent, step.attributed])).toEqual([['value', 0, []], ['holdout-test', 0, []], ['send-offer', 2, []], ['done', 0, []]]);
    expect(formatReadout(readout)).not.toContain('Goal');
  });

  it('is a JSON value: it survives a round trip unchanged', () => {
    // Act
    const readout = buildReadout(winBack, counters);

    // Assess
    expect(JSON.parse(JSON.stringify(readout))).toEqual(readout);
  });
});

describe('formatReadout', () => {
  const readout = buildReadout(winBack, [...counters, c('*', 'group:global-control', 'entered', 60), ...orders('*', 'group:global-control', 6, 150_000)]);
  const table = formatReadout(readout);

  it('prints totals, steps, variants and the comparisons with lift, confidence interval and p-value', () => {
    // Assess
    const comparison = readout.goals[0].splits[0].comparisons[0].conversionRate;
    if (comparison.status !== 'compared') throw new Error('expected a comparison');
    expect(table).toContain('entered 500  in progress 25  completed 380  holdout 80  failed 2  exit_criteria 10  goal:order 3');
    expect(table).toMatch(/send-offer\s+send\s+email\s+305\s+15\s+7\s+1\s+290\s+120\s+40\s+4\s+1\s+2\n/);
    expect(table).toContain('suppressed: no_consent 12, frequency_cap 3');
    expect(table).toContain('assigned: offer 320, holdout 80');
    expect(table).toContain('last touch before order: 90 converted, value 13,500,000');
    expect(table).toMatch(/offer\s+320\s+96\s+30\.0%\s+14,400,000\s+45,000\n/);
    expect(table).toMatch(/holdout\s+80\s+8\s+10\.0%\s+1,200,000\s+15,000\n/);
    expect(table).toContain('offer vs holdout');
    expect(table).toContain(`+20.0 pp [95% CI +${(comparison.difference.interval!.lower * 100).toFixed(1)}, +${(comparison.difference.interval!.upper * 100).toFixed(1)}]`);
    expect(table).toMatch(/lift \+200\.0% \[95% CI \+\d+\.\d%, \+\d+\.\d%\]  z=\d\.\d\d  p=/);
    expect(table).toContain('treatment vs global-control');
  });

  it('prints "not enough data yet" with the reason', () => {
    // Act
    const text = formatReadout(buildReadout(winBack, [c('holdout-test', 'offer', 'assigned:offer', 10), c('holdout-test', 'holdout', 'assigned:holdout', 10)]));

    // Assess
    expect(text).toContain('conversion rate   not enough data yet: each group needs at least 30 exposed customers (treatment has 10, control 10)');
  });

  it('shows only numbers that are in the JSON readout', () => {
    // Prepare: every way the table renders a number, applied to every number (and numeral in a string) of the JSON.
    const renderings = new Set<string>();
    const render = (x: number) => {
      for (const y of [x, x * 100]) {
        const magnitude = Math.abs(y);
        for (const digits of [0, 1, 2, 3]) renderings.add(magnitude.toFixed(digits));
        renderings.add(magnitude.toLocaleString('en-US', { maximumFractionDigits: 2 }).replace(/,/g, ''));
        renderings.add(magnitude.toExponential(1));
      }
    };
    const walk = (value: unknown): void => {
      if (typeof value === 'number') render(value);
      else if (typeof value === 'string') for (const numeral of value.match(/\d+(\.\d+)?/g) ?? []) render(Number(numeral));
      else if (value !== null && typeof value === 'object') Object.values(value).forEach(walk);
    };
    walk(JSON.parse(JSON.stringify(readout)) as JourneyReadout);

    // Act: the numbers of the table, without sign, thousands separators or unit.
    const shown = table.match(/(?<![\w.-])[+-]?\d[\d,]*(\.\d+)?(e[+-]\d+)?/g) ?? [];

    // Assess
    expect(shown.length).toBeGreaterThan(60);
    expect(shown.map((token) => token.replace(/^[+-]/, '').replace(/,/g, '')).filter((token) => !renderings.has(token))).toEqual([]);
  });
});
