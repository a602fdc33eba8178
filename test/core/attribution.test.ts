import type { CustomerEvent } from '../../lib/core/events';
import type { Goal, JourneyDefinition } from '../../lib/core/journeys/definition';
import { attributeConversions, conversionCounters, goalValue, type Conversion } from '../../lib/core/measurement/attribution';
import { RUN_HISTORY_LIMIT, appendRun, pruneRuns, recordSend, recordVariant } from '../../lib/core/measurement/runs';
import type { ActiveRun, JourneyState, Profile, RunRecord } from '../../lib/core/profile';
import { emptyProfile } from '../../lib/core/reducer';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const NOW = new Date(T0 + 30 * DAY);

const order: Goal = { id: 'order', event: 'Order Completed', windowDays: 7 };
const afterSend: Goal = { id: 'touch', event: 'Order Completed', windowDays: 3, from: 'lastSend' };

function journey(id: string, goals: Goal[], extra: Partial<JourneyDefinition> = {}): JourneyDefinition {
  return { id, name: id, entry: { type: 'event', event: 'Signed Up' }, goals, startAt: 'done', steps: [{ id: 'done', type: 'exit' }], ...extra };
}

function run(runId: string, enteredMs: number, extra: Partial<RunRecord> = {}): RunRecord {
  return { runId, enteredAt: at(enteredMs), variants: {}, group: 'treatment', conversions: {}, ...extra };
}

/** A profile with these runs of each journey; runs without `endedAt` are active. */
function profileWith(runs: Record<string, RunRecord[]>): Profile {
  const journeys: Record<string, JourneyState> = {};
  for (const [journeyId, records] of Object.entries(runs)) {
    const active: Record<string, ActiveRun> = {};
    for (const record of records) if (record.endedAt === undefined) active[record.entryKey ?? '_'] = { runId: record.runId, enteredAt: record.enteredAt, ...(record.entryKey && { entryKey: record.entryKey }) };
    journeys[journeyId] = { entries: records.length, active, recent: records };
  }
  return { ...emptyProfile('p_1', at(0)), journeys };
}

let seq = 0;
function track(event: string, ms: number, properties: Record<string, unknown> = { revenue: 100_000 }, source = 'web'): CustomerEvent {
  seq++;
  return { type: 'track', event, messageId: `m-${seq}`, userId: 'u-1', properties, traits: {}, context: {}, timestamp: at(ms), receivedAt: at(ms), source };
}

const summary = (conversions: readonly Conversion[]) => conversions.map((c) => `${c.journeyId}/${c.runId}/${c.goalId}`);

describe('attributeConversions: windows', () => {
  const welcome = journey('welcome', [order]);
  const touched = journey('welcome', [afterSend]);
  const sentAt = (ms: number) => ({ lastSend: { stepId: 'hello', at: at(ms) } });

  it.each<[string, JourneyDefinition, RunRecord, number, string[]]>([
    ['from entry: at the entry instant (start inclusive)', welcome, run('r1', 0), 0, ['welcome/r1/order']],
    ['from entry: 1 ms before the entry', welcome, run('r1', DAY), DAY - 1, []],
    ['from entry: 1 ms before the end', welcome, run('r1', 0), 7 * DAY - 1, ['welcome/r1/order']],
    ['from entry: exactly at the end (end exclusive)', welcome, run('r1', 0), 7 * DAY, []],
    ['from entry: long after the window', welcome, run('r1', 0), 20 * DAY, []],
    ['from last send: at the send instant', touched, run('r1', 0, sentAt(2 * DAY)), 2 * DAY, ['welcome/r1/touch']],
    ['from last send: 1 ms before its end', touched, run('r1', 0, sentAt(2 * DAY)), 5 * DAY - 1, ['welcome/r1/touch']],
    ['from last send: exactly at its end', touched, run('r1', 0, sentAt(2 * DAY)), 5 * DAY, []],
    ['from last send: after entry but before the send', touched, run('r1', 0, sentAt(2 * DAY)), DAY, []],
    ['from last send: nothing sent, no window', touched, run('r1', 0), DAY, []],
    ['from last send: a 3-day window that entry would have closed', touched, run('r1', 0, sentAt(6 * DAY)), 8 * DAY, ['welcome/r1/touch']],
    ['ended runs convert within their window', welcome, run('r1', 0, { endedAt: at(1), outcome: 'completed' }), 3 * DAY, ['welcome/r1/order']],
  ])('%s', (_name, definition, record, eventMs, expected) => {
    // Act
    const result = attributeConversions(profileWith({ welcome: [record] }), [track('Order Completed', eventMs)], [definition], NOW);

    // Assess
    expect(summary(result.conversions)).toEqual(expected);
  });
});

describe('attributeConversions: which runs convert', () => {
  it('lets every journey the customer is in claim the same order', () => {
    // Prepare
    const profile = profileWith({ welcome: [run('w1', 0)], 'win-back': [run('b1', DAY, { endedAt: at(DAY), outcome: 'holdout' })], other: [run('o1', 0)] });
    const journeys = [journey('welcome', [order]), journey('win-back', [{ ...order, windowDays: 14 }]), journey('other', [])];

    // Act
    const result = attributeConversions(profile, [track('Order Completed', 2 * DAY)], journeys, NOW);

    // Assess
    expect(summary(result.conversions)).toEqual(['welcome/w1/order', 'win-back/b1/order']);
  });

  it.each<[string, number, string]>([
    ['only the first run\'s window contains it', 2 * DAY, 'r1'],
    ['both windows contain it: the most recent run', 4 * DAY, 'r2'],
    ['only the second run\'s window contains it', 8 * DAY, 'r2'],
  ])('re-entry: %s', (_name, eventMs, expected) => {
    // Prepare: r1 entered on day 0 and ended on day 1, r2 entered on day 3.
    const profile = profileWith({ welcome: [run('r1', 0, { endedAt: at(DAY), outcome: 'completed' }), run('r2', 3 * DAY)] });

    // Act
    const result = attributeConversions(profile, [track('Order Completed', eventMs)], [journey('welcome', [order])], NOW);

    // Assess
    expect(result.conversions.map((c) => c.runId)).toEqual([expected]);
  });

  it('converts a run once per goal, and adds later values within the window to it', () => {
    // Prepare
    const profile = profileWith({ welcome: [run('r1', 0, { lastSend: { stepId: 'hello', at: at(0) } })] });
    const events = [track('Order Completed', DAY, { revenue: 100 }), track('Order Completed', 2 * DAY, { revenue: 50 }), track('Order Completed', 9 * DAY, { revenue: 1000 })];

    // Act
    const result = attributeConversions(profile, events, [journey('welcome', [order])], NOW);

    // Assess
    expect(result.conversions.map((c) => [c.first, c.previousValue, c.value, c.stepId])).toEqual([[true, 0, 100, 'hello'], [false, 100, 50, 'hello']]);
    expect(result.profile.journeys?.welcome.recent?.[0].conversions).toEqual({ order: { at: at(DAY), value: 150, stepId: 'hello' } });
  });

  it('keeps the first conversion on a later batch (the run on the profile already converted)', () => {
    // Prepare
    const converted = run('r1', 0, { conversions: { order: { at: at(DAY), value: 100 } } });

    // Act
    const result = attributeConversions(profileWith({ welcome: [converted] }), [track('Order Completed', 2 * DAY, { revenue: 20 })], [journey('welcome', [order])], NOW);

    // Assess
    expect(result.conversions).toEqual([expect.objectContaining({ first: false, previousValue: 100, value: 20 })]);
    expect(result.profile.journeys?.welcome.recent?.[0].conversions.order).toEqual({ at: at(DAY), value: 120 });
  });

  it('converts holdout and global control runs like any other, with their variant and group', () => {
    // Prepare: the holdout ended at once; the control customer's run is active but was never sent anything.
    const profile = profileWith({
      'win-back': [run('h1', 0, { endedAt: at(0), outcome: 'holdout', variants: { 'holdout-test': 'holdout' } })],
      welcome: [run('c1', 0, { group: 'global-control' })],
    });
    const journeys = [journey('win-back', [{ ...order, windowDays: 14 }]), journey('welcome', [order])];

    // Act
    const result = attributeConversions(profile, [track('Order Completed', DAY)], journeys, NOW);

    // Assess
    expect(result.conversions.map((c) => [c.journeyId, c.group, c.variants, c.stepId])).toEqual([
      ['win-back', 'treatment', { 'holdout-test': 'holdout' }, undefined],
      ['welcome', 'global-control', {}, undefined],
    ]);
  });

  it('credits the last send at or before the conversion, not a later one', () => {
    // Prepare: the profile only keeps the latest send, made after the (late-arriving) order.
    const profile = profileWith({ welcome: [run('r1', 0, { lastSend: { stepId: 'second', at: at(3 * DAY) } })] });

    // Act
    const result = attributeConversions(profile, [track('Order Completed', DAY)], [journey('welcome', [order])], NOW);

    // Assess
    expect(result.conversions[0].stepId).toBeUndefined();
  });

  it('matches the goal\'s filters and, with matchEntryKey, the run\'s entry key', () => {
    // Prepare: two carts in flight.
    const cartGoal: Goal = { ...order, matchEntryKey: true, where: [{ property: 'revenue', operator: 'gte', value: 50_000 }] };
    const cart = journey('cart', [cartGoal], { entryKey: 'cartId' });
    const profile = profileWith({ cart: [run('c-a', 0, { entryKey: 'a' }), run('c-b', DAY, { entryKey: 'b' })] });

    // Act
    const small = attributeConversions(profile, [track('Order Completed', 2 * DAY, { cartId: 'a', revenue: 10 })], [cart], NOW);
    const forA = attributeConversions(profile, [track('Order Completed', 2 * DAY, { cartId: 'a', revenue: 90_000 })], [cart], NOW);

    // Assess
    expect(small.conversions).toEqual([]);
    expect(forA.conversions.map((c) => c.runId)).toEqual(['c-a']);
  });

  it('never converts on engine events, other events or without runs', () => {
    // Prepare
    const profile = profileWith({ welcome: [run('r1', 0)] });
    const events = [track('Order Completed', DAY, {}, 'engine'), track('Cart Abandoned', DAY)];

    // Act
    const result = attributeConversions(profile, events, [journey('welcome', [order]), journey('none', [order])], NOW);

    // Assess
    expect(result).toEqual({ profile, conversions: [], exits: [] });
  });
});

describe('attributeConversions: exitOnConversion', () => {
  const exiting = journey('cart', [{ ...order, exitOnConversion: true }]);

  it('ends the active run it converts, and lists it to stop', () => {
    // Act
    const result = attributeConversions(profileWith({ cart: [run('r1', 0)] }), [track('Order Completed', DAY)], [exiting], NOW);

    // Assess
    expect(result.exits).toEqual([{ journeyId: 'cart', runId: 'r1', goalId: 'order' }]);
    expect(result.profile.journeys?.cart.active).toEqual({});
    expect(result.profile.journeys?.cart.lastOutcome).toEqual({ runId: 'r1', outcome: 'goal:order', at: NOW.toISOString() });
    expect(result.profile.journeys?.cart.recent?.[0]).toMatchObject({ endedAt: NOW.toISOString(), outcome: 'goal:order', conversions: { order: { value: 100_000 } } });
  });

  it('does not stop a run that already ended, and converts it all the same', () => {
    // Act
    const result = attributeConversions(profileWith({ cart: [run('r1', 0, { endedAt: at(1), outcome: 'completed' })] }), [track('Order Completed', DAY)], [exiting], NOW);

    // Assess
    expect(result.exits).toEqual([]);
    expect(result.conversions).toHaveLength(1);
  });

  it('does not exit a run on a goal it does not convert', () => {
    // Act
    const result = attributeConversions(profileWith({ cart: [run('r1', 0)] }), [track('Order Completed', 8 * DAY)], [exiting], NOW);

    // Assess
    expect(result).toMatchObject({ conversions: [], exits: [] });
  });
});

describe('goalValue', () => {
  it.each<[string, Record<string, unknown>, string | undefined, number]>([
    ['revenue by default', { revenue: 150_000, total: 1 }, undefined, 150_000],
    ['total when there is no revenue', { total: 90_000 }, undefined, 90_000],
    ['a numeric string', { revenue: '25000' }, undefined, 25_000],
    ['the configured property (dot path)', { payment: { amount: 50_000 } }, 'payment.amount', 50_000],
    ['total when the configured property is missing', { total: 7 }, 'amount', 7],
    ['0 without a value', {}, undefined, 0],
    ['0 for a value that is not a number', { revenue: 'lots' }, undefined, 0],
  ])('%s', (_name, properties, valueProperty, expected) => {
    expect(goalValue(track('Order Completed', 0, properties), { ...(valueProperty !== undefined && { valueProperty }) })).toBe(expected);
  });
});

describe('conversionCounters', () => {
  const base: Conversion = {
    journeyId: 'win-back', runId: 'r1', goalId: 'order', group: 'treatment', variants: { 'holdout-test': 'offer' }, stepId: 'send-offer',
    value: 100, previousValue: 0, first: true, at: at(0), messageId: 'm-1',
  };

  it('writes converted, value and valueSq at the group and each split variant, converted and value at the last touched step', () => {
    expect(conversionCounters(base)).toEqual([
      { stepId: '*', variant: 'group:treatment', metric: 'converted:order', by: 1 },
      { stepId: '*', variant: 'group:treatment', metric: 'value:order', by: 100 },
      { stepId: '*', variant: 'group:treatment', metric: 'valueSq:order', by: 10_000 },
      { stepId: 'holdout-test', variant: 'offer', metric: 'converted:order', by: 1 },
      { stepId: 'holdout-test', variant: 'offer', metric: 'value:order', by: 100 },
      { stepId: 'holdout-test', variant: 'offer', metric: 'valueSq:order', by: 10_000 },
      { stepId: 'send-offer', variant: '*', metric: 'converted:order', by: 1 },
      { stepId: 'send-offer', variant: '*', metric: 'value:order', by: 100 },
    ]);
  });

  it('adds value without a second conversion, keeping valueSq the square of the run total', () => {
    // Act: 100 then 50: the squares must sum to 150^2.
    const later = conversionCounters({ ...base, variants: {}, stepId: undefined, group: 'global-control', value: 50, previousValue: 100, first: false });

    // Assess
    expect(later).toEqual([
      { stepId: '*', variant: 'group:global-control', metric: 'value:order', by: 50 },
      { stepId: '*', variant: 'group:global-control', metric: 'valueSq:order', by: 150 ** 2 - 100 ** 2 },
    ]);
  });
});

describe('run history', () => {
  it('keeps the last runs, active ones and those ended within 90 days', () => {
    // Prepare
    const runs = [run('old', 0, { endedAt: at(DAY) }), run('recent', 60 * DAY, { endedAt: at(61 * DAY) }), run('long-active', 0)];
    const many = Array.from({ length: RUN_HISTORY_LIMIT + 3 }, (_, i) => run(`r${i}`, i * DAY));

    // Act
    const kept = pruneRuns(runs, new Date(T0 + 100 * DAY));

    // Assess
    expect(kept.map((r) => r.runId)).toEqual(['recent', 'long-active']);
    expect(pruneRuns(many, NOW).map((r) => r.runId)).toEqual(many.slice(-RUN_HISTORY_LIMIT).map((r) => r.runId));
  });

  it('records a run at entry, its variant at a split (sticky) and its last send', () => {
    // Prepare
    const state = appendRun({ entries: 1, active: { _: { runId: 'r1', enteredAt: at(0) } } }, run('r1', 0), NOW);
    const profile = { ...emptyProfile('p_1', at(0)), journeys: { welcome: state } };

    // Act
    const split = recordVariant(recordVariant(profile, 'welcome', 'r1', 'ab', 'b'), 'welcome', 'r1', 'ab', 'a');
    const sent = recordSend(split, 'welcome', 'r1', 'hello', at(DAY));

    // Assess
    expect(sent.journeys?.welcome.recent).toEqual([run('r1', 0, { variants: { ab: 'b' }, lastSend: { stepId: 'hello', at: at(DAY) } })]);
    expect(recordVariant(profile, 'welcome', 'unknown', 'ab', 'a')).toBe(profile);
  });
});
