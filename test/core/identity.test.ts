import type { CustomerEvent } from '../../lib/core/events';
import { identityKeysOf, MissingIdentityError, planIdentity, profileIdFor } from '../../lib/core/identity';
import type { Profile } from '../../lib/core/profile';
import { emptyProfile } from '../../lib/core/reducer';

function ev(partial: Partial<CustomerEvent>): CustomerEvent {
  return {
    type: 'track',
    event: 'Product Viewed',
    messageId: 'm-1',
    properties: {},
    traits: {},
    context: {},
    timestamp: '2026-03-01T10:00:00.000Z',
    receivedAt: '2026-03-01T10:00:01.000Z',
    source: 'web',
    ...partial,
  };
}

function profile(id: string, createdAt: string, userIds: string[] = []): Profile {
  const empty = emptyProfile(id, createdAt);
  return { ...empty, identities: { ...empty.identities, userIds } };
}

const profilesOf = (...list: Profile[]) => new Map(list.map((p) => [p.profileId, p]));

describe('profileIdFor', () => {
  it('is p_ + the first 24 hex characters of sha256("kind:id")', () => {
    // Prepare: printf 'user:u-42' | sha256sum
    const expected = 'p_3d513f9350cd3dc3602bad52';

    // Act / Assess
    expect(profileIdFor({ kind: 'user', id: 'u-42' })).toBe(expected);
    expect(profileIdFor({ kind: 'user', id: 'u-42' })).toMatch(/^p_[0-9a-f]{24}$/);
    expect(profileIdFor({ kind: 'anonymous', id: 'u-42' })).not.toBe(expected);
  });
});

describe('identityKeysOf', () => {
  it.each([
    ['user and anonymous', ev({ userId: 'u', anonymousId: 'a' }), ['user:u', 'anonymous:a']],
    ['anonymous only', ev({ anonymousId: 'a' }), ['anonymous:a']],
    ['alias: previousId as both kinds', ev({ type: 'alias', userId: 'u', previousId: 'p' }), ['user:u', 'user:p', 'anonymous:p']],
    ['previousId ignored outside alias', ev({ userId: 'u', previousId: 'p' }), ['user:u']],
  ])('%s', (_name, event, expected) => {
    expect(identityKeysOf(event).map((k) => `${k.kind}:${k.id}`)).toEqual(expected);
  });
});

describe('planIdentity', () => {
  const anonProfile = profile('p_anon', '2026-01-01T00:00:00Z');
  const userProfile = profile('p_user', '2026-02-01T00:00:00Z', ['u-1']);
  const otherUser = profile('p_other', '2025-01-01T00:00:00Z', ['u-2']);
  const older = profile('p_old', '2025-06-01T00:00:00Z');

  it.each([
    [
      'nothing linked: create from the userId',
      ev({ userId: 'u-1', anonymousId: 'a-1' }),
      [],
      { action: 'create', profileId: profileIdFor({ kind: 'user', id: 'u-1' }), link: [{ kind: 'user', id: 'u-1' }, { kind: 'anonymous', id: 'a-1' }] },
    ],
    [
      'nothing linked, anonymous only: create from the anonymousId',
      ev({ anonymousId: 'a-1' }),
      [],
      { action: 'create', profileId: profileIdFor({ kind: 'anonymous', id: 'a-1' }), link: [{ kind: 'anonymous', id: 'a-1' }] },
    ],
    [
      'anonymous profile identified: use it and link the userId',
      ev({ type: 'identify', userId: 'u-1', anonymousId: 'a-1' }),
      [['anonymous:a-1', 'p_anon']],
      { action: 'use', profileId: 'p_anon', link: [{ kind: 'user', id: 'u-1' }] },
    ],
    [
      'both linked to one profile: use it, nothing to link',
      ev({ userId: 'u-1', anonymousId: 'a-1' }),
      [['anonymous:a-1', 'p_user'], ['user:u-1', 'p_user']],
      { action: 'use', profileId: 'p_user', link: [] },
    ],
    [
      'two profiles: merge into the userId profile even if it is younger',
      ev({ userId: 'u-1', anonymousId: 'a-1' }),
      [['anonymous:a-1', 'p_anon'], ['user:u-1', 'p_user']],
      { action: 'merge', into: 'p_user', from: ['p_anon'], link: [] },
    ],
    [
      'shared device: the anonymousId belongs to another user, route to the userId profile without linking it',
      ev({ userId: 'u-1', anonymousId: 'a-shared' }),
      [['anonymous:a-shared', 'p_other'], ['user:u-1', 'p_user']],
      { action: 'use', profileId: 'p_user', link: [] },
    ],
    [
      'shared device, new user: create the user profile',
      ev({ userId: 'u-3', anonymousId: 'a-shared' }),
      [['anonymous:a-shared', 'p_other']],
      { action: 'create', profileId: profileIdFor({ kind: 'user', id: 'u-3' }), link: [{ kind: 'user', id: 'u-3' }] },
    ],
    [
      'alias of an unlinked previousId: link it as anonymous',
      ev({ type: 'alias', userId: 'u-1', previousId: 'a-old' }),
      [['user:u-1', 'p_user']],
      { action: 'use', profileId: 'p_user', link: [{ kind: 'anonymous', id: 'a-old' }] },
    ],
    [
      'alias merges even another user into the userId profile',
      ev({ type: 'alias', userId: 'u-1', previousId: 'u-2' }),
      [['user:u-2', 'p_other'], ['user:u-1', 'p_user']],
      { action: 'merge', into: 'p_user', from: ['p_other'], link: [] },
    ],
    [
      'alias with an unlinked userId merges into the oldest profile',
      ev({ type: 'alias', userId: 'u-9', anonymousId: 'a-1', previousId: 'a-old' }),
      [['anonymous:a-1', 'p_anon'], ['anonymous:a-old', 'p_old']],
      { action: 'merge', into: 'p_old', from: ['p_anon'], link: [{ kind: 'user', id: 'u-9' }] },
    ],
    [
      'alias, nothing linked: create and link previousId as anonymous',
      ev({ type: 'alias', userId: 'u-9', previousId: 'x' }),
      [],
      { action: 'create', profileId: profileIdFor({ kind: 'user', id: 'u-9' }), link: [{ kind: 'user', id: 'u-9' }, { kind: 'anonymous', id: 'x' }] },
    ],
  ] as const)('%s', (_name, event, links, expected) => {
    // Prepare
    const linked = new Map<string, string>(links.map(([k, v]) => [k, v]));

    // Act
    const plan = planIdentity(event, linked, profilesOf(anonProfile, userProfile, otherUser, older));

    // Assess
    expect(plan).toEqual(expected);
  });

  it('throws MissingIdentityError for an event without userId or anonymousId', () => {
    expect(() => planIdentity(ev({ messageId: 'bad' }), new Map(), new Map())).toThrow(MissingIdentityError);
  });
});
