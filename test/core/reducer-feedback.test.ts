import type { EngineConfig } from '../../lib/core/config';
import { EMAIL_BOUNCED, EMAIL_COMPLAINED, EMAIL_DELIVERED, FEEDBACK_SOURCE, SMS_OPTED_OUT, UNSUBSCRIBED, type CustomerEvent } from '../../lib/core/events';
import { decideSend } from '../../lib/core/messaging/suppression';
import type { Profile } from '../../lib/core/profile';
import { emptyProfile, foldEvents, mergeProfiles } from '../../lib/core/reducer';

const config: EngineConfig = { segments: [] };
const T0 = '2026-01-01T00:00:00.000Z';
let seq = 0;

function feedback(event: string, properties: Record<string, unknown>, timestamp: string): CustomerEvent {
  seq += 1;
  return {
    type: 'track',
    event,
    messageId: `feedback-${String(seq).padStart(4, '0')}`,
    userId: 'u-1',
    properties,
    traits: {},
    context: {},
    timestamp,
    receivedAt: timestamp,
    source: FEEDBACK_SOURCE,
  };
}

const consentGranted = (channel: string, timestamp: string): CustomerEvent => ({ ...feedback('Consent Granted', { channel }, timestamp), source: 'web' });
const fold = (events: CustomerEvent[], profile: Profile = emptyProfile('p_1', T0)) => foldEvents(profile, events, config).profile;
/** A deterministic Fisher-Yates shuffle (LCG), so a failing order can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i -= 1) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const content = (p: Profile) => ({ ...p, updatedAt: undefined, recentMessageIds: [...p.recentMessageIds].sort() });

describe('reducer: feedback events', () => {
  it.each<[string, CustomerEvent, Profile['suppression'], Partial<Profile['consent']['channels']>]>([
    ['hard bounce', feedback(EMAIL_BOUNCED, { bounceType: 'Permanent', channel: 'email' }, '2026-03-01T10:00:00.000Z'), { email: { reason: 'hard_bounce', at: '2026-03-01T10:00:00.000Z' } }, {}],
    ['soft bounce: nothing', feedback(EMAIL_BOUNCED, { bounceType: 'Transient', channel: 'email' }, '2026-03-01T10:00:00.000Z'), undefined, {}],
    ['complaint', feedback(EMAIL_COMPLAINED, { channel: 'email' }, '2026-03-01T10:00:00.000Z'), { email: { reason: 'complaint', at: '2026-03-01T10:00:00.000Z' } }, {}],
    [
      'unsubscribe from a channel',
      feedback(UNSUBSCRIBED, { channel: 'email' }, '2026-03-01T10:00:00.000Z'),
      { email: { reason: 'unsubscribed', at: '2026-03-01T10:00:00.000Z' } },
      { email: { status: 'revoked', at: '2026-03-01T10:00:00.000Z', by: expect.any(String), source: 'feedback' } },
    ],
    [
      'SMS opt-out',
      feedback(SMS_OPTED_OUT, { channel: 'sms' }, '2026-03-01T10:00:00.000Z'),
      { sms: { reason: 'opted_out', at: '2026-03-01T10:00:00.000Z' } },
      { sms: { status: 'revoked', at: '2026-03-01T10:00:00.000Z', by: expect.any(String), source: 'feedback' } },
    ],
    ['delivery: nothing', feedback(EMAIL_DELIVERED, { channel: 'email' }, '2026-03-01T10:00:00.000Z'), undefined, {}],
  ])('%s', (_name, event, suppression, channels) => {
    // Act
    const profile = fold([event]);

    // Assess
    expect(profile.suppression).toEqual(suppression);
    expect(profile.consent.channels).toEqual(channels);
    expect(profile.metrics.eventCounts[event.event as string]).toBe(1);
  });

  it('a topic unsubscribe revokes the topic only: no channel consent change, no suppression flag', () => {
    const before = fold([consentGranted('email', '2026-02-01T00:00:00.000Z')]);
    const profile = fold([feedback(UNSUBSCRIBED, { channel: 'email', topic: 'promo' }, '2026-03-01T10:00:00.000Z')], before);
    expect(profile.suppression).toBeUndefined();
    expect(profile.consent.channels.email?.status).toBe('granted');
    expect(profile.consent.topics.promo).toMatchObject({ status: 'revoked', at: '2026-03-01T10:00:00.000Z', source: 'feedback' });
  });

  it('SMS Opted Out revokes SMS whatever its channel property says', () => {
    const profile = fold([feedback(SMS_OPTED_OUT, { channel: 'email', topic: 'promo' }, '2026-03-01T10:00:00.000Z')]);
    expect(Object.keys(profile.consent.channels)).toEqual(['sms']);
    expect(profile.consent.topics).toEqual({});
  });

  it('an unsubscribe then a later opt-in: consent granted, flag kept, the policy sends again', () => {
    const profile = fold([
      feedback(UNSUBSCRIBED, { channel: 'email' }, '2026-03-01T10:00:00.000Z'),
      consentGranted('email', '2026-04-01T10:00:00.000Z'),
    ]);
    expect(profile.consent.channels.email?.status).toBe('granted');
    expect(profile.suppression?.email?.reason).toBe('unsubscribed');
    const reachable: Profile = { ...profile, identities: { ...profile.identities, emails: ['sari@example.co.id'] } };
    const decision = decideSend({ profile: reachable, channel: 'email', journey: { id: 'j' }, runId: 'r', stepId: 's', exitCriteriaMet: false, now: new Date('2026-04-02T03:00:00Z'), messaging: {} });
    expect(decision.decision).toBe('send');
  });

  it('a hard bounce outranks a later unsubscribe', () => {
    const profile = fold([
      feedback(EMAIL_BOUNCED, { bounceType: 'Permanent' }, '2026-03-01T10:00:00.000Z'),
      feedback(UNSUBSCRIBED, { channel: 'email' }, '2026-03-02T10:00:00.000Z'),
    ]);
    expect(profile.suppression?.email).toEqual({ reason: 'hard_bounce', at: '2026-03-01T10:00:00.000Z' });
  });

  it('between permanent flags the later wins', () => {
    const profile = fold([
      feedback(EMAIL_COMPLAINED, {}, '2026-03-02T10:00:00.000Z'),
      feedback(EMAIL_BOUNCED, { bounceType: 'Permanent' }, '2026-03-01T10:00:00.000Z'),
    ]);
    expect(profile.suppression?.email).toEqual({ reason: 'complaint', at: '2026-03-02T10:00:00.000Z' });
  });

  it('is order-independent, in one fold or many', () => {
    // Prepare
    const events = [
      consentGranted('email', '2026-02-01T00:00:00.000Z'),
      consentGranted('sms', '2026-02-01T00:00:00.000Z'),
      feedback(UNSUBSCRIBED, { channel: 'email' }, '2026-03-01T10:00:00.000Z'),
      feedback(EMAIL_BOUNCED, { bounceType: 'Permanent' }, '2026-03-01T10:00:00.000Z'),
      feedback(EMAIL_COMPLAINED, {}, '2026-03-03T10:00:00.000Z'),
      feedback(SMS_OPTED_OUT, {}, '2026-03-02T10:00:00.000Z'),
      consentGranted('sms', '2026-03-05T00:00:00.000Z'),
      feedback(UNSUBSCRIBED, { channel: 'push', topic: 'promo' }, '2026-03-04T10:00:00.000Z'),
    ];
    const expected = content(fold(events));

    // Act / Assess
    for (let i = 0; i < 20; i += 1) {
      const order = shuffled(events, i + 1);
      expect(content(fold(order))).toEqual(expected);
      const split = Math.floor(order.length / 2);
      expect(content(fold(order.slice(split), fold(order.slice(0, split))))).toEqual(expected);
    }
    expect(expected.suppression).toEqual({ email: { reason: 'complaint', at: '2026-03-03T10:00:00.000Z' }, sms: { reason: 'opted_out', at: '2026-03-02T10:00:00.000Z' } });
    expect(expected.consent.channels.sms?.status).toBe('granted');
  });

  it('a redelivered feedback event changes nothing', () => {
    const event = feedback(EMAIL_COMPLAINED, {}, '2026-03-01T10:00:00.000Z');
    const once = fold([event]);
    const result = foldEvents(once, [event], config);
    expect(result.duplicates).toEqual([event]);
    expect(result.profile).toBe(once);
  });

  it('a merge keeps both profiles\' suppression flags, whichever side wins', () => {
    const a = fold([feedback(EMAIL_BOUNCED, { bounceType: 'Permanent' }, '2026-03-01T10:00:00.000Z')], emptyProfile('p_a', T0));
    const b = fold([feedback(SMS_OPTED_OUT, {}, '2026-03-02T10:00:00.000Z'), feedback(UNSUBSCRIBED, { channel: 'email' }, '2026-03-03T10:00:00.000Z')], emptyProfile('p_b', T0));
    const ab = mergeProfiles(a, b);
    const ba = mergeProfiles(b, a);
    expect(ab.suppression).toEqual({ email: { reason: 'hard_bounce', at: '2026-03-01T10:00:00.000Z' }, sms: { reason: 'opted_out', at: '2026-03-02T10:00:00.000Z' } });
    expect(ba.suppression).toEqual(ab.suppression);
    expect(mergeProfiles(emptyProfile('p_c', T0), emptyProfile('p_d', T0))).not.toHaveProperty('suppression');
  });
});
