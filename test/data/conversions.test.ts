import { MemoryJourneyStore } from '../../lib/adapters/memory-journey-store';
import { MemoryProfileStore } from '../../lib/adapters/memory-profile-store';
import { runJourneyTask, type JourneyTaskDeps } from '../../lib/app/journey-task';
import { processEvents, type ProcessEventsDeps } from '../../lib/app/process-events';
import type { EngineConfig } from '../../lib/core/config';
import type { CustomerEvent } from '../../lib/core/events';
import { profileIdFor } from '../../lib/core/identity';
import type { JourneyDefinition } from '../../lib/core/journeys/definition';
import { isGlobalControl } from '../../lib/core/measurement/control';
import { GLOBAL_CONTROL_GROUP, TREATMENT_GROUP } from '../../lib/core/measurement/counters';
import type { ChannelResult, OutboundMessage } from '../../lib/core/messaging/message';
import type { CounterIncrement, JourneyRunner, StartRequest } from '../../lib/core/ports';
import type { Profile } from '../../lib/core/profile';

/**
 * Conversions through the processor and the journey task on the memory stores: committed with the
 * event (a redelivery never converts twice), counted after the commit per counters.ts.
 */
const T0 = Date.parse('2026-11-05T03:00:00.000Z'); // 10:00 in Jakarta: no quiet hours
const HOUR = 3_600_000;
const SHARE = 0.5;

const offer: JourneyDefinition = {
  id: 'offer',
  name: 'Offer',
  entry: { type: 'event', event: 'Lapsed' },
  reentry: { type: 'cooldown', seconds: 86_400 },
  goals: [{ id: 'order', event: 'Order Completed', windowDays: 14 }],
  startAt: 'ab',
  steps: [
    { id: 'ab', type: 'split', variants: [{ name: 'a', weight: 50, next: 'hello' }, { name: 'b', weight: 50, next: 'hello' }] },
    { id: 'hello', type: 'send', channel: 'email', template: 'hello', next: 'done' },
    { id: 'done', type: 'exit' },
  ],
};
const cart: JourneyDefinition = {
  id: 'cart',
  name: 'Cart',
  entry: { type: 'event', event: 'Cart Abandoned' },
  entryKey: 'cartId',
  reentry: { type: 'maxTimes', times: 50 },
  goals: [{ id: 'order', event: 'Order Completed', matchEntryKey: true, windowDays: 2, exitOnConversion: true }],
  startAt: 'done',
  steps: [{ id: 'done', type: 'exit' }],
};
const config: EngineConfig = {
  segments: [],
  journeys: [offer, cart],
  templates: [{ id: 'hello', channel: 'email', defaultLocale: 'id', locales: { id: { subject: 'Halo', text: 'Ada promo untukmu' } } }],
  messaging: { email: { from: 'halo@tokokita.co.id' } },
  globalControlShare: SHARE,
};

/** The first user ids `u-<n>` whose profiles are (or are not) in the control group. */
const userIn = (control: boolean, skip = 0) =>
  Array.from({ length: 100 }, (_, i) => `u-${i}`).filter((id) => isGlobalControl(profileIdFor({ kind: 'user', id }), SHARE) === control)[skip];

let clock: number;
let store: MemoryProfileStore;
let journeyStore: MemoryJourneyStore;
let starts: StartRequest[];
let stops: { journeyId: string; runId: string; cause: string }[];
let sent: OutboundMessage[];
let processDeps: ProcessEventsDeps;
let taskDeps: JourneyTaskDeps;

beforeEach(() => {
  clock = T0;
  store = new MemoryProfileStore();
  journeyStore = new MemoryJourneyStore();
  starts = [];
  stops = [];
  sent = [];
  const runner: JourneyRunner = {
    start: async () => undefined,
    stop: async (journeyId, runId, cause) => void stops.push({ journeyId, runId, cause }),
    resume: async () => true,
  };
  const now = () => new Date(clock);
  processDeps = { store, config, now, journeys: { startQueue: { enqueue: async (requests) => void starts.push(...requests) }, runner, journeyStore } };
  const email = { send: async (message: OutboundMessage): Promise<ChannelResult> => (sent.push(message), { status: 'accepted', providerMessageId: `pm-${sent.length}` }) };
  taskDeps = { store, journeyStore, senders: { email }, config, now };
});

let seq = 0;
function track(userId: string, event: string, properties: Record<string, unknown> = {}, type: CustomerEvent['type'] = 'track'): CustomerEvent {
  const timestamp = new Date(clock).toISOString();
  return { type, event, messageId: `m-${++seq}`, userId, properties, traits: type === 'identify' ? properties : {}, context: {}, timestamp, receivedAt: timestamp, source: 'web' };
}

/** A reachable, consenting customer who lapses: enters `offer`, takes the split and the send. */
async function enterOffer(userId: string): Promise<StartRequest> {
  await processEvents([track(userId, 'Identify', { email: `${userId}@example.co.id` }, 'identify'), track(userId, 'Consent Granted', { channel: 'email' })], processDeps);
  await processEvents([track(userId, 'Lapsed')], processDeps);
  const start = starts.find((s) => s.journeyId === 'offer' && s.input.profileId === profileIdFor({ kind: 'user', id: userId })) as StartRequest;
  clock += HOUR;
  await runJourneyTask({ action: 'split', stepId: 'ab', run: start.input }, taskDeps);
  await runJourneyTask({ action: 'send', stepId: 'hello', run: start.input }, taskDeps);
  await runJourneyTask({ action: 'complete', stepId: 'done', run: start.input, outcome: 'completed' }, taskDeps);
  return start;
}

async function counters(journeyId: string, filter: Partial<CounterIncrement> = {}): Promise<string[]> {
  return (await journeyStore.readCounters(journeyId))
    .filter((c) => (filter.stepId === undefined || c.stepId === filter.stepId) && (filter.variant === undefined || c.variant === filter.variant))
    .filter((c) => c.metric === 'entered' || c.metric.includes(':order') || c.metric.startsWith('exited'))
    .map((c) => `${c.stepId} ${c.variant} ${c.metric} ${c.by}`);
}

async function profileOf(userId: string): Promise<Profile> {
  const stored = await store.getProfile(profileIdFor({ kind: 'user', id: userId }));
  if (stored?.kind !== 'profile') throw new Error(`no profile for ${userId}`);
  return stored.profile;
}

describe('conversions in the processor', () => {
  it('counts a conversion once when its event is redelivered, and adds a later order to the run\'s value', async () => {
    // Prepare
    const userId = userIn(false);
    const start = await enterOffer(userId);
    const variant = (await profileOf(userId)).journeys?.offer.recent?.[0].variants.ab as string;
    const first = track(userId, 'Order Completed', { order_id: 'o-1', revenue: 100 });

    // Act: the order, its redelivery, then a second order in the window.
    const processed = await processEvents([first], processDeps);
    const redelivered = await processEvents([first], processDeps);
    clock += HOUR;
    await processEvents([track(userId, 'Order Completed', { order_id: 'o-2', revenue: 50 })], processDeps);

    // Assess
    expect([processed.applied, redelivered.duplicates]).toEqual([1, 1]);
    expect(sent).toHaveLength(1);
    expect(await counters('offer')).toEqual([
      '* * entered 1',
      `* ${TREATMENT_GROUP} converted:order 1`,
      `* ${TREATMENT_GROUP} entered 1`,
      `* ${TREATMENT_GROUP} value:order 150`,
      `* ${TREATMENT_GROUP} valueSq:order 22500`,
      `ab ${variant} converted:order 1`,
      `ab ${variant} value:order 150`,
      `ab ${variant} valueSq:order 22500`,
      'hello * converted:order 1',
      'hello * value:order 150',
    ]);
    expect((await profileOf(userId)).journeys?.offer.recent).toEqual([
      expect.objectContaining({
        runId: start.runId, group: 'treatment', variants: { ab: variant }, outcome: 'completed',
        lastSend: { stepId: 'hello', at: new Date(T0 + HOUR).toISOString() },
        conversions: { order: { at: first.timestamp, value: 150, stepId: 'hello' } },
      }),
    ]);
  });

  it('enters a global control customer, suppresses every send with global_control, and counts their conversion', async () => {
    // Prepare
    const userId = userIn(true);
    await enterOffer(userId);

    // Act
    await processEvents([track(userId, 'Order Completed', { order_id: 'o-9', revenue: 70 })], processDeps);

    // Assess
    expect(sent).toEqual([]);
    expect((await profileOf(userId)).messages).toEqual([expect.objectContaining({ stepId: 'hello', outcome: 'suppressed', reason: 'global_control' })]);
    expect(await counters('offer', { stepId: '*' })).toEqual([
      '* * entered 1',
      `* ${GLOBAL_CONTROL_GROUP} converted:order 1`,
      `* ${GLOBAL_CONTROL_GROUP} entered 1`,
      `* ${GLOBAL_CONTROL_GROUP} value:order 70`,
      `* ${GLOBAL_CONTROL_GROUP} valueSq:order 4900`,
    ]);
    // Nothing was sent, so no step is credited.
    expect(await counters('offer', { stepId: 'hello' })).toEqual([]);
    expect((await journeyStore.readCounters('offer')).find((c) => c.metric === 'suppressed:global_control')).toMatchObject({ stepId: 'hello', by: 1 });
  });

  it('stops the converted run of that cart (exitOnConversion), once, with exited:goal:order', async () => {
    // Prepare: two carts in flight.
    const userId = userIn(false, 1);
    await processEvents([track(userId, 'Cart Abandoned', { cartId: 'c-1' }), track(userId, 'Cart Abandoned', { cartId: 'c-2' })], processDeps);
    const runOf = (key: string) => starts.find((s) => s.input.entryKey === key)?.runId;
    clock += HOUR;
    const bought = track(userId, 'Order Completed', { cartId: 'c-1', total: 80 });

    // Act
    await processEvents([bought], processDeps);
    await processEvents([bought], processDeps);

    // Assess: the redelivery stops again (idempotent) but counts nothing.
    expect(stops).toEqual([
      { journeyId: 'cart', runId: runOf('c-1'), cause: 'goal:order' },
      { journeyId: 'cart', runId: runOf('c-1'), cause: 'goal:order' },
    ]);
    const state = (await profileOf(userId)).journeys?.cart;
    expect(Object.keys(state?.active ?? {})).toEqual(['c-2']);
    expect(await counters('cart')).toEqual([
      '* * entered 2',
      '* * exited:goal:order 1',
      `* ${TREATMENT_GROUP} converted:order 1`,
      `* ${TREATMENT_GROUP} entered 2`,
      `* ${TREATMENT_GROUP} value:order 80`,
      `* ${TREATMENT_GROUP} valueSq:order 6400`,
    ]);
  });

  it('does not convert the run an event starts, nor orders before the entry', async () => {
    // Prepare
    const userId = userIn(false, 2);
    await processEvents([track(userId, 'Order Completed', { cartId: 'c-0', revenue: 10 }), track(userId, 'Cart Abandoned', { cartId: 'c-0' })], processDeps);

    // Assess
    expect(await counters('cart')).toEqual(['* * entered 1', `* ${TREATMENT_GROUP} entered 1`]);
  });
});
