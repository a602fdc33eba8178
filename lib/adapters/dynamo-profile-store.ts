import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  paginateQuery,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { CustomerEvent } from '../core/events';
import type { Profile } from '../core/profile';
import { ProfileVersionConflictError, identityKeyString, type IdentityKey, type ProfileStore, type StoredProfile } from '../core/ports';
import { EVAL_AT, EVAL_BUCKET, EVAL_INDEX, EVAL_SHARDS, PK, SK, TTL_ATTRIBUTE, keys } from './table-keys';

export interface DynamoProfileStoreOptions {
  /** A document client; give it `marshallOptions: { removeUndefinedValues: true }` or let the store add nothing undefined. */
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** BatchGetItem takes at most 100 keys, BatchWriteItem at most 25 requests. */
const BATCH_GET_LIMIT = 100;
const BATCH_WRITE_LIMIT = 25;
/** Unprocessed batch items are throttling, not failures: retry them this many times with backoff. */
const BATCH_RETRIES = 8;
const PROFILE_PREFIX = 'PROFILE#';

/**
 * The {@link ProfileStore} on one DynamoDB table laid out as in `table-keys.ts`. Every call is a
 * single-item read or write, a batch of them, or a Query on one partition (or on one index bucket):
 * nothing Scans. Optimistic concurrency uses a `version` number on the profile item; a failed
 * condition becomes a {@link ProfileVersionConflictError}.
 *
 * @example
 * const client = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
 * const store = new DynamoProfileStore({ client, tableName: process.env.TABLE_NAME! });
 * const stored = await store.getProfile('p_123');
 */
export class DynamoProfileStore implements ProfileStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  public constructor(options: DynamoProfileStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  public async findProfileIds(identityKeys: readonly IdentityKey[]): Promise<Map<string, string>> {
    const unique = new Map(identityKeys.map((key) => [identityKeyString(key), key]));
    const items = await this.batchGet([...unique.values()].map((key) => keys.identity(key)), [PK, 'profileId']);
    const byPk = new Map(items.map((item) => [item[PK] as string, item.profileId as string]));
    const found = new Map<string, string>();
    for (const [name, key] of unique) {
      const profileId = byPk.get(keys.identity(key)[PK]);
      if (profileId !== undefined) found.set(name, profileId);
    }
    return found;
  }

  public async linkIdentity(key: IdentityKey, profileId: string): Promise<string> {
    // A link that disappears between the failed put and the read (an erase) is simply retried.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.client.send(new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.identity(key), kind: key.kind, id: key.id, profileId },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        }));
        return profileId;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.identity(key), ConsistentRead: true }));
      if (Item !== undefined) return Item.profileId as string;
    }
    throw new Error(`identity ${identityKeyString(key)} keeps appearing and disappearing`);
  }

  public async relinkIdentity(key: IdentityKey, profileId: string): Promise<void> {
    await this.client.send(new PutCommand({
      TableName: this.tableName,
      Item: { ...keys.identity(key), kind: key.kind, id: key.id, profileId },
    }));
  }

  public async deleteIdentity(key: IdentityKey): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: keys.identity(key) }));
  }

  public async getProfile(profileId: string): Promise<StoredProfile | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.profile(profileId), ConsistentRead: true }));
    if (Item === undefined) return undefined;
    if (typeof Item.mergedInto === 'string') return { kind: 'merged', mergedInto: Item.mergedInto, version: Item.version as number };
    return { kind: 'profile', profile: Item.profile as Profile, version: Item.version as number };
  }

  public async saveProfile(profile: Profile, expectedVersion: number | undefined): Promise<number> {
    const version = (expectedVersion ?? 0) + 1;
    const due = profile.nextEvaluationAt === undefined
      ? {}
      : { [EVAL_BUCKET]: evalBucketFor(profile.profileId, profile.nextEvaluationAt), [EVAL_AT]: profile.nextEvaluationAt };
    // A Put replaces the whole item, so a profile without nextEvaluationAt drops out of the sparse index.
    await this.conditionalPut(profile.profileId, { ...keys.profile(profile.profileId), profile: stripUndefined(profile), version, ...due }, expectedVersion);
    return version;
  }

  /**
   * `expectedVersion` 0 means "no item yet": a profile that was linked but never saved can be
   * tombstoned too, so a late writer of it is redirected instead of resurrecting it.
   */
  public async markMerged(profileId: string, mergedInto: string, expectedVersion: number): Promise<void> {
    await this.conditionalPut(profileId, { ...keys.profile(profileId), mergedInto, version: expectedVersion + 1 }, expectedVersion === 0 ? undefined : expectedVersion);
  }

  public async deleteProfile(profileId: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: keys.profile(profileId) }));
  }

  public async putEvents(profileId: string, events: readonly CustomerEvent[], expiresAt: number): Promise<void> {
    // BatchWriteItem rejects two requests for one key: a messageId repeated in a batch is stored once.
    const unique = new Map(events.map((event) => [keys.event(profileId, event.timestamp, event.messageId)[SK], event]));
    const requests = [...unique.values()].map((event) => ({
      PutRequest: {
        Item: { ...keys.event(profileId, event.timestamp, event.messageId), event: stripUndefined(event), [TTL_ATTRIBUTE]: expiresAt },
      },
    }));
    await this.batchWrite(requests);
  }

  /**
   * Looks events up by their full key, so it finds a redelivery of the same queue message (same
   * timestamp); a client that resends a messageId with another timestamp is caught only by the
   * profile's ring of recent messageIds.
   */
  public async findStoredEvents(profileId: string, events: readonly CustomerEvent[]): Promise<Set<string>> {
    const bySk = new Map(events.map((event) => [keys.event(profileId, event.timestamp, event.messageId)[SK], event.messageId]));
    const items = await this.batchGet([...bySk.keys()].map((sk) => ({ [PK]: `${PROFILE_PREFIX}${profileId}`, [SK]: sk })), [SK]);
    return new Set(items.map((item) => bySk.get(item[SK] as string) as string));
  }

  public async listEvents(profileId: string, options: { limit: number; before?: string }): Promise<{ events: CustomerEvent[]; next?: string }> {
    const pk = `${PROFILE_PREFIX}${profileId}`;
    // One item more than asked tells whether there is a next page without an extra empty round trip.
    const { Items = [] } = await this.client.send(new QueryCommand({
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
      ExpressionAttributeValues: { ':pk': pk, ':prefix': keys.eventPrefix },
      ScanIndexForward: false,
      Limit: options.limit + 1,
      ExclusiveStartKey: options.before === undefined ? undefined : decodeCursor(options.before, pk),
    }));
    const page = Items.slice(0, options.limit);
    const last = page.at(-1);
    const next = Items.length > options.limit && last !== undefined ? encodeCursor({ [PK]: last[PK], [SK]: last[SK] }) : undefined;
    return { events: page.map((item) => item.event as CustomerEvent), next };
  }

  public async deleteEvents(profileId: string): Promise<number> {
    let deleted = 0;
    const pages = paginateQuery({ client: this.client }, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
      ExpressionAttributeValues: { ':pk': `${PROFILE_PREFIX}${profileId}`, ':prefix': keys.eventPrefix },
      ProjectionExpression: '#pk, #sk',
    });
    for await (const { Items = [] } of pages) {
      await this.batchWrite(Items.map((item) => ({ DeleteRequest: { Key: { [PK]: item[PK], [SK]: item[SK] } } })));
      deleted += Items.length;
    }
    return deleted;
  }

  /**
   * One index Query per UTC hour bucket from the hour of `since` to `now` and per shard (16 shards
   * queried in parallel per hour): an hourly run with a cursor queries 2 hours, 32 small Queries.
   */
  public async *listDueForEvaluation(now: Date, since: Date): AsyncIterable<string> {
    const nowIso = now.toISOString();
    const firstHour = Math.floor(since.getTime() / 3_600_000);
    const lastHour = Math.floor(now.getTime() / 3_600_000);
    for (let hour = firstHour; hour <= lastHour; hour++) {
      const hourPrefix = new Date(hour * 3_600_000).toISOString().slice(0, 13);
      const shards = Array.from({ length: EVAL_SHARDS }, (_, shard) => this.queryDue(`${hourPrefix}#${shard}`, nowIso));
      for (const profileIds of await Promise.all(shards)) yield* profileIds;
    }
  }

  public async getReevaluationCursor(): Promise<string | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.reevaluationCursor }));
    return typeof Item?.at === 'string' ? Item.at : undefined;
  }

  public async setReevaluationCursor(at: string): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.reevaluationCursor, at } }));
  }

  private async queryDue(bucket: string, nowIso: string): Promise<string[]> {
    const profileIds: string[] = [];
    const pages = paginateQuery({ client: this.client }, {
      TableName: this.tableName,
      IndexName: EVAL_INDEX,
      KeyConditionExpression: '#bucket = :bucket AND #at <= :now',
      ExpressionAttributeNames: { '#bucket': EVAL_BUCKET, '#at': EVAL_AT },
      ExpressionAttributeValues: { ':bucket': bucket, ':now': nowIso },
    });
    for await (const { Items = [] } of pages) {
      for (const item of Items) profileIds.push((item[PK] as string).slice(PROFILE_PREFIX.length));
    }
    return profileIds;
  }

  private async conditionalPut(profileId: string, item: Record<string, unknown>, expectedVersion: number | undefined): Promise<void> {
    try {
      await this.client.send(new PutCommand({
        TableName: this.tableName,
        Item: item,
        ...(expectedVersion === undefined
          ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': PK } }
          : { ConditionExpression: '#version = :expected', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': expectedVersion } }),
      }));
    } catch (error) {
      if (isConditionFailure(error)) throw new ProfileVersionConflictError(profileId, { cause: error });
      throw error;
    }
  }

  private async batchGet(itemKeys: readonly Record<string, string>[], projection: readonly string[]): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    for (let i = 0; i < itemKeys.length; i += BATCH_GET_LIMIT) {
      let pending: Record<string, unknown>[] = itemKeys.slice(i, i + BATCH_GET_LIMIT);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > BATCH_RETRIES) throw new Error(`BatchGetItem left ${pending.length} key(s) unprocessed after ${BATCH_RETRIES} retries`);
        if (attempt > 0) await backoff(attempt);
        const { Responses = {}, UnprocessedKeys = {} } = await this.client.send(new BatchGetCommand({
          RequestItems: {
            [this.tableName]: {
              Keys: pending,
              ConsistentRead: true,
              ProjectionExpression: projection.map((_, n) => `#p${n}`).join(', '),
              ExpressionAttributeNames: Object.fromEntries(projection.map((name, n) => [`#p${n}`, name])),
            },
          },
        }));
        items.push(...(Responses[this.tableName] ?? []));
        pending = UnprocessedKeys[this.tableName]?.Keys ?? [];
      }
    }
    return items;
  }

  private async batchWrite(requests: readonly Record<string, unknown>[]): Promise<void> {
    for (let i = 0; i < requests.length; i += BATCH_WRITE_LIMIT) {
      let pending = requests.slice(i, i + BATCH_WRITE_LIMIT);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > BATCH_RETRIES) throw new Error(`BatchWriteItem left ${pending.length} item(s) unprocessed after ${BATCH_RETRIES} retries`);
        if (attempt > 0) await backoff(attempt);
        const { UnprocessedItems = {} } = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = UnprocessedItems[this.tableName] ?? [];
      }
    }
  }
}

/**
 * The index partition of a profile that is due at `nextEvaluationAt`: its UTC hour and a shard that
 * spreads one busy hour over {@link EVAL_SHARDS} partitions.
 *
 * @example
 * evalBucketFor('p_123', '2026-11-05T14:30:00.000Z'); // '2026-11-05T14#<0..15>'
 */
export function evalBucketFor(profileId: string, nextEvaluationAt: string): string {
  return `${nextEvaluationAt.slice(0, 13)}#${evalShardOf(profileId)}`;
}

/** FNV-1a (32 bit): stable across processes and runtimes, unlike anything seeded. */
function evalShardOf(profileId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < profileId.length; i++) {
    hash ^= profileId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % EVAL_SHARDS;
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** The document client would also do it, but only when told to: the store does not depend on client options. */
function stripUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string, pk: string): Record<string, unknown> {
  let key: Record<string, unknown>;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new RangeError('invalid events cursor: pass the `next` value of a previous page', { cause: error });
  }
  // A cursor from another profile's page would make DynamoDB reject the Query: say why instead.
  if (key[PK] !== pk || typeof key[SK] !== 'string') throw new RangeError('invalid events cursor: it belongs to another profile');
  return { [PK]: key[PK], [SK]: key[SK] };
}

function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(1000, 25 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
