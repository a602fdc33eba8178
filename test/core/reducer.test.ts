import type { EngineConfig } from '../../lib/core/config';
import type { CustomerEvent } from '../../lib/core/events';
import type { Profile } from '../../lib/core/profile';
import { emptyProfile, foldEvents, mergeProfiles } from '../../lib/core/reducer';
import { addDays, daysBetween, isValidTimeZone, utcDay } from '../../lib/core/time';

const config: EngineConfig = { segments: [] };
const T0 = '2026-03-01T00:00:00.000Z';
let seq = 0;

function ev(partial: Partial<CustomerEvent>): CustomerEvent {
  seq += 1;
  return {
    type: 'track',
    event: 'Product Viewed',
    messageId: `m-${String(seq).padStart(4, '0')}`,
    userId: 'u-1',
    properties: {},
    traits: {},
    context: {},
    timestamp: '2026-03-01T10:00:00.000Z',
    receivedAt: '2026-03-01T10:00:01.000Z',
    source: 'web',
    ...partial,
  };
}

const fold = (events: CustomerEvent[], profile: Profile = emptyProfile('p_1', T0)) => foldEvents(profile, events, config).profile;

/** The content that must not depend on order: all but updatedAt, with the dedupe ring as a set. */
const content = (p: Profile) => ({ ...p, updatedAt: undefined, recentMessageIds: [...p.recentMessageIds].sort() });

/** A deterministic shuffle (mulberry32), so a failing permutation can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let a = seed;
  const random = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('emptyProfile', () => {
  it('starts with nothing but its id and times', () => {
    // Act
    const profile = emptyProfile('p_1', T0);

    // Assess
    expect(profile).toEqual({
      profileId: 'p_1',
      identities: { userIds: [], anonymousIds: [], emails: [], phones: [], devices: [] },
      traits: {},
      traitStamps: {},
      consent: { channels: {}, topics: {} },
      metrics: { eventCounts: {}, daily: {}, orders: { count: 0, revenue: 0 }, clv: 0 },
      segments: {},
      recentMessageIds: [],
      mergedFrom: [],
      createdAt: T0,
      updatedAt: T0,
    });
  });
});

describe('foldEvents: identities', () => {
  it.each([
    ['email trimmed and lower-cased', ev({ type: 'identify', traits: { email: '  Sari@Example.CO.ID ' } }), 'emails', ['sari@example.co.id']],
    ['phone keeps + and drops separators', ev({ type: 'identify', traits: { phone: '+62 (812) 3456-78.90' } }), 'phones', ['+6281234567890']],
    ['anonymousId added', ev({ userId: undefined, anonymousId: 'a-1' }), 'anonymousIds', ['a-1']],
    ['alias previousId is anonymous', ev({ type: 'alias', userId: 'u-1', previousId: 'a-old' }), 'anonymousIds', ['a-old']],
    ['email on a track event is ignored', ev({ traits: { email: 'x@y.z' } }), 'emails', []],
  ] as const)('%s', (_name, event, field, expected) => {
    // Act
    const profile = fold([event]);

    // Assess
    expect(profile.identities[field]).toEqual(expected);
  });

  it('keeps an aliased previousId that is a userId out of anonymousIds, whichever comes first', () => {
    // Prepare
    const alias = ev({ type: 'alias', userId: 'u-2', previousId: 'u-1' });
    const identify = ev({ type: 'identify', userId: 'u-1' });

    // Act
    const both = [fold([alias, identify]), fold([identify, alias])];

    // Assess
    for (const profile of both) {
      expect(profile.identities.userIds).toEqual(['u-1', 'u-2']);
      expect(profile.identities.anonymousIds).toEqual([]);
    }
  });

  it('maps device types to push platforms, dedupes tokens and keeps the latest sighting', () => {
    // Prepare
    const events = [
      ev({ context: { device: { token: 'tok-ios', type: 'ios' } }, timestamp: '2026-03-01T01:00:00Z' }),
      ev({ context: { device: { token: 'tok-ios', type: 'ios' } }, timestamp: '2026-03-02T01:00:00Z' }),
      ev({ context: { device: { token: 'tok-and', type: 'android' } }, timestamp: '2026-03-01T05:00:00Z' }),
      ev({ context: { device: { token: 'tok-web', type: 'web' } } }),
      ev({ context: { device: { token: 'tok-tv', type: 'tvos' } }, timestamp: '2026-02-01T00:00:00Z' }),
    ];

    // Act
    const profile = fold(events);

    // Assess
    expect(profile.identities.devices).toEqual([
      { token: 'tok-ios', platform: 'apns', lastSeen: '2026-03-02T01:00:00Z' },
      { token: 'tok-and', platform: 'fcm', lastSeen: '2026-03-01T05:00:00Z' },
      { token: 'tok-tv', platform: 'apns', lastSeen: '2026-02-01T00:00:00Z' },
    ]);
  });

  it('keeps only the 10 most recently seen devices', () => {
    // Prepare: 12 devices, one a day
    const events = Array.from({ length: 12 }, (_, i) =>
      ev({ context: { device: { token: `tok-${String(i).padStart(2, '0')}`, type: 'android' } }, timestamp: `2026-03-${String(i + 1).padStart(2, '0')}T00:00:00Z` }),
    );

    // Act
    const profile = fold(shuffled(events, 7));

    // Assess
    expect(profile.identities.devices.map((d) => d.token)).toEqual(['tok-11', 'tok-10', 'tok-09', 'tok-08', 'tok-07', 'tok-06', 'tok-05', 'tok-04', 'tok-03', 'tok-02']);
  });
});

describe('foldEvents: traits, time zone, locale, location', () => {
  it('lets the last writer win per trait, by event time then messageId, and keeps null as a value', () => {
    // Prepare
    const events = [
      ev({ type: 'identify', messageId: 'b', timestamp: '2026-03-01T10:00:00Z', traits: { plan: 'gold', name: 'Sari' } }),
      ev({ type: 'identify', messageId: 'a', timestamp: '2026-03-01T10:00:00Z', traits: { plan: 'silver' } }),
      ev({ type: 'identify', messageId: 'c', timestamp: '2026-03-01T09:00:00Z', traits: { name: 'Old', city: null } }),
      ev({ type: 'group', messageId: 'd', timestamp: '2026-03-02T00:00:00Z', traits: { plan: 'enterprise' } }),
    ];

    // Act
    const profile = fold(events);

    // Assess
    expect(profile.traits).toEqual({ plan: 'gold', name: 'Sari', city: null });
    expect(profile.traitStamps).toEqual({
      plan: { at: '2026-03-01T10:00:00Z', by: 'b' },
      name: { at: '2026-03-01T10:00:00Z', by: 'b' },
      city: { at: '2026-03-01T09:00:00Z', by: 'c' },
    });
  });

  it.each([
    ['a valid IANA zone from context', { timezone: 'Asia/Jayapura' }, {}, 'Asia/Jayapura'],
    ['a valid zone from traits', {}, { timezone: 'Asia/Makassar' }, 'Asia/Makassar'],
    ['context before traits', { timezone: 'Asia/Jakarta' }, { timezone: 'Asia/Makassar' }, 'Asia/Jakarta'],
    ['an invalid context zone falls back to traits', { timezone: 'WIT' }, { timezone: 'Asia/Jayapura' }, 'Asia/Jayapura'],
    ['an unknown zone is ignored', { timezone: 'Mars/Olympus' }, {}, undefined],
    ['an offset is not a zone name', { timezone: '+09:00' }, {}, undefined],
  ])('time zone: %s', (_name, context, traits, expected) => {
    // Act
    const profile = fold([ev({ type: 'identify', context, traits })]);

    // Assess
    expect(profile.timezone?.value).toBe(expected);
  });

  it('takes locale and location (address.state as region) with their stamps', () => {
    // Prepare
    const identify = ev({ type: 'identify', messageId: 'm-loc', traits: { address: { country: 'ID', state: 'Papua', city: 'Jayapura' } }, context: { locale: 'id-ID' } });
    const older = ev({ type: 'page', timestamp: '2026-02-01T00:00:00Z', context: { location: { country: 'ID', region: 'Bali' } } });

    // Act
    const profile = fold([identify, older]);

    // Assess
    expect(profile.locale).toEqual({ value: 'id-ID', at: identify.timestamp, by: 'm-loc' });
    expect(profile.location).toEqual({ value: { country: 'ID', region: 'Papua', city: 'Jayapura' }, at: identify.timestamp, by: 'm-loc' });
  });
});

describe('foldEvents: consent', () => {
  it('records the latest grant or revocation per channel and per topic, with the source', () => {
    // Prepare
    const events = [
      ev({ event: 'Consent Granted', properties: { channel: 'email' }, timestamp: '2026-03-01T00:00:00Z', messageId: 'g1' }),
      ev({ event: 'Consent Revoked', properties: { channel: 'email', topic: 'promotions' }, timestamp: '2026-03-02T00:00:00Z', messageId: 'r1', source: 'backend' }),
      ev({ event: 'Consent Granted', properties: { channel: 'sms' }, timestamp: '2026-03-01T00:00:00Z', messageId: 'g2' }),
      ev({ event: 'Consent Granted', properties: { channel: 'fax' }, messageId: 'g3' }),
    ];

    // Act
    const profile = fold(shuffled(events, 3));

    // Assess
    expect(profile.consent).toEqual({
      channels: {
        email: { status: 'revoked', at: '2026-03-02T00:00:00Z', by: 'r1', source: 'backend' },
        sms: { status: 'granted', at: '2026-03-01T00:00:00Z', by: 'g2', source: 'web' },
      },
      topics: { promotions: { status: 'revoked', at: '2026-03-02T00:00:00Z', by: 'r1', source: 'backend' } },
    });
    expect(profile.metrics.eventCounts['Consent Granted']).toBe(3);
  });
});

describe('foldEvents: metrics', () => {
  it.each([
    ['a number', { revenue: 150_000 }, 150_000],
    ['a numeric string', { revenue: '250000.50' }, 250_000.5],
    ['total when revenue is absent', { total: 99_000 }, 99_000],
    ['zero for anything else', { revenue: 'lots' }, 0],
    ['zero for nothing', {}, 0],
  ])('Order Completed revenue from %s', (_name, properties, expected) => {
    // Act
    const profile = fold([ev({ event: 'Order Completed', properties })]);

    // Assess
    expect(profile.metrics.orders).toEqual({ count: 1, revenue: expected, firstAt: '2026-03-01T10:00:00.000Z', lastAt: '2026-03-01T10:00:00.000Z' });
    expect(profile.metrics.clv).toBe(expected);
  });

  it('subtracts refunds, counts events per key and per UTC day, and tracks first/last seen', () => {
    // Prepare
    const events = [
      ev({ event: 'Order Completed', properties: { revenue: 300_000 }, timestamp: '2026-03-01T23:30:00Z' }),
      ev({ event: 'Order Completed', properties: { total: '200000' }, timestamp: '2026-03-03T01:00:00+07:00' }),
      ev({ event: 'Order Refunded', properties: { revenue: 50_000 }, timestamp: '2026-03-04T00:00:00Z' }),
      ev({ type: 'page', event: undefined, timestamp: '2026-02-27T00:00:00Z' }),
    ];

    // Act
    const { metrics } = fold(events);

    // Assess
    expect(metrics.orders).toEqual({ count: 2, revenue: 450_000, firstAt: '2026-03-01T23:30:00Z', lastAt: '2026-03-03T01:00:00+07:00' });
    expect(metrics.clv).toBe(450_000);
    expect(metrics.eventCounts).toEqual({ 'Order Completed': 2, 'Order Refunded': 1, page: 1 });
    expect(metrics.daily).toEqual({
      'Order Completed': { '2026-03-01': 1, '2026-03-02': 1 },
      'Order Refunded': { '2026-03-04': 1 },
      page: { '2026-02-27': 1 },
    });
    expect(metrics.firstSeen).toBe('2026-02-27T00:00:00Z');
    expect(metrics.lastSeen).toBe('2026-03-04T00:00:00Z');
  });

  it('keeps daily counts only for the 90 days ending on the newest event day', () => {
    // Prepare: 2026-03-31 is the newest; 90 days back starts on 2026-01-01
    const events = [
      ev({ timestamp: '2026-03-31T12:00:00Z' }),
      ev({ timestamp: '2026-01-01T00:00:00Z' }),
      ev({ timestamp: '2025-12-31T23:59:59Z' }),
    ];

    // Act
    const inOrder = fold(events).metrics;
    const reversed = fold([...events].reverse()).metrics;

    // Assess
    expect(inOrder.daily).toEqual({ 'Product Viewed': { '2026-01-01': 1, '2026-03-31': 1 } });
    expect(inOrder.eventCounts).toEqual({ 'Product Viewed': 3 });
    expect(reversed).toEqual(inOrder);
  });
});

describe('foldEvents: dedupe, engine events, bookkeeping', () => {
  it('treats known and repeated messageIds as duplicates that change nothing', () => {
    // Prepare
    const first = foldEvents(emptyProfile('p_1', T0), [ev({ messageId: 'x1' })], config).profile;
    const again = ev({ messageId: 'x1', event: 'Order Completed', properties: { revenue: 1 } });
    const fresh = ev({ messageId: 'x2' });
    const repeat = ev({ messageId: 'x2', event: 'Order Completed' });

    // Act
    const result = foldEvents(first, [again, fresh, repeat], config);

    // Assess
    expect(result.applied).toEqual([fresh]);
    expect(result.duplicates).toEqual([again, repeat]);
    expect(result.profile.metrics.eventCounts).toEqual({ 'Product Viewed': 2 });
    expect(result.profile.recentMessageIds).toEqual(['x1', 'x2']);
  });

  it('returns the same profile when everything is a duplicate', () => {
    // Prepare
    const profile = fold([ev({ messageId: 'y1' })]);

    // Act
    const result = foldEvents(profile, [ev({ messageId: 'y1' })], config);

    // Assess
    expect(result.profile).toBe(profile);
    expect(result.applied).toEqual([]);
  });

  it('ignores engine events: neither folded nor reported', () => {
    // Act
    const result = foldEvents(emptyProfile('p_1', T0), [ev({ source: 'engine', event: 'segment_entered' })], config);

    // Assess
    expect(result.applied).toEqual([]);
    expect(result.duplicates).toEqual([]);
    expect(result.profile.metrics.eventCounts).toEqual({});
  });

  it('keeps the last 100 messageIds but never drops the ones applied in this call', () => {
    // Prepare
    const old = Array.from({ length: 95 }, (_, i) => ev({ messageId: `old-${String(i).padStart(3, '0')}` }));
    const profile = fold(old);
    const batch = Array.from({ length: 120 }, (_, i) => ev({ messageId: `new-${String(i).padStart(3, '0')}` }));
    const small = Array.from({ length: 10 }, (_, i) => ev({ messageId: `more-${i}` }));

    // Act
    const big = foldEvents(profile, batch, config).profile;
    const trimmed = foldEvents(profile, small, config).profile;

    // Assess
    expect(big.recentMessageIds).toHaveLength(120);
    expect(big.recentMessageIds[0]).toBe('new-000');
    expect(trimmed.recentMessageIds).toHaveLength(100);
    expect(trimmed.recentMessageIds[0]).toBe('old-005');
    expect(trimmed.recentMessageIds.slice(-10)).toEqual(small.map((e) => e.messageId));
  });

  it('sets updatedAt to the latest receivedAt, never backwards', () => {
    // Prepare
    const profile = emptyProfile('p_1', '2026-03-05T00:00:00.000Z');

    // Act
    const older = fold([ev({ receivedAt: '2026-03-04T00:00:00.000Z' })], profile);
    const newer = fold([ev({ receivedAt: '2026-03-06T00:00:00.000Z' }), ev({ receivedAt: '2026-03-05T12:00:00.000Z' })], profile);

    // Assess
    expect(older.updatedAt).toBe('2026-03-05T00:00:00.000Z');
    expect(newer.updatedAt).toBe('2026-03-06T00:00:00.000Z');
  });
});

describe('foldEvents: order independence', () => {
  const events = [
    ev({ type: 'identify', anonymousId: 'a-1', traits: { email: 'S@x.id', plan: 'gold', address: { state: 'Maluku' } }, timestamp: '2026-03-01T08:00:00Z', context: { timezone: 'Asia/Jayapura' } }),
    ev({ type: 'identify', traits: { plan: 'silver', phone: '0812-111' }, timestamp: '2026-03-02T08:00:00Z', context: { timezone: 'Asia/Makassar', locale: 'en-US' } }),
    ev({ type: 'identify', traits: { plan: 'bronze' }, timestamp: '2026-03-02T08:00:00Z' }),
    ev({ event: 'Order Completed', properties: { revenue: 0.1 }, timestamp: '2026-03-03T00:00:00Z' }),
    ev({ event: 'Order Completed', properties: { revenue: 0.2 }, timestamp: '2026-03-04T00:00:00Z' }),
    ev({ event: 'Order Completed', properties: { revenue: '0.3' }, timestamp: '2026-01-04T00:00:00Z' }),
    ev({ event: 'Order Refunded', properties: { total: 0.05 }, timestamp: '2026-03-05T00:00:00Z' }),
    ev({ event: 'Consent Granted', properties: { channel: 'email' }, timestamp: '2026-03-01T00:00:00Z' }),
    ev({ event: 'Consent Revoked', properties: { channel: 'email' }, timestamp: '2026-03-01T00:00:00Z' }),
    ev({ type: 'alias', userId: 'u-1', previousId: 'a-0', timestamp: '2026-02-20T00:00:00Z' }),
    ev({ type: 'screen', anonymousId: 'a-2', context: { device: { token: 't1', type: 'ipados' } }, timestamp: '2025-10-01T00:00:00Z' }),
    ev({ type: 'page', timestamp: '2026-06-30T00:00:00Z', receivedAt: '2026-06-30T00:00:01Z' }),
  ];
  const reference = fold(events);

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('gives the same profile for permutation #%i in one call', (seed) => {
    // Act
    const profile = fold(shuffled(events, seed));

    // Assess
    expect(content(profile)).toEqual(content(reference));
  });

  it.each([11, 12, 13, 14])('gives the same profile for permutation #%i folded in three calls', (seed) => {
    // Prepare
    const order = shuffled(events, seed);

    // Act
    const profile = [order.slice(0, 3), order.slice(3, 8), order.slice(8)].reduce((p, chunk) => fold(chunk, p), emptyProfile('p_1', T0));

    // Assess
    expect(content(profile)).toEqual(content(reference));
  });

  it('reaches concrete values', () => {
    // Assess: the reference itself, so a fold that ignores everything cannot pass
    // Same event time: the larger messageId wins.
    expect(reference.traits.plan).toBe('bronze');
    expect(reference.metrics.orders).toEqual({ count: 3, revenue: 0.55, firstAt: '2026-01-04T00:00:00Z', lastAt: '2026-03-04T00:00:00Z' });
    // Same event time: the larger messageId (the later-created revocation) wins.
    expect(reference.consent.channels.email?.status).toBe('revoked');
    expect(reference.timezone?.value).toBe('Asia/Makassar');
    expect(reference.identities).toEqual({
      userIds: ['u-1'],
      anonymousIds: ['a-0', 'a-1', 'a-2'],
      emails: ['s@x.id'],
      phones: ['0812111'],
      devices: [{ token: 't1', platform: 'apns', lastSeen: '2025-10-01T00:00:00Z' }],
    });
    // The page on 2026-06-30 moves the 90-day window past every order day.
    expect(reference.metrics.daily).toEqual({ page: { '2026-06-30': 1 } });
  });
});

describe('mergeProfiles', () => {
  const a = fold(
    [
      ev({ type: 'identify', userId: 'u-1', traits: { plan: 'gold', email: 'a@x.id' }, timestamp: '2026-03-02T00:00:00Z' }),
      ev({ event: 'Order Completed', properties: { revenue: 100 }, timestamp: '2026-03-02T00:00:00Z' }),
      ev({ event: 'Consent Granted', properties: { channel: 'email' }, timestamp: '2026-03-01T00:00:00Z' }),
    ],
    emptyProfile('p_a', '2026-03-02T00:00:00.000Z'),
  );
  const b = fold(
    [
      ev({ type: 'identify', userId: undefined, anonymousId: 'a-9', traits: { plan: 'silver', city: 'Ambon' }, timestamp: '2026-03-01T00:00:00Z' }),
      ev({ userId: undefined, anonymousId: 'a-9', event: 'Order Completed', properties: { revenue: 50 }, timestamp: '2026-02-01T00:00:00Z' }),
      ev({ userId: undefined, anonymousId: 'a-9', event: 'Consent Revoked', properties: { channel: 'email' }, timestamp: '2026-03-03T00:00:00Z' }),
    ],
    emptyProfile('p_b', '2026-02-01T00:00:00.000Z'),
  );

  it('joins identities, traits, consent and metrics', () => {
    // Act
    const merged = mergeProfiles(a, b);

    // Assess
    expect(merged.profileId).toBe('p_a');
    expect(merged.createdAt).toBe('2026-02-01T00:00:00.000Z');
    expect(merged.mergedFrom).toEqual(['p_b']);
    expect(merged.identities.userIds).toEqual(['u-1']);
    expect(merged.identities.anonymousIds).toEqual(['a-9']);
    expect(merged.traits).toEqual({ plan: 'gold', email: 'a@x.id', city: 'Ambon' });
    expect(merged.consent.channels.email?.status).toBe('revoked');
    expect(merged.metrics.orders).toEqual({ count: 2, revenue: 150, firstAt: '2026-02-01T00:00:00Z', lastAt: '2026-03-02T00:00:00Z' });
    expect(merged.metrics.eventCounts).toEqual({ identify: 2, 'Order Completed': 2, 'Consent Granted': 1, 'Consent Revoked': 1 });
  });

  it('has the same content whichever side wins', () => {
    // Act
    const ab = mergeProfiles(a, b);
    const ba = mergeProfiles(b, a);

    // Assess
    const strip = (p: Profile) => ({ ...p, profileId: undefined, mergedFrom: undefined });
    expect(strip(ab)).toEqual(strip(ba));
    expect(ba.mergedFrom).toEqual(['p_a']);
  });

  it('is idempotent: merging a profile already merged changes nothing', () => {
    // Prepare
    const once = mergeProfiles(a, b);

    // Act
    const twice = mergeProfiles(once, b);

    // Assess
    expect(twice).toBe(once);
    expect(mergeProfiles(a, a)).toBe(a);
  });

  it('equals folding all the events into one profile', () => {
    // Prepare
    const eventsA = [ev({ event: 'X', timestamp: '2026-03-01T00:00:00Z' }), ev({ type: 'identify', traits: { k: 1 } })];
    const eventsB = [ev({ event: 'X', timestamp: '2026-03-02T00:00:00Z' }), ev({ type: 'identify', traits: { k: 2 }, timestamp: '2026-03-09T00:00:00Z' })];

    // Act
    const merged = mergeProfiles(fold(eventsA), fold(eventsB, emptyProfile('p_2', T0)));
    const together = fold([...eventsA, ...eventsB]);

    // Assess
    expect({ ...content(merged), mergedFrom: [] }).toEqual(content(together));
  });
});

describe('mergeProfiles: journey state', () => {
  const message = (runId: string, at: string) => ({ journeyId: 'welcome', runId, stepId: 's', channel: 'email' as const, template: 't', outcome: 'sent' as const, at });
  const run = (runId: string, enteredAt: string) => ({ runId, enteredAt, variants: {}, group: 'treatment' as const, conversions: {} });
  const waitFor = (runId: string) => ({ journeyId: 'cart', runId, stepId: 'w', event: 'Order Completed', taskToken: `token-${runId}`, until: '2026-03-05T00:00:00.000Z' });

  it('keeps both profiles\' active runs, run history, waits, variants and sends, and sums entries', () => {
    // Prepare
    const winner: Profile = {
      ...emptyProfile('p_w', T0),
      journeys: { welcome: { entries: 1, lastEnteredAt: '2026-03-02T00:00:00.000Z', active: { _: { runId: 'r-w', enteredAt: '2026-03-02T00:00:00.000Z' } }, variants: { split: 'A' }, recent: [run('r-w', '2026-03-02T00:00:00.000Z')] } },
      messages: [message('r-w', '2026-03-02T00:00:00.000Z')],
    };
    const loser: Profile = {
      ...emptyProfile('p_l', T0),
      journeys: {
        welcome: { entries: 2, lastEnteredAt: '2026-03-03T00:00:00.000Z', active: {}, variants: { split: 'B', other: 'C' }, recent: [run('r-l', '2026-03-01T00:00:00.000Z')] },
        cart: { entries: 1, active: { 'cart-1': { runId: 'r-c', enteredAt: T0, entryKey: 'cart-1' } } },
      },
      waiting: [waitFor('r-c')],
      messages: [message('r-l', '2026-03-01T12:00:00.000Z')],
    };

    // Act
    const merged = mergeProfiles(winner, loser);

    // Assess
    expect(merged.journeys).toEqual({
      welcome: {
        entries: 3,
        lastEnteredAt: '2026-03-03T00:00:00.000Z',
        active: { _: { runId: 'r-w', enteredAt: '2026-03-02T00:00:00.000Z' } },
        variants: { split: 'A', other: 'C' },
        recent: [run('r-l', '2026-03-01T00:00:00.000Z'), run('r-w', '2026-03-02T00:00:00.000Z')],
      },
      cart: loser.journeys?.cart,
    });
    expect(merged.waiting).toEqual([waitFor('r-c')]);
    expect(merged.messages?.map((m) => m.runId)).toEqual(['r-l', 'r-w']);
  });
});

describe('time helpers', () => {
  it.each([
    ['Asia/Jakarta', true],
    ['Asia/Jayapura', true],
    ['UTC', true],
    ['Etc/GMT-9', true],
    ['Mars/Olympus', false],
    ['+09:00', false],
    ['', false],
    [' Asia/Jakarta', false],
  ])('isValidTimeZone(%j) is %s', (tz, expected) => {
    expect(isValidTimeZone(tz)).toBe(expected);
  });

  it('computes UTC days and whole days between instants', () => {
    expect(utcDay('2026-03-01T23:30:00-02:00')).toBe('2026-03-02');
    expect(addDays('2026-02-27', 2)).toBe('2026-03-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(daysBetween('2026-03-01T12:00:00Z', '2026-03-03T11:59:59Z')).toBe(1);
    expect(daysBetween('2026-03-03T12:00:00Z', '2026-03-01T12:00:00Z')).toBe(-2);
  });
});
