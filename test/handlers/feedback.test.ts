import { MemoryJourneyStore } from '../../lib/adapters/memory-journey-store';
import { MemoryProfileStore } from '../../lib/adapters/memory-profile-store';
import { handleFeedback, interpretProviderEvent, type FeedbackDeps } from '../../lib/app/feedback';
import type { CustomerEvent } from '../../lib/core/events';
import type { EventQueue } from '../../lib/core/ports';
import type { MessageLogEntry, Profile } from '../../lib/core/profile';
import { emptyProfile } from '../../lib/core/reducer';

const NOW = new Date('2026-11-20T03:00:00.000Z');

class RecordingQueue implements EventQueue {
  public readonly events: CustomerEvent[] = [];
  public async enqueue(events: readonly CustomerEvent[]): Promise<void> {
    this.events.push(...events);
  }
}

const emailEntry: MessageLogEntry = { journeyId: 'cart', runId: 'run-1', stepId: 'remind', variant: 'a', channel: 'email', template: 'cart-reminder', outcome: 'sent', providerMessageId: 'ses-1', at: '2026-11-20T01:00:00.000Z' };
const smsEntry: MessageLogEntry = { journeyId: 'cart', runId: 'run-1', stepId: 'remind-sms', channel: 'sms', template: 'cart-sms', outcome: 'sent', providerMessageId: 'sms-1', at: '2026-11-20T01:00:00.000Z' };

async function setup(profile: Partial<Profile> = {}) {
  const journeys = new MemoryJourneyStore();
  const profiles = new MemoryProfileStore();
  const queue = new RecordingQueue();
  await profiles.saveProfile({ ...emptyProfile('p_1', '2026-01-01T00:00:00.000Z'), identities: { userIds: ['u-1'], anonymousIds: ['a-1'], emails: [], phones: [], devices: [] }, ...profile }, undefined);
  await journeys.recordMessage('p_1', emailEntry, 0);
  await journeys.recordMessage('p_1', smsEntry, 0);
  const deps: FeedbackDeps = { journeys, profiles, events: queue, now: () => NOW };
  return { journeys, profiles, queue, deps };
}

/** An EventBridge event from SES event publishing (docs: event-publishing-retrieving-sns-examples). */
function ses(eventType: string, extra: Record<string, unknown> = {}, messageId = 'ses-1', tags: Record<string, string[]> = {}) {
  return {
    version: '0',
    id: `eb-${eventType}`,
    'detail-type': `Email ${eventType}`,
    source: 'aws.ses',
    account: '123456789012',
    time: '2026-11-20T02:00:00Z',
    region: 'ap-southeast-3',
    resources: [],
    detail: { eventType, mail: { timestamp: '2026-11-20T01:00:00.000Z', messageId, destination: ['sari@example.co.id'], tags: { 'ses:configuration-set': ['journeys'], ...tags } }, ...extra },
  };
}

/** An EventBridge event from End User Messaging SMS (docs: monitor-event-bridge). */
function sms(eventType: string, extra: Record<string, unknown> = {}, messageId = 'sms-1') {
  return {
    version: '0',
    id: `eb-${eventType}`,
    'detail-type': 'Text Message Delivery Status Updated',
    source: 'aws.sms-voice',
    account: '123456789012',
    time: '2026-11-20T02:00:00Z',
    region: 'ap-southeast-3',
    resources: [],
    detail: { eventType, eventVersion: '1.0', eventTimestamp: Date.parse('2026-11-20T02:30:00Z'), isFinal: true, messageId, messageStatus: 'DELIVERED', context: { journeyId: 'cart' }, ...extra },
  };
}

const common = { journeyId: 'cart', runId: 'run-1', stepId: 'remind', variant: 'a', template: 'cart-reminder', providerMessageId: 'ses-1' };

describe('handleFeedback: SES', () => {
  it.each<[string, ReturnType<typeof ses>, string, string, Record<string, unknown>, string | undefined]>([
    // name, event, outcome, emitted event, extra properties, reason
    ['delivery', ses('Delivery', { delivery: { timestamp: '2026-11-20T01:00:05.000Z' } }), 'delivered', 'Email Delivered', {}, undefined],
    ['open', ses('Open', { open: { timestamp: '2026-11-20T02:00:00.000Z' } }), 'opened', 'Email Opened', {}, undefined],
    ['click', ses('Click', { click: { timestamp: '2026-11-20T02:01:00.000Z', link: 'https://shop.example/cart' } }), 'clicked', 'Email Clicked', { link: 'https://shop.example/cart' }, undefined],
    ['hard bounce', ses('Bounce', { bounce: { bounceType: 'Permanent', bounceSubType: 'General', timestamp: '2026-11-20T01:00:03.000Z' } }), 'bounced', 'Email Bounced', { bounceType: 'Permanent', bounceSubType: 'General' }, 'Permanent/General'],
    ['soft bounce', ses('Bounce', { bounce: { bounceType: 'Transient', bounceSubType: 'MailboxFull' } }), 'bounced', 'Email Bounced', { bounceType: 'Transient', bounceSubType: 'MailboxFull' }, 'Transient/MailboxFull'],
    ['complaint', ses('Complaint', { complaint: { complaintFeedbackType: 'abuse', timestamp: '2026-11-20T02:00:00.000Z' } }), 'complained', 'Email Complained', { feedbackType: 'abuse' }, 'abuse'],
    [
      'unsubscribe from everything',
      ses('Subscription', { subscription: { contactList: 'customers', timestamp: '2026-11-20T02:00:00.000Z', source: 'UnsubscribeHeader', newTopicPreferences: { unsubscribeAll: true }, oldTopicPreferences: { unsubscribeAll: false } } }),
      'unsubscribed',
      'Unsubscribed',
      { channel: 'email' },
      'all',
    ],
  ])('%s', async (_name, event, outcome, emitted, properties, reason) => {
    // Prepare
    const { journeys, queue, deps } = await setup();

    // Act
    const result = await handleFeedback(event, deps);

    // Assess
    expect(result).toMatchObject({ status: 'recorded', profileId: 'p_1', journeyId: 'cart', outcome });
    expect(queue.events).toHaveLength(1);
    const [engineEvent] = queue.events;
    expect(engineEvent).toMatchObject({
      type: 'track',
      event: emitted,
      messageId: `feedback-${event.id}-0`,
      userId: 'u-1',
      properties: { channel: 'email', ...common, ...properties },
      traits: {},
      source: 'feedback',
      receivedAt: NOW.toISOString(),
    });
    expect(engineEvent).not.toHaveProperty('anonymousId');
    const history = journeys.messagesOf('p_1').filter((m) => m.outcome === outcome);
    expect(history).toEqual([{ ...emailEntry, outcome, at: engineEvent.timestamp, ...(reason && { reason }) }]);
    expect(await journeys.readCounters('cart')).toEqual([{ stepId: 'remind', variant: 'a', metric: outcome, by: 1 }]);
  });

  it('stamps engine events with the provider time of the event', async () => {
    const { queue, deps } = await setup();
    await handleFeedback(ses('Bounce', { bounce: { bounceType: 'Permanent', timestamp: '2026-11-20T01:00:03.000Z' } }), deps);
    expect(queue.events[0].timestamp).toBe('2026-11-20T01:00:03.000Z');
    await handleFeedback({ ...ses('Open', {}), id: 'eb-2' }, deps);
    expect(queue.events[1].timestamp).toBe('2026-11-20T02:00:00.000Z'); // no open.timestamp: the EventBridge time
  });

  it('a topic opt-out emits Unsubscribed for each newly opted-out topic', async () => {
    const { queue, deps } = await setup();
    const event = ses('Subscription', {
      subscription: {
        contactList: 'customers',
        timestamp: '2026-11-20T02:00:00.000Z',
        source: 'ListManagement',
        newTopicPreferences: { unsubscribeAll: false, topicSubscriptionStatus: [{ topicName: 'promo', subscriptionStatus: 'OptOut' }, { topicName: 'news', subscriptionStatus: 'OptOut' }, { topicName: 'tips', subscriptionStatus: 'OptIn' }] },
        oldTopicPreferences: { unsubscribeAll: false, topicSubscriptionStatus: [{ topicName: 'promo', subscriptionStatus: 'OptIn' }, { topicName: 'news', subscriptionStatus: 'OptOut' }] },
      },
    });
    const result = await handleFeedback(event, deps);
    expect(result).toMatchObject({ status: 'recorded', outcome: 'unsubscribed' });
    expect(queue.events.map((e) => [e.event, e.properties.topic, e.messageId])).toEqual([['Unsubscribed', 'promo', 'feedback-eb-Subscription-0']]);
  });

  it('an opt-in subscription change is ignored', async () => {
    const { queue, deps } = await setup();
    const event = ses('Subscription', { subscription: { newTopicPreferences: { unsubscribeAll: false, topicSubscriptionStatus: [{ topicName: 'promo', subscriptionStatus: 'OptIn' }] } } });
    expect(await handleFeedback(event, deps)).toMatchObject({ status: 'ignored', reason: 'unsupported_event_type' });
    expect(queue.events).toHaveLength(0);
  });

  it.each(['Send', 'DeliveryDelay', 'Reject', 'Rendering Failure'])('%s is ignored', async (eventType) => {
    const { journeys, queue, deps } = await setup();
    expect(await handleFeedback(ses(eventType), deps)).toEqual({ status: 'ignored', reason: 'unsupported_event_type', detail: eventType });
    expect(queue.events).toHaveLength(0);
    expect(await journeys.readCounters('cart')).toEqual([]);
  });

  it('an unknown message id without tags is ignored: nothing recorded, counted or emitted', async () => {
    const { journeys, queue, deps } = await setup();
    expect(await handleFeedback(ses('Delivery', {}, 'ses-unknown'), deps)).toEqual({ status: 'ignored', reason: 'unknown_message', detail: 'ses-unknown' });
    expect(queue.events).toHaveLength(0);
    expect(journeys.messagesOf('p_1')).toHaveLength(2);
    expect(await journeys.readCounters('cart')).toEqual([]);
  });

  it('an unknown message id with our tags is traced through the tags', async () => {
    const { journeys, queue, deps } = await setup();
    const tags = { journey: ['cart'], run: ['run-7'], step: ['remind'], variant: ['b'], profile: ['p_1'] };
    const result = await handleFeedback(ses('Open', {}, 'ses-untracked', tags), deps);
    expect(result).toMatchObject({ status: 'recorded', profileId: 'p_1', outcome: 'opened' });
    expect(queue.events[0].properties).toEqual({ channel: 'email', journeyId: 'cart', runId: 'run-7', stepId: 'remind', variant: 'b', providerMessageId: 'ses-untracked' });
    expect(await journeys.readCounters('cart')).toEqual([{ stepId: 'remind', variant: 'b', metric: 'opened', by: 1 }]);
  });

  it('an anonymous customer gets events by anonymousId', async () => {
    const { queue, deps } = await setup({ identities: { userIds: [], anonymousIds: ['a-1', 'a-2'], emails: [], phones: [], devices: [] } });
    await handleFeedback(ses('Complaint', {}), deps);
    expect(queue.events[0]).toMatchObject({ anonymousId: 'a-1' });
    expect(queue.events[0]).not.toHaveProperty('userId');
  });

  it('follows a merge tombstone to the surviving profile', async () => {
    const { profiles, journeys, queue, deps } = await setup();
    await profiles.saveProfile({ ...emptyProfile('p_2', '2026-01-01T00:00:00.000Z'), identities: { userIds: ['u-2'], anonymousIds: [], emails: [], phones: [], devices: [] } }, undefined);
    await profiles.markMerged('p_1', 'p_2', 1);
    const result = await handleFeedback(ses('Delivery'), deps);
    expect(result).toMatchObject({ status: 'recorded', profileId: 'p_2' });
    expect(queue.events[0]).toMatchObject({ userId: 'u-2' });
    expect(journeys.messagesOf('p_2').map((m) => m.outcome)).toEqual(['delivered']);
  });

  it('a deleted profile still gets its record and counter, with no events', async () => {
    const { profiles, journeys, queue, deps } = await setup();
    await profiles.deleteProfile('p_1');
    expect(await handleFeedback(ses('Delivery'), deps)).toMatchObject({ status: 'recorded', emitted: [] });
    expect(queue.events).toHaveLength(0);
    expect(await journeys.readCounters('cart')).toEqual([{ stepId: 'remind', variant: 'a', metric: 'delivered', by: 1 }]);
  });

  it('a redelivered event emits the same messageIds (the processor dedupes them)', async () => {
    const { queue, deps } = await setup();
    await handleFeedback(ses('Delivery'), deps);
    await handleFeedback(ses('Delivery'), deps);
    expect(queue.events.map((e) => e.messageId)).toEqual(['feedback-eb-Delivery-0', 'feedback-eb-Delivery-0']);
  });

  it('not an EventBridge provider event is ignored', async () => {
    const { deps } = await setup();
    expect(await handleFeedback({ hello: 'world' }, deps)).toEqual({ status: 'ignored', reason: 'not_a_provider_event' });
    expect(await handleFeedback({ ...ses('Delivery'), detail: { foo: 1 } }, deps)).toMatchObject({ status: 'ignored', reason: 'not_a_provider_event' });
  });
});

describe('handleFeedback: End User Messaging SMS', () => {
  const smsCommon = { channel: 'sms', journeyId: 'cart', runId: 'run-1', stepId: 'remind-sms', template: 'cart-sms', providerMessageId: 'sms-1' };

  it('TEXT_DELIVERED -> delivered + SMS Delivered at the event timestamp', async () => {
    const { journeys, queue, deps } = await setup();
    const result = await handleFeedback(sms('TEXT_DELIVERED'), deps);
    expect(result).toMatchObject({ status: 'recorded', outcome: 'delivered' });
    expect(queue.events).toEqual([
      {
        type: 'track',
        event: 'SMS Delivered',
        messageId: 'feedback-eb-TEXT_DELIVERED-0',
        userId: 'u-1',
        properties: smsCommon,
        traits: {},
        context: {},
        timestamp: '2026-11-20T02:30:00.000Z',
        receivedAt: NOW.toISOString(),
        source: 'feedback',
      },
    ]);
    expect(await journeys.readCounters('cart')).toEqual([{ stepId: 'remind-sms', variant: '*', metric: 'delivered', by: 1 }]);
  });

  it.each([
    ['TEXT_OPTED_OUT', {}],
    ['TEXT_BLOCKED', { messageStatus: 'OPTED_OUT' }],
  ])('%s %j -> unsubscribed + SMS Opted Out', async (eventType, extra) => {
    const { journeys, queue, deps } = await setup();
    expect(await handleFeedback(sms(eventType, extra), deps)).toMatchObject({ status: 'recorded', outcome: 'unsubscribed' });
    expect(queue.events.map((e) => [e.event, e.properties])).toEqual([['SMS Opted Out', smsCommon]]);
    expect(journeys.messagesOf('p_1').find((m) => m.outcome === 'unsubscribed')).toMatchObject({ reason: 'opted_out', channel: 'sms' });
  });

  it.each(['TEXT_BLOCKED', 'TEXT_CARRIER_UNREACHABLE', 'TEXT_INVALID', 'TEXT_TTL_EXPIRED', 'TEXT_SPAM'])('%s -> bounced, recorded and counted, no event', async (eventType) => {
    const { journeys, queue, deps } = await setup();
    expect(await handleFeedback(sms(eventType, { messageStatus: 'FAILED' }), deps)).toMatchObject({ status: 'recorded', outcome: 'bounced', emitted: [] });
    expect(queue.events).toHaveLength(0);
    expect(journeys.messagesOf('p_1').find((m) => m.outcome === 'bounced')).toMatchObject({ reason: eventType });
    expect(await journeys.readCounters('cart')).toEqual([{ stepId: 'remind-sms', variant: '*', metric: 'bounced', by: 1 }]);
  });

  it.each(['TEXT_SUCCESSFUL', 'TEXT_QUEUED', 'TEXT_PENDING', 'TEXT_SENT'])('%s is ignored', async (eventType) => {
    const { deps } = await setup();
    expect(await handleFeedback(sms(eventType), deps)).toEqual({ status: 'ignored', reason: 'unsupported_event_type', detail: eventType });
  });

  it('an unknown message id is traced through the SMS context, or ignored without it', async () => {
    const { deps, queue } = await setup();
    const context = { journeyId: 'cart', runId: 'run-2', stepId: 'remind-sms', profileId: 'p_1' };
    expect(await handleFeedback(sms('TEXT_DELIVERED', { context }, 'sms-x'), deps)).toMatchObject({ status: 'recorded', profileId: 'p_1' });
    expect(queue.events[0].properties).toMatchObject({ runId: 'run-2', providerMessageId: 'sms-x' });
    expect(await handleFeedback(sms('TEXT_DELIVERED', {}, 'sms-y'), deps)).toEqual({ status: 'ignored', reason: 'unknown_message', detail: 'sms-y' });
  });
});

describe('interpretProviderEvent', () => {
  it('reads a bounce without a sub-object timestamp at the EventBridge time', () => {
    expect(interpretProviderEvent(ses('Bounce', { bounce: { bounceType: 'Permanent' } }))).toMatchObject({ outcome: 'bounced', at: '2026-11-20T02:00:00.000Z', reason: 'Permanent' });
  });
});
