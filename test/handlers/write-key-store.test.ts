import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { CachedWriteKeyStore } from '../../lib/adapters/cached-write-key-store';
import { DynamoWriteKeyStore } from '../../lib/adapters/dynamo-write-key-store';
import type { WriteKey, WriteKeyStore } from '../../lib/core/ports';

const ddbMock = mockClient(DynamoDBDocumentClient);
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'ap-southeast-3' }));
const HASH = 'a'.repeat(64);

beforeEach(() => ddbMock.reset());

describe('DynamoWriteKeyStore', () => {
  it('puts the name and createdAt under the hashed key and reads it back', async () => {
    // Prepare
    const store = new DynamoWriteKeyStore(documentClient, 'profiles', { now: () => new Date('2024-05-01T00:00:00Z') });
    ddbMock.on(PutCommand).resolves({});
    ddbMock.on(GetCommand, { TableName: 'profiles', Key: { pk: `WRITEKEY#${HASH}`, sk: 'WRITEKEY' } }).resolves({ Item: { name: 'web' } });

    // Act
    await store.put(HASH, { name: 'web' });
    const found = await store.findByHash(HASH);

    // Assess
    expect(ddbMock.commandCalls(PutCommand)[0].args[0].input).toEqual({
      TableName: 'profiles',
      Item: { pk: `WRITEKEY#${HASH}`, sk: 'WRITEKEY', name: 'web', createdAt: '2024-05-01T00:00:00.000Z' },
    });
    expect(found).toEqual({ name: 'web' });
  });

  it('returns undefined for an unknown hash', async () => {
    ddbMock.on(GetCommand).resolves({});

    await expect(new DynamoWriteKeyStore(documentClient, 'profiles').findByHash(HASH)).resolves.toBeUndefined();
  });
});

class CountingStore implements WriteKeyStore {
  public reads = 0;
  public constructor(public readonly known = new Map<string, WriteKey>()) {}
  public async findByHash(hash: string) {
    this.reads++;
    return this.known.get(hash);
  }
  public async put(hash: string, key: WriteKey) {
    this.known.set(hash, key);
  }
}

describe('CachedWriteKeyStore', () => {
  it('serves hits from memory for 5 minutes', async () => {
    let now = 0;
    const inner = new CountingStore(new Map([['h', { name: 'web' }]]));
    const cached = new CachedWriteKeyStore(inner, { clock: () => now });

    await cached.findByHash('h');
    now = 299_999;
    expect(await cached.findByHash('h')).toEqual({ name: 'web' });
    expect(inner.reads).toBe(1);
    now = 300_000;
    await cached.findByHash('h');
    expect(inner.reads).toBe(2);
  });

  it('remembers misses for 30 seconds only, so a new key soon works', async () => {
    let now = 0;
    const inner = new CountingStore();
    const cached = new CachedWriteKeyStore(inner, { clock: () => now });

    expect(await cached.findByHash('h')).toBeUndefined();
    inner.known.set('h', { name: 'web' });
    now = 29_999;
    expect(await cached.findByHash('h')).toBeUndefined();
    now = 30_000;
    expect(await cached.findByHash('h')).toEqual({ name: 'web' });
    expect(inner.reads).toBe(2);
  });

  it('keeps at most maxEntries, dropping the oldest', async () => {
    const inner = new CountingStore();
    const cached = new CachedWriteKeyStore(inner, { maxEntries: 2, clock: () => 0 });

    await cached.findByHash('a');
    await cached.findByHash('b');
    await cached.findByHash('c');
    await cached.findByHash('c');
    await cached.findByHash('a');

    expect(inner.reads).toBe(4);
  });

  it('writes through and caches what it put', async () => {
    const inner = new CountingStore();
    const cached = new CachedWriteKeyStore(inner);

    await cached.put('h', { name: 'backend' });

    expect(await cached.findByHash('h')).toEqual({ name: 'backend' });
    expect(inner.known.get('h')).toEqual({ name: 'backend' });
    expect(inner.reads).toBe(0);
  });
});
