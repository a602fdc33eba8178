import type { WriteKey, WriteKeyStore } from '../core/ports';

export interface CachedWriteKeyStoreOptions {
  /** How long a found key is trusted. @default 300_000 (5 min) */
  readonly hitTtlMs?: number;
  /** How long "no such key" is remembered: short, so a newly created key starts working soon. @default 30_000 */
  readonly missTtlMs?: number;
  /**
   * Entries kept at most; the oldest is dropped first. Misses are cached too, so without a bound a
   * client spraying random keys would grow the cache without end. @default 10_000
   */
  readonly maxEntries?: number;
  /** Milliseconds since the epoch. @default Date.now */
  readonly clock?: () => number;
}

interface Entry {
  readonly key: WriteKey | undefined;
  readonly expiresAt: number;
}

/**
 * Wraps any {@link WriteKeyStore} with an in-memory cache, so that the ingest hot path is not one
 * DynamoDB read per request. A revoked key keeps working for up to `hitTtlMs` in warm instances.
 *
 * @example
 * const writeKeys = new CachedWriteKeyStore(new DynamoWriteKeyStore(documentClient, tableName));
 * await writeKeys.findByHash(hash); // DynamoDB read
 * await writeKeys.findByHash(hash); // from memory for the next 5 minutes
 */
export class CachedWriteKeyStore implements WriteKeyStore {
  private readonly entries = new Map<string, Entry>();
  private readonly hitTtlMs: number;
  private readonly missTtlMs: number;
  private readonly maxEntries: number;
  private readonly clock: () => number;

  public constructor(private readonly inner: WriteKeyStore, options: CachedWriteKeyStoreOptions = {}) {
    this.hitTtlMs = options.hitTtlMs ?? 300_000;
    this.missTtlMs = options.missTtlMs ?? 30_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.clock = options.clock ?? Date.now;
  }

  public async findByHash(sha256Hex: string): Promise<WriteKey | undefined> {
    const cached = this.entries.get(sha256Hex);
    if (cached && cached.expiresAt > this.clock()) return cached.key;
    const key = await this.inner.findByHash(sha256Hex);
    this.remember(sha256Hex, key);
    return key;
  }

  public async put(sha256Hex: string, key: WriteKey): Promise<void> {
    await this.inner.put(sha256Hex, key);
    this.remember(sha256Hex, key);
  }

  private remember(sha256Hex: string, key: WriteKey | undefined): void {
    this.entries.delete(sha256Hex);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(sha256Hex, { key, expiresAt: this.clock() + (key ? this.hitTtlMs : this.missTtlMs) });
  }
}
