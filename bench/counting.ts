import { AsyncLocalStorage } from 'node:async_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CustomerEvent } from '../lib/core/events';
import type { CounterIncrement, IdentityKey, JourneyStore, ProfileStore, StoredProfile } from '../lib/core/ports';
import type { MessageLogEntry, Profile } from '../lib/core/profile';

/**
 * Counting DynamoDB traffic, for the bench only.
 *
 * The handlers build their DynamoDB clients at module scope, out of reach. So the bench patches
 * `send` on the Smithy `Client` prototype that every AWS SDK v3 client (and the lib-dynamodb
 * document client) inherits, and on the first call of each DynamoDB client adds one middleware to
 * its stack (which the document client shares). The middleware asks for
 * `ReturnConsumedCapacity: TOTAL` and adds up what DynamoDB (here dynalite, which computes it as
 * DynamoDB does: 1 KB per write unit, 4 KB per read unit, halved for eventually consistent reads)
 * returns. A failed conditional write returns no capacity but AWS bills it: it is counted as one
 * write unit. Engine code is not touched; nothing of this runs outside `npm run bench`.
 */

export interface DynamoTally {
  /** Requests by operation (PutItem, BatchWriteItem, ...). */
  readonly byCommand: Record<string, number>;
  readRequests: number;
  writeRequests: number;
  /** Items read or written (a BatchWriteItem of 25 puts is 1 request, 25 items). */
  readItems: number;
  writeItems: number;
  /** Consumed capacity as returned (on-demand: the request units billed). */
  readUnits: number;
  writeUnits: number;
  /** ConditionalCheckFailed and other errors (each failed conditional write counted as 1 write unit). */
  errors: number;
}

export function emptyTally(): DynamoTally {
  return { byCommand: {}, readRequests: 0, writeRequests: 0, readItems: 0, writeItems: 0, readUnits: 0, writeUnits: 0, errors: 0 };
}

export function addTally(into: DynamoTally, from: DynamoTally): DynamoTally {
  for (const [name, count] of Object.entries(from.byCommand)) into.byCommand[name] = (into.byCommand[name] ?? 0) + count;
  into.readRequests += from.readRequests;
  into.writeRequests += from.writeRequests;
  into.readItems += from.readItems;
  into.writeItems += from.writeItems;
  into.readUnits += from.readUnits;
  into.writeUnits += from.writeUnits;
  into.errors += from.errors;
  return into;
}

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

type Capacity = { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined;

function unitsOf(capacity: Capacity): number | undefined {
  if (capacity === undefined) return undefined;
  const list = Array.isArray(capacity) ? capacity : [capacity];
  return list.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
}

function itemsOf(operation: string, input: Record<string, any>): number {
  if (operation === 'BatchWriteItem') return Object.values(input.RequestItems ?? {}).reduce((n: number, list: any) => n + list.length, 0);
  if (operation === 'BatchGetItem') return Object.values(input.RequestItems ?? {}).reduce((n: number, entry: any) => n + (entry.Keys?.length ?? 0), 0);
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') return (input.TransactItems ?? []).length;
  return 1;
}

export interface DynamoCounter {
  /** Everything counted since the last reset. */
  total(): DynamoTally;
  reset(): void;
  /** Run `fn` so that the requests it makes are also added to `tally` (AsyncLocalStorage). */
  within<T>(tally: DynamoTally, fn: () => Promise<T>): Promise<T>;
}

let installed: DynamoCounter | undefined;

/**
 * Start counting every DynamoDB request this process makes (idempotent).
 *
 * @example
 * const counter = installDynamoCounter();
 * counter.reset(); await work(); counter.total().writeUnits;
 */
export function installDynamoCounter(): DynamoCounter {
  if (installed) return installed;
  let total = emptyTally();
  const scope = new AsyncLocalStorage<DynamoTally>();
  const record = (operation: string, input: Record<string, any>, units: number | undefined, failed: boolean) => {
    for (const tally of [total, scope.getStore()]) {
      if (tally === undefined) continue;
      tally.byCommand[operation] = (tally.byCommand[operation] ?? 0) + 1;
      const isWrite = WRITES.has(operation);
      if (isWrite) {
        tally.writeRequests += 1;
        tally.writeItems += itemsOf(operation, input);
        tally.writeUnits += units ?? (failed ? 1 : 0);
      } else if (READS.has(operation)) {
        tally.readRequests += 1;
        tally.readItems += itemsOf(operation, input);
        tally.readUnits += units ?? 0;
      }
      if (failed) tally.errors += 1;
    }
  };
  const middleware = (next: any, context: any) => async (args: any) => {
    const operation = String(context.commandName ?? '').replace(/Command$/, '');
    const counted = READS.has(operation) || WRITES.has(operation);
    if (!counted) return next(args);
    const input = { ...args.input, ReturnConsumedCapacity: 'TOTAL' };
    try {
      const result = await next({ ...args, input });
      record(operation, input, unitsOf(result.output?.ConsumedCapacity), false);
      return result;
    } catch (error) {
      record(operation, input, undefined, true);
      throw error;
    }
  };
  const stacks = new WeakSet<object>();
  // The Smithy Client class every SDK client (and the document client) extends.
  const smithyClient = Object.getPrototypeOf(DynamoDBClient.prototype) as { send: (...args: any[]) => any };
  const originalSend = smithyClient.send;
  smithyClient.send = function patchedSend(this: any, ...args: any[]) {
    if (this?.config?.serviceId === 'DynamoDB' && this.middlewareStack && !stacks.has(this.middlewareStack)) {
      stacks.add(this.middlewareStack);
      this.middlewareStack.add(middleware, { step: 'initialize', priority: 'high', name: 'benchDynamoCounter' });
    }
    return originalSend.apply(this, args);
  };
  installed = {
    total: () => total,
    reset: () => {
      total = emptyTally();
    },
    within: (tally, fn) => scope.run(tally, fn),
  };
  return installed;
}

/**
 * A ProfileStore wrapper that counts, per call, the DynamoDB requests and items that
 * `DynamoProfileStore` would make for it (its batch sizes: 100 keys per BatchGetItem, 25 items per
 * BatchWriteItem). Capacity units need item sizes and are only counted against dynalite.
 */
export class CountingProfileStore implements ProfileStore {
  public constructor(private readonly inner: ProfileStore, public readonly tally: DynamoTally = emptyTally()) {}

  private count(operation: string, requests: number, items: number): void {
    if (requests === 0) return;
    this.tally.byCommand[operation] = (this.tally.byCommand[operation] ?? 0) + requests;
    if (WRITES.has(operation)) {
      this.tally.writeRequests += requests;
      this.tally.writeItems += items;
    } else {
      this.tally.readRequests += requests;
      this.tally.readItems += items;
    }
  }

  public async findProfileIds(keys: readonly IdentityKey[]): Promise<Map<string, string>> {
    const unique = new Set(keys.map((k) => `${k.kind}:${k.id}`)).size;
    this.count('BatchGetItem', Math.ceil(unique / 100), unique);
    return this.inner.findProfileIds(keys);
  }

  public async linkIdentity(key: IdentityKey, profileId: string): Promise<string> {
    const owner = await this.inner.linkIdentity(key, profileId);
    this.count('PutItem', 1, 1);
    if (owner !== profileId) {
      this.tally.errors += 1;
      this.count('GetItem', 1, 1);
    }
    return owner;
  }

  public async relinkIdentity(key: IdentityKey, profileId: string): Promise<void> {
    this.count('PutItem', 1, 1);
    return this.inner.relinkIdentity(key, profileId);
  }

  public async deleteIdentity(key: IdentityKey): Promise<void> {
    this.count('DeleteItem', 1, 1);
    return this.inner.deleteIdentity(key);
  }

  public async getProfile(profileId: string): Promise<StoredProfile | undefined> {
    this.count('GetItem', 1, 1);
    return this.inner.getProfile(profileId);
  }

  public async saveProfile(profile: Profile, expectedVersion: number | undefined): Promise<number> {
    this.count('PutItem', 1, 1);
    try {
      return await this.inner.saveProfile(profile, expectedVersion);
    } catch (error) {
      this.tally.errors += 1;
      throw error;
    }
  }

  public async markMerged(profileId: string, mergedInto: string, expectedVersion: number): Promise<void> {
    this.count('PutItem', 1, 1);
    return this.inner.markMerged(profileId, mergedInto, expectedVersion);
  }

  public async deleteProfile(profileId: string): Promise<void> {
    this.count('DeleteItem', 1, 1);
    return this.inner.deleteProfile(profileId);
  }

  public async putEvents(profileId: string, events: readonly CustomerEvent[], expiresAt: number): Promise<void> {
    const unique = new Set(events.map((e) => `${e.timestamp}#${e.messageId}`)).size;
    this.count('BatchWriteItem', Math.ceil(unique / 25), unique);
    return this.inner.putEvents(profileId, events, expiresAt);
  }

  public async findStoredEvents(profileId: string, events: readonly CustomerEvent[]): Promise<Set<string>> {
    const unique = new Set(events.map((e) => `${e.timestamp}#${e.messageId}`)).size;
    this.count('BatchGetItem', Math.ceil(unique / 100), unique);
    return this.inner.findStoredEvents(profileId, events);
  }

  public async listEvents(profileId: string, options: { limit: number; before?: string }): Promise<{ events: CustomerEvent[]; next?: string }> {
    const page = await this.inner.listEvents(profileId, options);
    this.count('Query', 1, page.events.length);
    return page;
  }

  public async deleteEvents(profileId: string): Promise<number> {
    const deleted = await this.inner.deleteEvents(profileId);
    this.count('Query', Math.max(1, Math.ceil(deleted / 1000)), deleted);
    this.count('BatchWriteItem', Math.ceil(deleted / 25), deleted);
    return deleted;
  }

  public listDueForEvaluation(now: Date, since: Date): AsyncIterable<string> {
    return this.inner.listDueForEvaluation(now, since);
  }

  public async getReevaluationCursor(): Promise<string | undefined> {
    this.count('GetItem', 1, 1);
    return this.inner.getReevaluationCursor();
  }

  public async setReevaluationCursor(at: string): Promise<void> {
    this.count('PutItem', 1, 1);
    return this.inner.setReevaluationCursor(at);
  }
}

/** A JourneyStore wrapper counting the requests `DynamoJourneyStore` would make. */
export class CountingJourneyStore implements JourneyStore {
  public constructor(private readonly inner: JourneyStore, public readonly tally: DynamoTally = emptyTally()) {}

  private count(operation: string, requests: number): void {
    if (requests === 0) return;
    this.tally.byCommand[operation] = (this.tally.byCommand[operation] ?? 0) + requests;
    if (WRITES.has(operation)) {
      this.tally.writeRequests += requests;
      this.tally.writeItems += requests;
    } else {
      this.tally.readRequests += requests;
      this.tally.readItems += requests;
    }
  }

  public async claimSend(profileId: string, runId: string, stepId: string): Promise<boolean> {
    this.count('PutItem', 1);
    return this.inner.claimSend(profileId, runId, stepId);
  }

  public async releaseSend(profileId: string, runId: string, stepId: string): Promise<void> {
    this.count('DeleteItem', 1);
    return this.inner.releaseSend(profileId, runId, stepId);
  }

  public async recordMessage(profileId: string, entry: MessageLogEntry, expiresAt: number): Promise<void> {
    this.count('PutItem', entry.providerMessageId === undefined ? 1 : 2);
    return this.inner.recordMessage(profileId, entry, expiresAt);
  }

  public async findMessage(providerMessageId: string): Promise<{ profileId: string; entry: MessageLogEntry } | undefined> {
    this.count('GetItem', 1);
    return this.inner.findMessage(providerMessageId);
  }

  public async incrementCounters(journeyId: string, increments: readonly CounterIncrement[]): Promise<void> {
    this.count('UpdateItem', increments.filter((i) => i.by !== 0).length);
    return this.inner.incrementCounters(journeyId, increments);
  }

  public async readCounters(journeyId: string): Promise<CounterIncrement[]> {
    this.count('Query', 1);
    return this.inner.readCounters(journeyId);
  }
}
