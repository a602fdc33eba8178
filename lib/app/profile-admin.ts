import type { CustomerEvent } from '../core/events';
import { identityKeyString, type IdentityKey, type ProfileStore } from '../core/ports';
import type { Profile } from '../core/profile';
import { readLive } from './process-events';

export type FindProfileResult =
  | { readonly found: true; readonly profile: Profile; readonly version: number }
  | { readonly found: false };

/**
 * The profile an identity key belongs to, following merge tombstones.
 *
 * @example
 * const result = await findProfile(store, { kind: 'user', id: 'u-42' });
 * if (result.found) console.log(result.profile.metrics.orders.count);
 */
export async function findProfile(store: ProfileStore, key: IdentityKey): Promise<FindProfileResult> {
  const profileId = (await store.findProfileIds([key])).get(identityKeyString(key));
  if (profileId === undefined) return { found: false };
  const { stored } = await readLive(store, profileId);
  return stored === undefined ? { found: false } : { found: true, profile: stored.profile, version: stored.version };
}

/**
 * One page of a profile's raw events, newest first (engine events such as `segment_entered`
 * included). Pass `next` back as `before` for the following page.
 *
 * @example
 * const { events, next } = await listProfileEvents(store, 'p_123', { limit: 50 });
 */
export async function listProfileEvents(
  store: ProfileStore,
  profileId: string,
  options: { readonly limit?: number; readonly before?: string } = {},
): Promise<{ events: CustomerEvent[]; next?: string }> {
  return store.listEvents(profileId, { limit: Math.min(Math.max(options.limit ?? 50, 1), 1000), before: options.before });
}

export interface EraseResult {
  /** Profile items deleted: the profile and the tombstones of the profiles merged into it. */
  readonly profiles: number;
  readonly identities: number;
  readonly events: number;
}

/**
 * Erase a customer (GDPR right to erasure): the profile, every identity link it lists (userIds and
 * anonymousIds), all its raw events, and the tombstones and events of the profiles merged into it.
 * Erasing someone already erased (or unknown) returns zero counts: it is not an error. Events still
 * in the queue for this customer will create a new profile when processed; erase again after the
 * queue drains if that matters.
 *
 * @example
 * const erased = await eraseProfile(store, { kind: 'user', id: 'u-42' });
 * // { profiles: 2, identities: 3, events: 57 }
 */
export async function eraseProfile(store: ProfileStore, target: IdentityKey | string): Promise<EraseResult> {
  const start = typeof target === 'string' ? target : (await store.findProfileIds([target])).get(identityKeyString(target));
  const keys: IdentityKey[] = typeof target === 'string' ? [] : [target];
  if (start === undefined) return { profiles: 0, identities: 0, events: 0 };

  const { profileId, stored } = await readLive(store, start);
  const profileIds = new Set([start, profileId, ...(stored?.profile.mergedFrom ?? [])]);
  if (stored !== undefined) {
    keys.push(
      ...stored.profile.identities.userIds.map((id): IdentityKey => ({ kind: 'user', id })),
      ...stored.profile.identities.anonymousIds.map((id): IdentityKey => ({ kind: 'anonymous', id })),
    );
  }
  const uniqueKeys = [...new Map(keys.map((key) => [identityKeyString(key), key])).values()];
  // Only the links that still point at this customer: an id can have moved on (a shared device).
  const owners = uniqueKeys.length === 0 ? new Map<string, string>() : await store.findProfileIds(uniqueKeys);
  const ours = uniqueKeys.filter((key) => profileIds.has(owners.get(identityKeyString(key)) ?? ''));

  // The live profile goes last: it lists everything else, so an erase that stops half-way can be
  // run again with the profileId and finish.
  let profiles = 0;
  let events = 0;
  const ordered = [...profileIds].filter((id) => id !== profileId);
  for (const id of ordered) {
    events += await store.deleteEvents(id);
    if ((await store.getProfile(id)) !== undefined) {
      await store.deleteProfile(id);
      profiles++;
    }
  }
  events += await store.deleteEvents(profileId);
  await Promise.all(ours.map((key) => store.deleteIdentity(key)));
  if (stored !== undefined) {
    await store.deleteProfile(profileId);
    profiles++;
  }
  return { profiles, identities: ours.length, events };
}
