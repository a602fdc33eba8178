import { SEGMENT_ENTERED, SEGMENT_EXITED, type CustomerEvent } from '../../lib/core/events';
import type { JourneyDefinition } from '../../lib/core/journeys/definition';
import { planJourneyActions, redeliveryActions, runIdFor } from '../../lib/core/journeys/entry';
import type { Profile, WaitingStep } from '../../lib/core/profile';
import { emptyProfile } from '../../lib/core/reducer';

const NOW = new Date('2026-11-05T12:00:00.000Z');
const HOUR = 3_600_000;

function journey(overrides: Partial<JourneyDefinition>): JourneyDefinition {
  return {
    id: 'welcome',
    name: 'Welcome',
    entry: { type: 'event', event: 'Signed Up' },
    startAt: 'done',
    steps: [{ id: 'done', type: 'exit' }],
    ...overrides,
  } as JourneyDefinition;
}
const cart = journey({
  id: 'cart',
  entry: { type: 'event', event: 'Cart Abandoned', where: [{ property: 'total', operator: 'gte', value: 100_000 }] },
  entryKey: 'cartId',
  reentry: { type: 'maxTimes', times: 100 },
  exitCriteria: { events: [{ event: 'Order Completed', matchEntryKey: true }] },
});
const vip = journey({ id: 'vip', entry: { type: 'segment', segmentId: 'vip' }, exitCriteria: { segmentExited: ['vip'] } });

let seq = 0;
function track(event: string, properties: Record<string, unknown> = {}, at = NOW): CustomerEvent {
  seq++;
  return { type: 'track', event, messageId: `m-${seq}`, userId: 'u-1', properties, traits: {}, context: {}, timestamp: at.toISOString(), receivedAt: at.toISOString(), source: 'web' };
}
function transition(kind: 'entered' | 'exited', segmentId: string): CustomerEvent {
  seq++;
  return { ...track(kind === 'entered' ? SEGMENT_ENTERED : SEGMENT_EXITED, { segmentId }), messageId: `engine:p_1:${seq}:${kind}:${segmentId}`, source: 'engine' };
}
const base = (): Profile => emptyProfile('p_1', NOW.toISOString());
const withState = (profile: Profile, journeyId: string, state: NonNullable<Profile['journeys']>[string]): Profile => ({ ...profile, journeys: { ...profile.journeys, [journeyId]: state } });

describe('planJourneyActions: entry triggers', () => {
  it.each([
    ['a matching event', 1, journey({}), [track('Signed Up')]],
    ['another event', 0, journey({}), [track('Logged In')]],
    ['an event whose where filter holds', 1, cart, [track('Cart Abandoned', { total: 150_000, cartId: 'c1' })]],
    ['an event whose where filter fails', 0, cart, [track('Cart Abandoned', { total: 50_000, cartId: 'c1' })]],
    ['a keyed event without its key', 0, cart, [track('Cart Abandoned', { total: 150_000 })]],
    ['the segment entered', 1, vip, [transition('entered', 'vip')]],
    ['another segment entered', 0, vip, [transition('entered', 'other')]],
    ['a customer event named like a transition', 0, vip, [track(SEGMENT_ENTERED, { segmentId: 'vip' })]],
    ['any event, for an api journey', 0, journey({ entry: { type: 'api' } }), [track('Signed Up')]],
  ])('%s -> %i start(s)', (_label, expected, definition, events) => {
    // Act
    const plan = planJourneyActions(base(), events, [definition], NOW);
    // Assess
    expect(plan.starts).toHaveLength(expected);
  });

  it('records the run on the profile with the entry event and a valid execution name', () => {
    // Prepare
    const event = track('Cart Abandoned', { total: 150_000, cartId: 'c1' });
    // Act
    const plan = planJourneyActions(base(), [event], [cart], NOW);
    // Assess
    const [start] = plan.starts;
    expect(start.runId).toBe(runIdFor('cart', 'p_1', 'c1', event.messageId));
    expect(start.runId).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect(start.input).toEqual({
      journeyId: 'cart', runId: start.runId, profileId: 'p_1', entryKey: 'c1', enteredAt: NOW.toISOString(),
      entryEvent: { messageId: event.messageId, event: 'Cart Abandoned', properties: event.properties, timestamp: event.timestamp },
    });
    expect(plan.profile.journeys?.cart).toEqual({
      entries: 1, lastEnteredAt: NOW.toISOString(),
      active: { c1: { runId: start.runId, enteredAt: NOW.toISOString(), entryKey: 'c1', entryMessageId: event.messageId } },
      recent: [{ runId: start.runId, entryKey: 'c1', enteredAt: NOW.toISOString(), variants: {}, group: 'treatment', conversions: {} }],
    });
  });

  it('gives a duplicate event the same runId and, once recorded, no second start', () => {
    // Prepare
    const event = track('Signed Up');
    // Act
    const first = planJourneyActions(base(), [event], [journey({})], NOW);
    const again = planJourneyActions(base(), [event], [journey({})], NOW);
    const afterCommit = planJourneyActions(first.profile, [event], [journey({})], NOW);
    // Assess
    expect(again.starts[0].runId).toBe(first.starts[0].runId);
    expect(afterCommit.starts).toEqual([]);
  });
});

describe('planJourneyActions: re-entry', () => {
  const entered = (journeyId: string, entries: number, lastEnteredAt: Date) =>
    withState(base(), journeyId, { entries, lastEnteredAt: lastEnteredAt.toISOString(), active: {} });
  it.each([
    ['never (default), entered before', 0, journey({}), entered('welcome', 1, new Date(NOW.getTime() - 1000 * HOUR))],
    ['never, never entered', 1, journey({}), base()],
    ['cooldown 1h, entered 2h ago', 1, journey({ reentry: { type: 'cooldown', seconds: 3600 } }), entered('welcome', 3, new Date(NOW.getTime() - 2 * HOUR))],
    ['cooldown 1h, entered 30m ago', 0, journey({ reentry: { type: 'cooldown', seconds: 3600 } }), entered('welcome', 1, new Date(NOW.getTime() - HOUR / 2))],
    ['maxTimes 2, entered once', 1, journey({ reentry: { type: 'maxTimes', times: 2 } }), entered('welcome', 1, NOW)],
    ['maxTimes 2, entered twice', 0, journey({ reentry: { type: 'maxTimes', times: 2 } }), entered('welcome', 2, new Date(0))],
    ['maxTimes 3 + cooldown, too soon', 0, journey({ reentry: { type: 'maxTimes', times: 3, cooldownSeconds: 3600 } }), entered('welcome', 1, NOW)],
    ['maxTimes 3 + cooldown, after it', 1, journey({ reentry: { type: 'maxTimes', times: 3, cooldownSeconds: 3600 } }), entered('welcome', 1, new Date(NOW.getTime() - 2 * HOUR))],
  ])('%s -> %i start(s)', (_label, expected, definition, profile) => {
    // Act
    const plan = planJourneyActions(profile, [track('Signed Up')], [definition], NOW);
    // Assess
    expect(plan.starts).toHaveLength(expected);
  });

  it('allows one active run per key: a second cart enters, the same cart does not', () => {
    // Prepare
    const first = planJourneyActions(base(), [track('Cart Abandoned', { total: 200_000, cartId: 'c1' }, new Date(NOW.getTime() - 10 * HOUR))], [cart], new Date(NOW.getTime() - 10 * HOUR));
    // Act
    const plan = planJourneyActions(first.profile, [track('Cart Abandoned', { total: 200_000, cartId: 'c1' }), track('Cart Abandoned', { total: 300_000, cartId: 'c2' })], [cart], NOW);
    // Assess
    expect(plan.starts.map((start) => start.input.entryKey)).toEqual(['c2']);
    expect(Object.keys(plan.profile.journeys?.cart.active ?? {}).sort()).toEqual(['c1', 'c2']);
    expect(plan.profile.journeys?.cart.entries).toBe(2);
  });

  it('allows one active run of an unkeyed journey even when re-entry would allow more', () => {
    // Prepare
    const definition = journey({ reentry: { type: 'cooldown', seconds: 1 } });
    const first = planJourneyActions(base(), [track('Signed Up')], [definition], new Date(NOW.getTime() - HOUR));
    // Act
    const plan = planJourneyActions(first.profile, [track('Signed Up')], [definition], NOW);
    // Assess
    expect(plan.starts).toEqual([]);
  });
});

describe('planJourneyActions: exit criteria', () => {
  const twoCarts = () => planJourneyActions(base(), [track('Cart Abandoned', { total: 200_000, cartId: 'c1' }, new Date(NOW.getTime() - HOUR)), track('Cart Abandoned', { total: 200_000, cartId: 'c2' }, new Date(NOW.getTime() - HOUR))], [cart], new Date(NOW.getTime() - HOUR));

  it('stops only the run whose entry key the exit event carries, and drops its waits', () => {
    // Prepare
    const entered = twoCarts();
    const c1 = entered.profile.journeys?.cart.active.c1.runId as string;
    const c2 = entered.profile.journeys?.cart.active.c2.runId as string;
    const wait = (runId: string): WaitingStep => ({ journeyId: 'cart', runId, stepId: 'w', event: 'Order Completed', taskToken: `t-${runId}`, until: new Date(NOW.getTime() + HOUR).toISOString() });
    const profile = { ...entered.profile, waiting: [wait(c1), { ...wait(c2), event: 'Other' }] };
    // Act
    const plan = planJourneyActions(profile, [track('Order Completed', { cartId: 'c2' })], [cart], NOW);
    // Assess
    expect(plan.stops).toEqual([{ journeyId: 'cart', runId: c2, reason: 'exit_criteria' }]);
    expect(Object.keys(plan.profile.journeys?.cart.active ?? {})).toEqual(['c1']);
    expect(plan.profile.journeys?.cart.lastOutcome).toEqual({ runId: c2, outcome: 'exited', at: NOW.toISOString() });
    expect(plan.profile.waiting?.map((w) => w.runId)).toEqual([c1]);
  });

  it('stops nothing when the exit event has no entry key', () => {
    // Act
    const plan = planJourneyActions(twoCarts().profile, [track('Order Completed', {})], [cart], NOW);
    // Assess
    expect(plan.stops).toEqual([]);
  });

  it('stops every run of the journey when its segment is exited', () => {
    // Prepare
    const entered = planJourneyActions(base(), [transition('entered', 'vip')], [vip], new Date(NOW.getTime() - HOUR));
    // Act
    const plan = planJourneyActions(entered.profile, [transition('exited', 'vip')], [vip], NOW);
    // Assess
    expect(plan.stops).toEqual([{ journeyId: 'vip', runId: entered.starts[0].runId, reason: 'exit_criteria' }]);
    expect(plan.profile.journeys?.vip.active).toEqual({});
  });

  it('never starts a run that is entered and exited in the same batch', () => {
    // Act
    const plan = planJourneyActions(base(), [
      track('Cart Abandoned', { total: 200_000, cartId: 'c9' }, new Date(NOW.getTime() - 2000)),
      track('Order Completed', { cartId: 'c9' }, new Date(NOW.getTime() - 1000)),
    ], [cart], NOW);
    // Assess
    expect(plan.starts).toEqual([]);
    expect(plan.stops).toEqual([]);
    expect(plan.profile.journeys?.cart.lastOutcome?.outcome).toBe('exited');
  });
});

describe('planJourneyActions: resume', () => {
  const waiting = (overrides: Partial<WaitingStep>): WaitingStep => ({
    journeyId: 'cart', runId: 'cart-run', stepId: 'wait-pay', event: 'Payment Made', taskToken: 'token-1',
    until: new Date(NOW.getTime() + HOUR).toISOString(), ...overrides,
  });
  it.each([
    ['the awaited event', 1, waiting({}), track('Payment Made')],
    ['another event', 0, waiting({}), track('Page Viewed')],
    ['the event with a failing where', 0, waiting({ where: [{ property: 'method', operator: 'equals', value: 'qris' }] }), track('Payment Made', { method: 'card' })],
    ['the event with a holding where', 1, waiting({ where: [{ property: 'method', operator: 'equals', value: 'qris' }] }), track('Payment Made', { method: 'qris' })],
    ['the event of another cart', 0, waiting({ entryKey: 'c1', entryKeyProperty: 'cartId' }), track('Payment Made', { cartId: 'c2' })],
    ['the event of the same cart', 1, waiting({ entryKey: 'c1', entryKeyProperty: 'cartId' }), track('Payment Made', { cartId: 'c1' })],
    ['the event after the wait expired', 0, waiting({ until: new Date(NOW.getTime() - 1).toISOString() }), track('Payment Made')],
  ])('%s -> %i resume(s)', (_label, expected, wait, event) => {
    // Act
    const plan = planJourneyActions({ ...base(), waiting: [wait] }, [event], [cart], NOW);
    // Assess
    expect(plan.resumes).toHaveLength(expected);
    if (expected === 1) {
      expect(plan.resumes[0]).toEqual({ journeyId: 'cart', runId: 'cart-run', taskToken: 'token-1', output: { event: 'Payment Made', messageId: event.messageId, properties: event.properties, timestamp: event.timestamp } });
      // Kept as resumed (matching nothing more) so a redelivery can send the token again.
      expect(plan.profile.waiting).toEqual([{ ...wait, resumedBy: event.messageId }]);
    }
  });

  it('drops expired waits and resumes a wait only once', () => {
    // Prepare
    const expired = waiting({ runId: 'old', until: NOW.toISOString() });
    const live = waiting({});
    // Act
    const plan = planJourneyActions({ ...base(), waiting: [expired, live] }, [track('Payment Made'), track('Payment Made')], [], NOW);
    // Assess
    expect(plan.resumes).toHaveLength(1);
    expect(plan.profile.waiting?.map((w) => w.runId)).toEqual(['cart-run']);
  });
});

describe('redeliveryActions', () => {
  it('re-issues the start, stop and resume the duplicate events caused', () => {
    // Prepare
    const entry = track('Cart Abandoned', { total: 200_000, cartId: 'c1' });
    const entered = planJourneyActions(base(), [entry], [cart, vip], NOW);
    const segment = transition('entered', 'vip');
    const withVip = planJourneyActions(entered.profile, [segment], [cart, vip], NOW);
    const pay = track('Payment Made');
    const resumed = planJourneyActions({ ...withVip.profile, waiting: [{ journeyId: 'x', runId: 'r', stepId: 's', event: 'Payment Made', taskToken: 'tok', until: new Date(NOW.getTime() + HOUR).toISOString() }] }, [pay], [cart, vip], NOW);
    // Act
    const again = redeliveryActions(resumed.profile, [entry, pay], [cart, vip]);
    // Assess
    expect(again.starts.map((s) => s.runId).sort()).toEqual([entered.starts[0].runId, withVip.starts[0].runId].sort());
    expect(again.starts.find((s) => s.journeyId === 'cart')).toEqual(entered.starts[0]);
    expect(again.starts.find((s) => s.journeyId === 'vip')).toEqual(withVip.starts[0]);
    expect(again.resumes.map((r) => r.taskToken)).toEqual(['tok']);
    expect(again.stops).toEqual([]);
  });

  it('re-issues the stop of the run an exit event ended', () => {
    // Prepare
    const entered = planJourneyActions(base(), [track('Cart Abandoned', { total: 200_000, cartId: 'c1' })], [cart], NOW);
    const paid = track('Order Completed', { cartId: 'c1' });
    const exited = planJourneyActions(entered.profile, [paid], [cart], NOW);
    // Act
    const again = redeliveryActions(exited.profile, [paid], [cart]);
    // Assess
    expect(again.stops).toEqual(exited.stops);
    expect(again.starts).toEqual([]);
  });
});
