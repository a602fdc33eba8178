import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { WriteKey, WriteKeyStore } from '../core/ports';
import { keys } from './table-keys';

export interface DynamoWriteKeyStoreOptions {
  /** Stamps `createdAt` on new keys. @default () => new Date() */
  readonly now?: () => Date;
}

/**
 * {@link WriteKeyStore} on the profiles table: one item per key at `keys.writeKey(sha256)`, holding
 * the source `name` and `createdAt` (ISO 8601). Only the hash is stored, never the key.
 *
 * @example
 * const store = new DynamoWriteKeyStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), 'profiles');
 * await store.put(hashWriteKey(key), { name: 'web' });
 * await store.findByHash(hashWriteKey(key)); // { name: 'web' }
 */
export class DynamoWriteKeyStore implements WriteKeyStore {
  private readonly now: () => Date;

  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: DynamoWriteKeyStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  public async findByHash(sha256Hex: string): Promise<WriteKey | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.writeKey(sha256Hex) }));
    return typeof Item?.name === 'string' ? { name: Item.name } : undefined;
  }

  public async put(sha256Hex: string, key: WriteKey): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.writeKey(sha256Hex), name: key.name, createdAt: this.now().toISOString() },
      }),
    );
  }
}
