import { createHash } from 'node:crypto';
import type { CustomerEvent } from './events';
import { identityKeyString, type IdentityKey } from './ports';
import type { Profile } from './profile';

/**
 * What to do with an event's identities. `link`: keys of the event that are not linked yet and
 * must be linked to the resulting profile. For a merge, relinking the keys of the `from` profiles
 * is the merge's own job and is not listed here.
 */
export type IdentityPlan =
  | { readonly action: 'create'; readonly profileId: string; readonly link: IdentityKey[] }
  | { readonly action: 'use'; readonly profileId: string; readonly link: IdentityKey[] }
  | { readonly action: 'merge'; readonly into: string; readonly from: string[]; readonly link: IdentityKey[] };

/** The event carries neither a userId nor an anonymousId (ingest rejects those, so this is a bug upstream). */
export class MissingIdentityError extends Error {
  public constructor(public readonly messageId: string) {
    super(`event ${messageId} has neither userId nor anonymousId`);
    this.name = 'MissingIdentityError';
  }
}

/**
 * The profile id a new customer gets from its first identity key. Deterministic, so two concurrent
 * first events of one customer agree on the id and the conditional write settles the race.
 *
 * @example
 * profileIdFor({ kind: 'user', id: 'u-42' }); // 'p_' + 24 hex characters
 */
export function profileIdFor(key: IdentityKey): string {
  return `p_${createHash('sha256').update(identityKeyString(key)).digest('hex').slice(0, 24)}`;
}

/**
 * The identity keys to look up for an event: `user:userId`, `anonymous:anonymousId`, and for an
 * `alias` its previousId as both kinds, since Segment does not say which kind it is.
 *
 * @example
 * identityKeysOf({ ...event, type: 'alias', userId: 'u-1', previousId: 'a-1' });
 * // [{ kind: 'user', id: 'u-1' }, { kind: 'user', id: 'a-1' }, { kind: 'anonymous', id: 'a-1' }]
 */
export function identityKeysOf(event: CustomerEvent): IdentityKey[] {
  const keys: IdentityKey[] = [];
  if (event.userId) keys.push({ kind: 'user', id: event.userId });
  if (event.anonymousId) keys.push({ kind: 'anonymous', id: event.anonymousId });
  if (event.type === 'alias' && event.previousId) {
    keys.push({ kind: 'user', id: event.previousId }, { kind: 'anonymous', id: event.previousId });
  }
  const unique = new Map(keys.map((key) => [identityKeyString(key), key]));
  return [...unique.values()];
}

/**
 * Decide which profile an event belongs to, from the links of its identity keys
 * (`linked`: identityKeyString -> profileId) and the linked profiles themselves (`profiles` must
 * hold every profile that `linked` points at).
 *
 * Rules:
 * - The primary key is `user:userId` if the event has a userId, else `anonymous:anonymousId`.
 * - No key linked: create the profile `profileIdFor(primary)` and link every key.
 * - One profile linked: use it and link the keys not linked yet.
 * - Several profiles linked: merge them into the profile linked by the userId key if any, else
 *   into the oldest (by `createdAt`, then `profileId`).
 * - A profile holds at most one userId unless an `alias` says otherwise: when the anonymousId is
 *   linked to a profile with a different userId (a shared device), nothing is merged and the
 *   anonymousId is not linked; the event goes to the userId's profile, created if needed.
 * - `alias` always merges every linked profile. An unlinked previousId is linked as anonymous,
 *   unless `user:previousId` is already linked.
 *
 * @example
 * planIdentity(identifyEvent, new Map([['anonymous:a-1', 'p_a']]), profiles);
 * // { action: 'use', profileId: 'p_a', link: [{ kind: 'user', id: 'u-1' }] }
 */
export function planIdentity(
  event: CustomerEvent,
  linked: ReadonlyMap<string, string>,
  profiles: ReadonlyMap<string, Profile>,
): IdentityPlan {
  const primary = primaryKey(event);
  const candidates = candidateKeys(event, linked, profiles);
  const profileIds = [...new Set(candidates.flatMap((key) => present(linked.get(identityKeyString(key)))))];
  const link = candidates.filter((key) => !linked.has(identityKeyString(key)));
  if (profileIds.length === 0) return { action: 'create', profileId: profileIdFor(primary), link };
  if (profileIds.length === 1) return { action: 'use', profileId: profileIds[0], link };
  const into = event.userId ? linked.get(identityKeyString({ kind: 'user', id: event.userId })) : undefined;
  const target = into ?? oldest(profileIds, profiles);
  return { action: 'merge', into: target, from: profileIds.filter((id) => id !== target).sort(), link };
}

function primaryKey(event: CustomerEvent): IdentityKey {
  if (event.userId) return { kind: 'user', id: event.userId };
  if (event.anonymousId) return { kind: 'anonymous', id: event.anonymousId };
  throw new MissingIdentityError(event.messageId);
}

/** The event's keys that take part in the decision, with the shared-device and alias rules applied. */
function candidateKeys(event: CustomerEvent, linked: ReadonlyMap<string, string>, profiles: ReadonlyMap<string, Profile>): IdentityKey[] {
  const keys = identityKeysOf(event);
  if (event.type === 'alias') {
    const previous = event.previousId;
    const isLinked = (kind: IdentityKey['kind']) => previous !== undefined && linked.has(identityKeyString({ kind, id: previous }));
    return keys.filter((key) => key.id !== previous || isLinked(key.kind) || (key.kind === 'anonymous' && !isLinked('user')));
  }
  const userId = event.userId;
  if (!userId) return keys;
  return keys.filter((key) => {
    if (key.kind !== 'anonymous') return true;
    const owner = profiles.get(linked.get(identityKeyString(key)) ?? '');
    const sharedDevice = owner !== undefined && owner.identities.userIds.length > 0 && !owner.identities.userIds.includes(userId);
    return !sharedDevice;
  });
}

function oldest(profileIds: readonly string[], profiles: ReadonlyMap<string, Profile>): string {
  // A profile missing from `profiles` sorts last: it cannot be shown to be older.
  const createdAt = (id: string) => profiles.get(id)?.createdAt ?? '\uffff';
  return [...profileIds].sort((a, b) => (createdAt(a) < createdAt(b) ? -1 : createdAt(a) > createdAt(b) ? 1 : a < b ? -1 : a > b ? 1 : 0))[0];
}

function present(value: string | undefined): string[] {
  return value === undefined ? [] : [value];
}
