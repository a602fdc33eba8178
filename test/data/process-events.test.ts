import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoProfileStore } from '../../lib/adapters/dynamo-profile-store';
import { keys } from '../../lib/adapters/table-keys';
import { processEvents } from '../../lib/app/process-events';
import { eraseProfile, findProfile, listProfileEvents } from '../../lib/app/profile-admin';
import { reevaluateDueProfiles } from '../../lib/app/reevaluate-segments';
import type { EngineConfig } from '../../lib/core/config';
import type { CustomerEvent } from '../../lib/core/events';
import type { IdentityKey } from '../../lib/core/ports';
import type { Profile } from '../../lib/core/profile';
import { startDynalite, type LocalTable } from '../support/dynalite';

const config: EngineConfig = {
  segments: [
    { id: 'buyers', name: 'Buyers', condition: { type: 'event', event: 'Order Completed', atLeast: 1 } },
    { id: 'big-spenders', name: 'Big spenders', condition: { type: 'metric', metric: 'orders.revenue', operator: 'gte', value: 1_000_000 } },
    {
      id: 'lapsed',
      name: 'Lapsed buyers',
      condition: {
        type: 'and',
        conditions: [
          { type: 'metric', metric: 'orders.count', operator: 'gte', value: 1 },
          { type: 'metric', metric: 'daysSinceLastOrder', operator: 'gt', value: 30 },
        ],
      },
    },
  ],
};

const NOW = new Date('2026-11-05T12:00:00.000Z');
let table: LocalTable;
let store: DynamoProfileStore;
const deps = () => ({ store, config, now: () => NOW });

beforeAll(async () => {
  table = await startDynalite();
  store = new DynamoProfileStore({ client: table.client, tableName: table.tableName });
});
afterAll(async () => table.stop());

let seq = 0;
function event(overrides: Partial<CustomerEvent>): CustomerEvent {
  seq++;
  const timestamp = new Date(Date.parse('2026-11-01T00:00:00.000Z') + seq * 1000).toISOString();
  return { type: 'track', messageId: `m-${seq}-${Math.random().toString(36).slice(2, 8)}`, properties: {}, traits: {}, context: {}, timestamp, receivedAt: timestamp, source: 'web', ...overrides };
}
const order = (identity: Partial<CustomerEvent>, revenue: number, extra: Partial<CustomerEvent> = {}) =>
  event({ ...identity, event: 'Order Completed', properties: { revenue, currency: 'IDR' }, ...extra });
const user = (id: string): IdentityKey => ({ kind: 'user', id });
const uid = (prefix: string) => `${prefix}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;

async function profileOf(key: IdentityKey): Promise<Profile> {
  const found = await findProfile(store, key);
  if (!found.found) throw new Error(`no profile for ${key.kind}:${key.id}`);
  return found.profile;
}
async function rawItem(profileId: string) {
  return (await table.client.send(new GetCommand({ TableName: table.tableName, Key: keys.profile(profileId), ConsistentRead: true }))).Item;
}
async function allEvents(profileId: string): Promise<CustomerEvent[]> {
  return (await listProfileEvents(store, profileId, { limit: 1000 })).events;
}

describe('processEvents', () => {
  it('folds an identify and a track of one user into one profile, with one profile write', async () => {
    // Prepare
    const userId = uid('u');
    const events = [event({ type: 'identify', userId, traits: { name: 'Ayu', email: 'ayu@example.com' } }), order({ userId }, 150_000)];
    // Act
    const result = await processEvents(events, deps());
    // Assess
    const profile = await profileOf(user(userId));
    expect(result).toMatchObject({ applied: 2, duplicates: 0, profilesWritten: 1, merges: 0 });
    expect(profile.traits).toEqual({ name: 'Ayu', email: 'ayu@example.com' });
    expect(profile.metrics.orders).toMatchObject({ count: 1, revenue: 150_000 });
    expect((await rawItem(profile.profileId))?.version).toBe(1);
    expect((await allEvents(profile.profileId)).map((e) => e.messageId)).toEqual(expect.arrayContaining(events.map((e) => e.messageId)));
  });

  it('reads a known customer\'s profile once per batch: identity resolution and the commit share the read', async () => {
    // Prepare: count the requests the store sends from here on.
    const userId = uid('u');
    await processEvents([event({ type: 'identify', userId, traits: { name: 'Sari' } })], deps());
    const sent: string[] = [];
    table.client.middlewareStack.add((next, context) => async (args) => {
      sent.push(String(context.commandName));
      return next(args);
    }, { step: 'initialize', name: 'countCommands' });
    // Act
    try {
      await processEvents([order({ userId }, 50_000), order({ userId }, 75_000)], deps());
    } finally {
      table.client.middlewareStack.remove('countCommands');
    }
    // Assess
    expect(sent.filter((name) => name === 'GetItemCommand')).toHaveLength(1);
    expect(sent.filter((name) => name === 'PutItemCommand')).toHaveLength(1);
    expect((await profileOf(user(userId))).metrics.orders).toMatchObject({ count: 2, revenue: 125_000 });
  });

  it('puts anonymous events sent before login on the profile of the user who then identifies', async () => {
    // Prepare
    const anonymousId = uid('a');
    const userId = uid('u');
    await processEvents([event({ anonymousId, event: 'Product Viewed' }), event({ anonymousId, event: 'Cart Viewed' })], deps());
    // Act
    await processEvents([event({ type: 'identify', anonymousId, userId, traits: { plan: 'gold' } })], deps());
    await processEvents([order({ userId }, 20_000)], deps());
    // Assess
    const byUser = await profileOf(user(userId));
    const byAnonymous = await profileOf({ kind: 'anonymous', id: anonymousId });
    expect(byAnonymous.profileId).toBe(byUser.profileId);
    expect(byUser.metrics.eventCounts).toMatchObject({ 'Product Viewed': 1, 'Cart Viewed': 1, identify: 1, 'Order Completed': 1 });
    expect(byUser.identities).toMatchObject({ userIds: [userId], anonymousIds: [anonymousId] });
  });

  it('merges two existing profiles on alias: metrics, identities and event history combine', async () => {
    // Prepare
    const oldUser = uid('old');
    const newUser = uid('new');
    await processEvents([order({ userId: oldUser }, 300_000), order({ userId: oldUser }, 200_000)], deps());
    await processEvents([order({ userId: newUser }, 700_000), event({ userId: newUser, type: 'identify', traits: { tier: 'new' } })], deps());
    const loserId = (await profileOf(user(oldUser))).profileId;
    // Act
    const result = await processEvents([event({ type: 'alias', userId: newUser, previousId: oldUser })], deps());
    // Assess
    const merged = await profileOf(user(newUser));
    expect(result.merges).toBe(1);
    expect((await profileOf(user(oldUser))).profileId).toBe(merged.profileId);
    expect([...merged.identities.userIds].sort()).toEqual([newUser, oldUser].sort());
    expect(merged.metrics.orders).toMatchObject({ count: 3, revenue: 1_200_000 });
    expect(merged.mergedFrom).toEqual([loserId]);
    expect(merged.segments).toHaveProperty('big-spenders');
    expect(await store.getProfile(loserId)).toMatchObject({ kind: 'merged', mergedInto: merged.profileId });
    expect((await allEvents(merged.profileId)).filter((e) => e.source !== 'engine')).toHaveLength(5);
    expect(await allEvents(loserId)).toEqual([]);
  });

  it('changes nothing, not even the version, when a message or a whole batch is delivered again', async () => {
    // Prepare
    const userId = uid('u');
    const batch = [event({ type: 'identify', userId, traits: { name: 'Budi' } }), order({ userId }, 99_000), order({ userId }, 1_000)];
    await processEvents(batch, deps());
    const profileId = (await profileOf(user(userId))).profileId;
    const before = await rawItem(profileId);
    const eventsBefore = await allEvents(profileId);
    // Act
    const single = await processEvents([batch[1]], { ...deps(), now: () => new Date(NOW.getTime() + 3_600_000) });
    const whole = await processEvents(batch, { ...deps(), now: () => new Date(NOW.getTime() + 7_200_000) });
    // Assess
    expect(single).toMatchObject({ applied: 0, duplicates: 1, profilesWritten: 0 });
    expect(whole).toMatchObject({ applied: 0, duplicates: 3, profilesWritten: 0 });
    expect(await rawItem(profileId)).toStrictEqual(before);
    expect(JSON.stringify(await rawItem(profileId))).toBe(JSON.stringify(before));
    expect(await allEvents(profileId)).toEqual(eventsBefore);
  });

  it('catches a redelivery older than the dedupe ring by its stored event', async () => {
    // Prepare: the first order, then 120 more events push its messageId out of the 100-id ring
    const userId = uid('u');
    const first = order({ userId }, 5_000);
    await processEvents([first], deps());
    await processEvents(Array.from({ length: 120 }, () => event({ userId, event: 'Product Viewed' })), deps());
    const profileId = (await profileOf(user(userId))).profileId;
    const before = await rawItem(profileId);
    // Act
    const result = await processEvents([first], deps());
    // Assess
    expect((before?.profile as Profile).recentMessageIds).not.toContain(first.messageId);
    expect(result).toMatchObject({ applied: 0, duplicates: 1, profilesWritten: 0 });
    expect(await rawItem(profileId)).toStrictEqual(before);
  });

  it('loses nothing when 50 events of one customer are processed concurrently', async () => {
    // Prepare
    const userId = uid('u');
    const amounts = Array.from({ length: 50 }, (_, i) => 10_000 + i * 1_001.25);
    const orders = amounts.map((amount) => order({ userId }, amount));
    // Act
    const results = await Promise.all(orders.map((o) => processEvents([o], deps())));
    // Assess
    const profile = await profileOf(user(userId));
    const item = await rawItem(profile.profileId);
    expect(results.reduce((n, r) => n + r.applied, 0)).toBe(50);
    expect(profile.metrics.orders.count).toBe(50);
    expect(profile.metrics.orders.revenue).toBe(amounts.reduce((a, b) => a + b, 0));
    expect(item?.version).toBe(50);
    expect((await allEvents(profile.profileId)).filter((e) => e.source !== 'engine')).toHaveLength(50);
  });

  it('gives the same profile whatever the delivery order', async () => {
    // Prepare: the same events into three fresh tables, one by one in order, reversed, and as one shuffled batch
    const userId = uid('u');
    const events = [
      event({ type: 'identify', userId, traits: { name: 'Citra', city: 'Ambon' }, context: { timezone: 'Asia/Jayapura' } }),
      order({ userId }, 400_000),
      event({ type: 'identify', userId, traits: { city: 'Sorong' } }),
      event({ userId, event: 'Consent Granted', properties: { channel: 'email' } }),
      order({ userId }, 700_000),
      event({ userId, event: 'Order Refunded', properties: { revenue: 100_000 } }),
      event({ userId, type: 'page', name: 'Home' }),
    ];
    const tables = await Promise.all([startDynalite(), startDynalite(), startDynalite()]);
    const stores = tables.map((t) => new DynamoProfileStore({ client: t.client, tableName: t.tableName }));
    try {
      // Act
      for (const e of events) await processEvents([e], { store: stores[0], config, now: () => NOW });
      for (const e of [...events].reverse()) await processEvents([e], { store: stores[1], config, now: () => NOW });
      await processEvents([events[4], events[2], events[6], events[0], events[5], events[1], events[3]], { store: stores[2], config, now: () => NOW });
      // Assess
      const profiles = await Promise.all(stores.map(async (s) => {
        const found = await findProfile(s, user(userId));
        if (!found.found) throw new Error('missing');
        return { ...found.profile, recentMessageIds: [...found.profile.recentMessageIds].sort() };
      }));
      expect(profiles[0].traits).toEqual({ name: 'Citra', city: 'Sorong' });
      expect(profiles[0].metrics.orders).toMatchObject({ count: 2, revenue: 1_000_000 });
      expect(profiles[1]).toStrictEqual(profiles[0]);
      expect(profiles[2]).toStrictEqual(profiles[0]);
    } finally {
      await Promise.all(tables.map((t) => t.stop()));
    }
  });

  it('records segment entries and exits as internal engine events', async () => {
    // Prepare
    const userId = uid('u');
    // Act
    const entered = await processEvents([order({ userId }, 1_500_000)], deps());
    const exited = await processEvents([event({ userId, event: 'Order Refunded', properties: { revenue: 800_000 } })], deps());
    // Assess
    const profile = await profileOf(user(userId));
    const engineEvents = (await allEvents(profile.profileId)).filter((e) => e.source === 'engine');
    expect(entered.transitions.map((t) => `${t.kind}:${t.segmentId}`).sort()).toEqual(['entered:big-spenders', 'entered:buyers']);
    expect(exited.transitions).toEqual([{ profileId: profile.profileId, segmentId: 'big-spenders', kind: 'exited' }]);
    expect(Object.keys(profile.segments)).toEqual(['buyers']);
    expect(engineEvents.map((e) => `${e.event}:${String(e.properties.segmentId)}`).sort()).toEqual([
      'segment_entered:big-spenders', 'segment_entered:buyers', 'segment_exited:big-spenders',
    ]);
    expect(engineEvents.every((e) => e.userId === userId && e.type === 'track')).toBe(true);
  });

  it('ignores engine events that come back through the queue', async () => {
    // Prepare
    const userId = uid('u');
    // Act
    const result = await processEvents([event({ userId, event: 'segment_entered', source: 'engine', properties: { segmentId: 'x' } })], deps());
    // Assess
    expect(result).toMatchObject({ applied: 0, duplicates: 0, profilesWritten: 0 });
    expect((await findProfile(store, user(userId))).found).toBe(false);
  });
});

describe('eraseProfile', () => {
  it('removes the profile, its aliases, its events and the merged profiles, and a second erase is harmless', async () => {
    // Prepare: an anonymous visitor, then two user ids aliased together
    const anonymousId = uid('a');
    const userId = uid('u');
    const otherId = uid('u');
    await processEvents([event({ anonymousId, event: 'Product Viewed' })], deps());
    await processEvents([event({ type: 'identify', anonymousId, userId, traits: { email: 'x@example.com' } }), order({ userId }, 2_000_000)], deps());
    await processEvents([order({ userId: otherId }, 10_000)], deps());
    await processEvents([event({ type: 'alias', userId, previousId: otherId })], deps());
    const profile = await profileOf(user(userId));
    const profileIds = [profile.profileId, ...profile.mergedFrom];
    const bystander = uid('u');
    await processEvents([order({ userId: bystander }, 1)], deps());
    // Act
    const erased = await eraseProfile(store, user(userId));
    const again = await eraseProfile(store, user(userId));
    const byId = await eraseProfile(store, profile.profileId);
    // Assess
    expect(profile.mergedFrom).toHaveLength(1);
    expect(erased.profiles).toBe(2);
    expect(erased.identities).toBe(3);
    expect(erased.events).toBeGreaterThanOrEqual(5);
    expect(again).toEqual({ profiles: 0, identities: 0, events: 0 });
    expect(byId).toEqual({ profiles: 0, identities: 0, events: 0 });
    for (const id of profileIds) {
      const left = await table.client.send(new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `PROFILE#${id}` }, ConsistentRead: true }));
      expect(left.Items).toEqual([]);
    }
    for (const key of [user(userId), user(otherId), { kind: 'anonymous' as const, id: anonymousId }]) {
      expect((await table.client.send(new GetCommand({ TableName: table.tableName, Key: keys.identity(key) }))).Item).toBeUndefined();
    }
    expect((await findProfile(store, user(bystander))).found).toBe(true);
  });
});

describe('reevaluateDueProfiles', () => {
  it('moves a buyer into "lapsed" when 30 days pass without an event, and records it', async () => {
    // Prepare
    const userId = uid('u');
    const orderedAt = '2026-09-01T10:00:00.000Z';
    await processEvents([order({ userId }, 50_000, { timestamp: orderedAt, receivedAt: orderedAt })], { ...deps(), now: () => new Date('2026-09-01T10:00:01.000Z') });
    const before = await profileOf(user(userId));
    const due = new Date(Date.parse(before.nextEvaluationAt as string) + 60_000);
    // Act: the next run comes 11 days after the previous one (an outage): the cursor leaves no gap.
    const early = await reevaluateDueProfiles({ store, config, now: new Date('2026-09-20T00:00:00.000Z') });
    const result = await reevaluateDueProfiles({ store, config, now: due });
    const repeat = await reevaluateDueProfiles({ store, config, now: due });
    // Assess
    const after = await profileOf(user(userId));
    expect(before.segments).not.toHaveProperty('lapsed');
    expect(before.nextEvaluationAt! > '2026-10-01T00:00:00.000Z').toBe(true);
    expect(early.transitions.filter((t) => t.profileId === before.profileId)).toEqual([]);
    expect(result.transitions).toContainEqual({ profileId: before.profileId, segmentId: 'lapsed', kind: 'entered' });
    expect(repeat.transitions.filter((t) => t.profileId === before.profileId)).toEqual([]);
    expect(after.segments.lapsed).toEqual({ since: due.toISOString() });
    expect(await store.getReevaluationCursor()).toBe(due.toISOString());
    expect((await allEvents(before.profileId)).some((e) => e.event === 'segment_entered' && e.properties.segmentId === 'lapsed')).toBe(true);
  });
});
