import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CounterIncrement, JourneyStore } from '../core/ports';
import type { MessageLogEntry } from '../core/profile';
import { COUNTER_SHARDS, PK, SK, TTL_ATTRIBUTE, keys } from './table-keys';

export interface DynamoJourneyStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** The time send claims are stamped with (their TTL counts from it). @default the system clock */
  readonly now?: () => Date;
}

/** A claim outlives any run (an execution lasts at most a year), so a retry can never send twice. */
export const SEND_CLAIM_TTL_DAYS = 400;

/**
 * The {@link JourneyStore} on the profiles table (layout in `table-keys.ts`): send claims and the
 * message history sit in the profile's partition, the provider-id index in its own item, counters
 * in the journey's partition. Every call is one conditional PutItem, GetItem, DeleteItem, UpdateItem
 * (ADD) or a Query of one partition.
 *
 * Counters: an increment goes to one of {@link COUNTER_SHARDS} items chosen at random, and a read
 * sums them. That keeps each item well under DynamoDB's 1,000 writes/s per item and lets the hot
 * journey partition split by sort key; reads stay one Query.
 *
 * @example
 * const journeyStore = new DynamoJourneyStore({ client: documentClient(), tableName: process.env.TABLE_NAME! });
 * if (await journeyStore.claimSend(profileId, runId, stepId)) await sender.send(message);
 */
export class DynamoJourneyStore implements JourneyStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly now: () => Date;

  public constructor(options: DynamoJourneyStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.now = options.now ?? (() => new Date());
  }

  public async claimSend(profileId: string, runId: string, stepId: string): Promise<boolean> {
    const claimedAt = this.now();
    try {
      await this.client.send(new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.sendClaim(profileId, runId, stepId), claimedAt: claimedAt.toISOString(), [TTL_ATTRIBUTE]: epochSeconds(claimedAt) + SEND_CLAIM_TTL_DAYS * 86_400 },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': PK },
      }));
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  public async releaseSend(profileId: string, runId: string, stepId: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: keys.sendClaim(profileId, runId, stepId) }));
  }

  public async recordMessage(profileId: string, entry: MessageLogEntry, expiresAt: number): Promise<void> {
    const history = this.client.send(new PutCommand({
      TableName: this.tableName,
      Item: { ...keys.message(profileId, entry.at, entry.runId, entry.stepId), profileId, entry, [TTL_ATTRIBUTE]: expiresAt },
    }));
    const index = entry.providerMessageId === undefined
      ? undefined
      : this.client.send(new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.providerMessage(entry.providerMessageId), profileId, entry, [TTL_ATTRIBUTE]: expiresAt },
        }));
    await Promise.all([history, index]);
  }

  public async findMessage(providerMessageId: string): Promise<{ profileId: string; entry: MessageLogEntry } | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.providerMessage(providerMessageId) }));
    return Item === undefined ? undefined : { profileId: Item.profileId as string, entry: Item.entry as MessageLogEntry };
  }

  public async incrementCounters(journeyId: string, increments: readonly CounterIncrement[]): Promise<void> {
    await Promise.all(increments.filter((increment) => increment.by !== 0).map((increment) => {
      const shard = Math.floor(Math.random() * COUNTER_SHARDS);
      return this.client.send(new UpdateCommand({
        TableName: this.tableName,
        Key: keys.counter(journeyId, increment.stepId, increment.variant, increment.metric, shard),
        UpdateExpression: 'ADD #count :by SET #step = :step, #variant = :variant, #metric = :metric',
        ExpressionAttributeNames: { '#count': 'count', '#step': 'stepId', '#variant': 'variant', '#metric': 'metric' },
        ExpressionAttributeValues: { ':by': increment.by, ':step': increment.stepId, ':variant': increment.variant, ':metric': increment.metric },
      }));
    }));
  }

  public async readCounters(journeyId: string): Promise<CounterIncrement[]> {
    const totals = new Map<string, CounterIncrement>();
    const pages = paginateQuery({ client: this.client }, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
      ExpressionAttributeValues: { ':pk': keys.journeyPartition(journeyId), ':prefix': keys.counterPrefix },
    });
    for await (const { Items = [] } of pages) {
      for (const item of Items) addTo(totals, { stepId: item.stepId as string, variant: item.variant as string, metric: item.metric as string, by: Number(item.count ?? 0) });
    }
    return sortCounters([...totals.values()]);
  }
}

/** Sum an increment into totals keyed by step, variant and metric. */
export function addTo(totals: Map<string, CounterIncrement>, increment: CounterIncrement): void {
  const key = `${increment.stepId}#${increment.variant}#${increment.metric}`;
  const current = totals.get(key);
  totals.set(key, { ...increment, by: (current?.by ?? 0) + increment.by });
}

/** Counters in a stable order: by step, variant, metric. */
export function sortCounters(counters: CounterIncrement[]): CounterIncrement[] {
  const key = (c: CounterIncrement) => `${c.stepId}\u0000${c.variant}\u0000${c.metric}`;
  return counters.sort((a, b) => key(a).localeCompare(key(b)));
}

function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
