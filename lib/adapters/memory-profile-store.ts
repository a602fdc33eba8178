import type { CustomerEvent } from '../core/events';
import type { Profile } from '../core/profile';
import { ProfileVersionConflictError, identityKeyString, type IdentityKey, type ProfileStore, type StoredProfile } from '../core/ports';

type Item =
  | { readonly kind: 'profile'; readonly json: string; readonly version: number }
  | { readonly kind: 'merged'; readonly mergedInto: string; readonly version: number };

/**
 * A {@link ProfileStore} in memory with the semantics of the DynamoDB one: conditional writes with
 * version conflicts, tombstones, idempotent event keys (`timestamp#messageId`), newest-first pages
 * with an opaque cursor, and due-for-evaluation limited to the lookback window. Values are copied
 * in and out as JSON (undefined dropped, as DynamoDB would), so callers cannot mutate stored state.
 * For unit tests and benches; not for production (one process, no durability).
 *
 * @example
 * const store = new MemoryProfileStore();
 * await store.saveProfile(emptyProfile('p_1', now), undefined); // 1
 */
export class MemoryProfileStore implements ProfileStore {
  private readonly links = new Map<string, string>();
  private readonly profiles = new Map<string, Item>();
  /** profileId -> sort key (`timestamp#messageId`) -> event JSON and expiry. */
  private readonly events = new Map<string, Map<string, { json: string; expiresAt: number }>>();

  public async findProfileIds(keys: readonly IdentityKey[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const key of keys) {
      const profileId = this.links.get(identityKeyString(key));
      if (profileId !== undefined) found.set(identityKeyString(key), profileId);
    }
    return found;
  }

  public async linkIdentity(key: IdentityKey, profileId: string): Promise<string> {
    const existing = this.links.get(identityKeyString(key));
    if (existing !== undefined) return existing;
    this.links.set(identityKeyString(key), profileId);
    return profileId;
  }

  public async relinkIdentity(key: IdentityKey, profileId: string): Promise<void> {
    this.links.set(identityKeyString(key), profileId);
  }

  public async deleteIdentity(key: IdentityKey): Promise<void> {
    this.links.delete(identityKeyString(key));
  }

  public async getProfile(profileId: string): Promise<StoredProfile | undefined> {
    const item = this.profiles.get(profileId);
    if (item === undefined) return undefined;
    return item.kind === 'merged' ? { ...item } : { kind: 'profile', profile: JSON.parse(item.json) as Profile, version: item.version };
  }

  public async saveProfile(profile: Profile, expectedVersion: number | undefined): Promise<number> {
    this.checkVersion(profile.profileId, expectedVersion);
    const version = (expectedVersion ?? 0) + 1;
    this.profiles.set(profile.profileId, { kind: 'profile', json: JSON.stringify(profile), version });
    return version;
  }

  /** `expectedVersion` 0 means "no item yet", as in the DynamoDB store. */
  public async markMerged(profileId: string, mergedInto: string, expectedVersion: number): Promise<void> {
    this.checkVersion(profileId, expectedVersion === 0 ? undefined : expectedVersion);
    this.profiles.set(profileId, { kind: 'merged', mergedInto, version: expectedVersion + 1 });
  }

  public async deleteProfile(profileId: string): Promise<void> {
    this.profiles.delete(profileId);
  }

  public async putEvents(profileId: string, events: readonly CustomerEvent[], expiresAt: number): Promise<void> {
    const stored = this.events.get(profileId) ?? new Map<string, { json: string; expiresAt: number }>();
    for (const event of events) stored.set(`${event.timestamp}#${event.messageId}`, { json: JSON.stringify(event), expiresAt });
    this.events.set(profileId, stored);
  }

  public async findStoredEvents(profileId: string, events: readonly CustomerEvent[]): Promise<Set<string>> {
    const stored = this.events.get(profileId);
    return new Set(events.filter((event) => stored?.has(`${event.timestamp}#${event.messageId}`)).map((event) => event.messageId));
  }

  public async listEvents(profileId: string, options: { limit: number; before?: string }): Promise<{ events: CustomerEvent[]; next?: string }> {
    const before = options.before === undefined ? undefined : Buffer.from(options.before, 'base64url').toString('utf8');
    const sortKeys = [...(this.events.get(profileId)?.keys() ?? [])]
      .sort()
      .reverse()
      .filter((sk) => before === undefined || sk < before);
    const page = sortKeys.slice(0, options.limit);
    const last = page.at(-1);
    return {
      events: page.map((sk) => JSON.parse(this.events.get(profileId)?.get(sk)?.json ?? 'null') as CustomerEvent),
      next: sortKeys.length > options.limit && last !== undefined ? Buffer.from(last).toString('base64url') : undefined,
    };
  }

  public async deleteEvents(profileId: string): Promise<number> {
    const count = this.events.get(profileId)?.size ?? 0;
    this.events.delete(profileId);
    return count;
  }

  private reevaluationCursor: string | undefined;

  public async getReevaluationCursor(): Promise<string | undefined> {
    return this.reevaluationCursor;
  }

  public async setReevaluationCursor(at: string): Promise<void> {
    this.reevaluationCursor = at;
  }

  public async *listDueForEvaluation(now: Date, since: Date): AsyncIterable<string> {
    // Same window as the index buckets: from the start of the hour of `since` up to now.
    const from = new Date(Math.floor(since.getTime() / 3_600_000) * 3_600_000).toISOString();
    const to = now.toISOString();
    for (const [profileId, item] of [...this.profiles]) {
      if (item.kind !== 'profile') continue;
      const due = (JSON.parse(item.json) as Profile).nextEvaluationAt;
      if (due !== undefined && due >= from && due <= to) yield profileId;
    }
  }

  /** Everything stored, for assertions: identity links, profile ids and event counts. */
  public snapshot(): { links: Record<string, string>; profiles: string[]; events: Record<string, number> } {
    return {
      links: Object.fromEntries(this.links),
      profiles: [...this.profiles.keys()],
      events: Object.fromEntries([...this.events].map(([id, stored]) => [id, stored.size])),
    };
  }

  private checkVersion(profileId: string, expectedVersion: number | undefined): void {
    const current = this.profiles.get(profileId);
    if (expectedVersion === undefined ? current !== undefined : current?.version !== expectedVersion) {
      throw new ProfileVersionConflictError(profileId);
    }
  }
}
