import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoProfileStore, evalBucketFor } from '../../lib/adapters/dynamo-profile-store';
import { MemoryProfileStore } from '../../lib/adapters/memory-profile-store';
import { EVAL_INDEX, keys } from '../../lib/adapters/table-keys';
import type { CustomerEvent } from '../../lib/core/events';
import { ProfileVersionConflictError, type ProfileStore } from '../../lib/core/ports';
import type { Profile } from '../../lib/core/profile';
import { startDynalite, type LocalTable } from '../support/dynalite';

let table: LocalTable;
let dynamo: DynamoProfileStore;

beforeAll(async () => {
  table = await startDynalite();
  dynamo = new DynamoProfileStore({ client: table.client, tableName: table.tableName });
});
afterAll(async () => table.stop());

function profile(profileId: string, overrides: Partial<Profile> = {}): Profile {
  return {
    profileId,
    identities: { userIds: ['u1'], anonymousIds: [], emails: [], phones: [], devices: [] },
    traits: { name: 'Ayu', nested: { city: 'Jayapura' } },
    traitStamps: {},
    consent: { channels: {}, topics: {} },
    metrics: { eventCounts: {}, daily: {}, orders: { count: 0, revenue: 0 }, clv: 0 },
    segments: {},
    recentMessageIds: [],
    mergedFrom: [],
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
    ...overrides,
  };
}

function event(messageId: string, timestamp: string, overrides: Partial<CustomerEvent> = {}): CustomerEvent {
  return {
    type: 'track', event: 'Product Viewed', messageId, userId: 'u1', properties: { sku: 'X' }, traits: {}, context: {},
    timestamp, receivedAt: timestamp, source: 'web', ...overrides,
  };
}

let counter = 0;
const fresh = (prefix: string) => `${prefix}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;

// The same contract runs against both stores so the in-memory fake cannot drift from DynamoDB.
describe.each([
  ['DynamoProfileStore (dynalite)', () => dynamo],
  ['MemoryProfileStore', () => new MemoryProfileStore()],
] as [string, () => ProfileStore][])('%s', (_name, makeStore) => {
  let store: ProfileStore;
  beforeEach(() => { store = makeStore(); });

  describe('identity links', () => {
    it('links a key once and reports the existing owner to a second linker', async () => {
      // Prepare
      const key = { kind: 'user' as const, id: fresh('u') };
      // Act
      const first = await store.linkIdentity(key, 'p_a');
      const second = await store.linkIdentity(key, 'p_b');
      // Assess
      expect(first).toBe('p_a');
      expect(second).toBe('p_a');
      expect(await store.findProfileIds([key])).toEqual(new Map([[`user:${key.id}`, 'p_a']]));
    });

    it('finds many keys in one call, ignores unknown and repeated keys, and relinks and deletes', async () => {
      // Prepare
      const linked = Array.from({ length: 130 }, () => ({ kind: 'anonymous' as const, id: fresh('a') }));
      await Promise.all(linked.map((key, i) => store.linkIdentity(key, `p_${i}`)));
      const unknown = { kind: 'user' as const, id: fresh('nobody') };
      // Act
      const found = await store.findProfileIds([...linked, linked[0], unknown]);
      await store.relinkIdentity(linked[1], 'p_new');
      await store.deleteIdentity(linked[2]);
      const after = await store.findProfileIds([linked[1], linked[2]]);
      // Assess
      expect(found.size).toBe(130);
      expect(found.get(`anonymous:${linked[129].id}`)).toBe('p_129');
      expect(after).toEqual(new Map([[`anonymous:${linked[1].id}`, 'p_new']]));
    });
  });

  describe('profiles', () => {
    it('creates, reads and updates a profile with version checks', async () => {
      // Prepare
      const id = fresh('p');
      // Act
      const v1 = await store.saveProfile(profile(id), undefined);
      const v2 = await store.saveProfile(profile(id, { traits: { name: 'Budi' } }), v1);
      const stored = await store.getProfile(id);
      // Assess
      expect([v1, v2]).toEqual([1, 2]);
      expect(stored).toEqual({ kind: 'profile', version: 2, profile: profile(id, { traits: { name: 'Budi' } }) });
    });

    it('rejects a create over an existing profile and a save from a stale version', async () => {
      // Prepare
      const id = fresh('p');
      await store.saveProfile(profile(id), undefined);
      await store.saveProfile(profile(id), 1);
      // Act + Assess
      await expect(store.saveProfile(profile(id), undefined)).rejects.toBeInstanceOf(ProfileVersionConflictError);
      await expect(store.saveProfile(profile(id), 1)).rejects.toThrow(`profile ${id} was changed by another writer`);
      expect((await store.getProfile(id))?.version).toBe(2);
    });

    it('replaces a profile by a tombstone, conditionally, and deletes it', async () => {
      // Prepare
      const id = fresh('p');
      await store.saveProfile(profile(id), undefined);
      // Act
      await expect(store.markMerged(id, 'p_winner', 7)).rejects.toBeInstanceOf(ProfileVersionConflictError);
      await store.markMerged(id, 'p_winner', 1);
      const tombstone = await store.getProfile(id);
      await expect(store.saveProfile(profile(id), 1)).rejects.toBeInstanceOf(ProfileVersionConflictError);
      await store.deleteProfile(id);
      // Assess
      expect(tombstone).toEqual({ kind: 'merged', mergedInto: 'p_winner', version: 2 });
      expect(await store.getProfile(id)).toBeUndefined();
    });

    it('tombstones a profile that was never saved (expected version 0) so a late create conflicts', async () => {
      // Prepare
      const id = fresh('p');
      // Act
      await store.markMerged(id, 'p_winner', 0);
      // Assess
      await expect(store.saveProfile(profile(id), undefined)).rejects.toBeInstanceOf(ProfileVersionConflictError);
      expect(await store.getProfile(id)).toEqual({ kind: 'merged', mergedInto: 'p_winner', version: 1 });
    });

    it('drops undefined fields instead of failing', async () => {
      // Prepare
      const id = fresh('p');
      // Act
      await store.saveProfile({ ...profile(id), timezone: undefined }, undefined);
      // Assess
      const stored = await store.getProfile(id);
      expect(stored?.kind === 'profile' && 'timezone' in stored.profile).toBe(false);
    });
  });

  describe('raw events', () => {
    it('stores events idempotently and lists them newest first, page by page', async () => {
      // Prepare
      const id = fresh('p');
      const events = Array.from({ length: 30 }, (_, i) => event(`m${String(i).padStart(2, '0')}`, `2026-11-01T00:00:${String(i).padStart(2, '0')}.000Z`));
      // Act: 30 events in two chunks of the batch write, then the first ten again with a duplicate inside
      await store.putEvents(id, events, 2_000_000_000);
      await store.putEvents(id, [...events.slice(0, 10), events[0]], 2_000_000_000);
      const first = await store.listEvents(id, { limit: 12 });
      const second = await store.listEvents(id, { limit: 12, before: first.next });
      const third = await store.listEvents(id, { limit: 12, before: second.next });
      // Assess
      expect(first.events.map((e) => e.messageId)).toEqual(events.slice(18).reverse().map((e) => e.messageId));
      expect(second.events.map((e) => e.messageId)).toEqual(events.slice(6, 18).reverse().map((e) => e.messageId));
      expect(third.events.map((e) => e.messageId)).toEqual(events.slice(0, 6).reverse().map((e) => e.messageId));
      expect(third.next).toBeUndefined();
      expect(first.events[0]).toEqual(events[29]);
    });

    it('reports which events are stored already, by messageId and timestamp', async () => {
      // Prepare
      const id = fresh('p');
      await store.putEvents(id, [event('m1', '2026-11-01T00:00:01.000Z'), event('m2', '2026-11-01T00:00:02.000Z')], 2_000_000_000);
      // Act
      const stored = await store.findStoredEvents(id, [
        event('m1', '2026-11-01T00:00:01.000Z'),
        event('m2', '2026-11-01T00:00:02.000Z'),
        event('m3', '2026-11-01T00:00:03.000Z'),
      ]);
      const elsewhere = await store.findStoredEvents(fresh('p'), [event('m1', '2026-11-01T00:00:01.000Z')]);
      // Assess
      expect(stored).toEqual(new Set(['m1', 'm2']));
      expect(elsewhere.size).toBe(0);
    });

    it('deletes every event of one profile and no other', async () => {
      // Prepare
      const id = fresh('p');
      const other = fresh('p');
      await store.putEvents(id, Array.from({ length: 40 }, (_, i) => event(`m${i}`, `2026-11-01T00:00:${String(i).padStart(2, '0')}.000Z`)), 2_000_000_000);
      await store.putEvents(other, [event('o1', '2026-11-01T00:00:00.000Z')], 2_000_000_000);
      await store.saveProfile(profile(id), undefined);
      // Act
      const deleted = await store.deleteEvents(id);
      const again = await store.deleteEvents(id);
      // Assess
      expect([deleted, again]).toEqual([40, 0]);
      expect((await store.listEvents(id, { limit: 10 })).events).toEqual([]);
      expect((await store.listEvents(other, { limit: 10 })).events).toHaveLength(1);
      expect(await store.getProfile(id)).toBeDefined();
    });
  });

  describe('due for evaluation', () => {
    it('lists profiles due at or before now within the lookback, and not the others', async () => {
      // Prepare
      const now = new Date('2030-01-10T12:30:00.000Z');
      const due = [fresh('due'), fresh('due'), fresh('due')];
      const later = fresh('later');
      const tooOld = fresh('old');
      const cleared = fresh('cleared');
      await store.saveProfile(profile(due[0], { nextEvaluationAt: '2030-01-10T12:30:00.000Z' }), undefined);
      await store.saveProfile(profile(due[1], { nextEvaluationAt: '2030-01-10T03:00:00.000Z' }), undefined);
      await store.saveProfile(profile(due[2], { nextEvaluationAt: '2030-01-08T12:00:00.000Z' }), undefined);
      await store.saveProfile(profile(later, { nextEvaluationAt: '2030-01-10T12:30:00.001Z' }), undefined);
      await store.saveProfile(profile(tooOld, { nextEvaluationAt: '2030-01-08T11:59:59.999Z' }), undefined);
      await store.saveProfile(profile(cleared, { nextEvaluationAt: '2030-01-10T01:00:00.000Z' }), undefined);
      await store.saveProfile(profile(cleared), 1);
      // Act
      const listed: string[] = [];
      for await (const profileId of store.listDueForEvaluation(now, new Date(now.getTime() - 48 * 3_600_000))) listed.push(profileId);
      // Assess
      expect(listed.sort()).toEqual([...due].sort());
    });
  });
});

describe('DynamoProfileStore item layout', () => {
  it('writes the profile under its key with the sparse index attributes and removes them when unset', async () => {
    // Prepare
    const id = fresh('p');
    // Act
    await dynamo.saveProfile(profile(id, { nextEvaluationAt: '2030-02-01T05:06:07.000Z' }), undefined);
    const withDue = (await table.client.send(new GetCommand({ TableName: table.tableName, Key: keys.profile(id) }))).Item;
    const bucket = evalBucketFor(id, '2030-02-01T05:06:07.000Z');
    const indexed = await table.client.send(new QueryCommand({
      TableName: table.tableName, IndexName: EVAL_INDEX,
      KeyConditionExpression: 'evalBucket = :b', ExpressionAttributeValues: { ':b': bucket },
    }));
    await dynamo.saveProfile(profile(id), 1);
    const withoutDue = (await table.client.send(new GetCommand({ TableName: table.tableName, Key: keys.profile(id) }))).Item;
    // Assess
    expect(bucket).toMatch(/^2030-02-01T05#([0-9]|1[0-5])$/);
    expect(withDue).toMatchObject({ pk: `PROFILE#${id}`, sk: 'PROFILE', version: 1, evalBucket: bucket, nextEvaluationAt: '2030-02-01T05:06:07.000Z' });
    expect(indexed.Items?.map((item) => item.pk)).toContain(`PROFILE#${id}`);
    expect(withoutDue).not.toHaveProperty('evalBucket');
    expect(withoutDue).not.toHaveProperty('nextEvaluationAt');
  });

  it('keeps the shard stable for a profile id and spreads ids over the shards', () => {
    const shards = new Set(Array.from({ length: 200 }, (_, i) => evalBucketFor(`p_${i}`, '2030-01-01T00:00:00.000Z')));
    expect(evalBucketFor('p_1', '2030-01-01T00:00:00.000Z')).toBe(evalBucketFor('p_1', '2030-01-01T00:59:00.000Z'));
    expect(shards.size).toBe(16);
  });

  it('stores raw events with their TTL and rejects a cursor from another profile', async () => {
    // Prepare
    const id = fresh('p');
    const e = event('m1', '2026-11-01T00:00:01.000Z');
    await dynamo.putEvents(id, [e, event('m2', '2026-11-01T00:00:02.000Z')], 1_900_000_000);
    const { next } = await dynamo.listEvents(id, { limit: 1 });
    // Act
    const item = (await table.client.send(new GetCommand({ TableName: table.tableName, Key: keys.event(id, e.timestamp, e.messageId) }))).Item;
    // Assess
    expect(item).toMatchObject({ event: e, expiresAt: 1_900_000_000 });
    await expect(dynamo.listEvents(fresh('p'), { limit: 1, before: next })).rejects.toThrow(/another profile/);
  });
});
