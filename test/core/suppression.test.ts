import type { QuietHours } from '../../lib/core/journeys/definition';
import { SUPPRESSION_REASONS, addressOf, decideSend, quietHoursEnd, type SendInput } from '../../lib/core/messaging/suppression';
import type { Channel, ConsentState, MessageLogEntry, Profile } from '../../lib/core/profile';
import { emptyProfile } from '../../lib/core/reducer';

const T0 = '2026-01-01T00:00:00.000Z';
const granted = (at = T0): ConsentState => ({ status: 'granted', at, by: 'm-consent', source: 'web' });
const revoked = (at = '2026-06-01T00:00:00.000Z'): ConsentState => ({ status: 'revoked', at, by: 'm-revoke', source: 'web' });

/** A reachable, consenting customer in Jakarta. */
function customer(overrides: Partial<Profile> = {}): Profile {
  const base = emptyProfile('p_1', T0);
  return {
    ...base,
    identities: {
      ...base.identities,
      userIds: ['u-1'],
      emails: ['sari@example.co.id'],
      phones: ['+6281234567890'],
      devices: [{ token: 'tok-ios', platform: 'apns', lastSeen: '2026-11-01T00:00:00.000Z' }],
    },
    traits: { email: 'sari@example.co.id' },
    timezone: { value: 'Asia/Jakarta', at: T0, by: 'm-tz' },
    consent: { channels: { email: granted(), sms: granted(), push: granted() }, topics: {} },
    ...overrides,
  };
}

function sent(channel: Channel, at: string, extra: Partial<MessageLogEntry> = {}): MessageLogEntry {
  return { journeyId: 'other', runId: `r-${at}`, stepId: 's', channel, template: 't', outcome: 'sent', at, ...extra };
}

// 2026-11-20 is a Friday; 10:00 in Jakarta (UTC+7).
const NOW = new Date('2026-11-20T03:00:00Z');

function input(overrides: Partial<SendInput> = {}): SendInput {
  return {
    profile: customer(),
    channel: 'email',
    journey: { id: 'welcome' },
    runId: 'run-1',
    stepId: 'send-1',
    exitCriteriaMet: false,
    now: NOW,
    messaging: {},
    ...overrides,
  };
}

const QUIET_DEFER: QuietHours = { start: '21:00', end: '08:00', action: 'defer' };
const QUIET_DROP: QuietHours = { start: '21:00', end: '08:00', action: 'drop' };

describe('decideSend: every reason', () => {
  it.each<[string, Partial<SendInput>, string]>([
    ['exit criteria met', { exitCriteriaMet: true }, 'exit_criteria_met'],
    ['global control group', { globalControl: true }, 'global_control'],
    ['already sent for this run and step', { profile: customer({ messages: [sent('email', '2026-11-19T00:00:00Z', { runId: 'run-1', stepId: 'send-1' })] }) }, 'duplicate'],
    ['hard bounce', { profile: customer({ suppression: { email: { reason: 'hard_bounce', at: T0 } } }) }, 'hard_bounce'],
    ['complaint', { profile: customer({ suppression: { email: { reason: 'complaint', at: T0 } } }) }, 'complaint'],
    ['unsubscribe flag', { profile: customer({ suppression: { email: { reason: 'unsubscribed', at: '2026-06-01T00:00:00Z' } } }) }, 'unsubscribed'],
    ['SMS opt-out flag', { channel: 'sms', profile: customer({ suppression: { sms: { reason: 'opted_out', at: '2026-06-01T00:00:00Z' } } }) }, 'unsubscribed'],
    ['channel consent revoked', { profile: customer({ consent: { channels: { email: revoked() }, topics: {} } }) }, 'unsubscribed'],
    ['topic revoked', { topic: 'promo', profile: customer({ consent: { channels: { email: granted() }, topics: { promo: revoked() } } }) }, 'topic_unsubscribed'],
    ['never opted in', { profile: customer({ consent: { channels: {}, topics: {} } }) }, 'no_consent'],
    ['no email', { profile: customer({ traits: {}, identities: { ...customer().identities, emails: [] } }) }, 'no_address'],
    ['phone not E.164', { channel: 'sms', profile: customer({ identities: { ...customer().identities, phones: ['081234567890'] } }) }, 'no_address'],
    ['no device', { channel: 'push', profile: customer({ identities: { ...customer().identities, devices: [] } }) }, 'no_address'],
    ['quiet hours, drop', { now: new Date('2026-11-20T15:00:00Z'), journey: { id: 'j', quietHours: QUIET_DROP } }, 'quiet_hours'],
    [
      'daily cap',
      { profile: customer({ messages: [sent('email', '2026-11-20T01:00:00Z'), sent('email', '2026-11-20T02:00:00Z')] }) },
      'frequency_cap',
    ],
  ])('%s', (_name, overrides, reason) => {
    // Act
    const decision = decideSend(input(overrides));

    // Assess
    expect(decision).toEqual({ decision: 'suppress', reason });
  });

  it('covers every exported reason', () => {
    expect([...SUPPRESSION_REASONS].sort()).toEqual(
      ['complaint', 'duplicate', 'exit_criteria_met', 'frequency_cap', 'global_control', 'hard_bounce', 'no_address', 'no_consent', 'quiet_hours', 'topic_unsubscribed', 'unsubscribed'],
    );
  });

  it('sends to a reachable consenting customer, with the address', () => {
    expect(decideSend(input())).toEqual({ decision: 'send', to: { email: 'sari@example.co.id' } });
    expect(decideSend(input({ channel: 'sms' }))).toEqual({ decision: 'send', to: { phone: '+6281234567890' } });
  });
});

describe('decideSend: precedence', () => {
  const everythingWrong = customer({
    messages: [sent('email', '2026-11-20T01:00:00Z', { runId: 'run-1', stepId: 'send-1' }), sent('email', '2026-11-20T02:00:00Z')],
    suppression: { email: { reason: 'hard_bounce', at: T0 } },
    consent: { channels: { email: revoked() }, topics: { promo: revoked() } },
    traits: {},
    identities: { ...customer().identities, emails: [] },
  });

  it.each<[string, Partial<SendInput>, string]>([
    ['exit beats everything', { exitCriteriaMet: true, globalControl: true, profile: everythingWrong }, 'exit_criteria_met'],
    ['global control beats duplicate and the rest', { globalControl: true, profile: everythingWrong }, 'global_control'],
    ['duplicate beats bounce', { profile: everythingWrong }, 'duplicate'],
    ['bounce beats unsubscribe', { profile: { ...everythingWrong, messages: [] } }, 'hard_bounce'],
    ['unsubscribe beats topic', { topic: 'promo', profile: { ...everythingWrong, messages: [], suppression: {} } }, 'unsubscribed'],
    [
      'topic beats missing consent',
      { topic: 'promo', profile: { ...everythingWrong, messages: [], suppression: {}, consent: { channels: {}, topics: { promo: revoked() } } } },
      'topic_unsubscribed',
    ],
    ['consent beats address', { profile: { ...everythingWrong, messages: [], suppression: {}, consent: { channels: {}, topics: {} } } }, 'no_consent'],
    [
      'address beats quiet hours',
      { now: new Date('2026-11-20T15:00:00Z'), journey: { id: 'j', quietHours: QUIET_DROP }, profile: { ...everythingWrong, messages: [], suppression: {}, consent: { channels: { email: granted() }, topics: {} } } },
      'no_address',
    ],
    [
      'quiet hours beat the cap',
      { now: new Date('2026-11-20T15:00:00Z'), journey: { id: 'j', quietHours: QUIET_DROP }, profile: customer({ messages: [sent('email', '2026-11-20T01:00:00Z'), sent('email', '2026-11-20T02:00:00Z')] }) },
      'quiet_hours',
    ],
  ])('%s', (_name, overrides, reason) => {
    expect(decideSend(input(overrides))).toEqual({ decision: 'suppress', reason });
  });

  it('a hard bounce is never lifted by a later opt-in', () => {
    const profile = customer({ suppression: { email: { reason: 'hard_bounce', at: T0 } }, consent: { channels: { email: granted('2026-10-01T00:00:00Z') }, topics: {} } });
    expect(decideSend(input({ profile }))).toEqual({ decision: 'suppress', reason: 'hard_bounce' });
  });

  it('an unsubscribe is lifted by a later opt-in, not an earlier one', () => {
    const flag = { email: { reason: 'unsubscribed' as const, at: '2026-06-01T00:00:00Z' } };
    const later = customer({ suppression: flag, consent: { channels: { email: granted('2026-07-01T00:00:00Z') }, topics: {} } });
    const earlier = customer({ suppression: flag, consent: { channels: { email: granted('2026-05-01T00:00:00Z') }, topics: {} } });
    expect(decideSend(input({ profile: later })).decision).toBe('send');
    expect(decideSend(input({ profile: earlier }))).toEqual({ decision: 'suppress', reason: 'unsubscribed' });
  });

  it('requireOptIn limits the opt-in check to the listed channels', () => {
    const profile = customer({ consent: { channels: {}, topics: {} } });
    expect(decideSend(input({ profile, messaging: { requireOptIn: ['sms'] } })).decision).toBe('send');
    expect(decideSend(input({ profile, channel: 'sms', messaging: { requireOptIn: ['sms'] } }))).toEqual({ decision: 'suppress', reason: 'no_consent' });
  });

  it('a suppression on another channel does not matter', () => {
    const profile = customer({ suppression: { sms: { reason: 'opted_out', at: T0 } } });
    expect(decideSend(input({ profile })).decision).toBe('send');
  });

  it('a sent entry of another step or run is not a duplicate; a suppressed one for this step is not either', () => {
    const profile = customer({
      messages: [
        { ...sent('email', '2026-11-01T00:00:00Z'), runId: 'run-1', stepId: 'other-step' },
        { ...sent('email', '2026-11-01T00:00:00Z'), runId: 'run-1', stepId: 'send-1', outcome: 'suppressed', reason: 'frequency_cap' },
      ],
    });
    expect(decideSend(input({ profile })).decision).toBe('send');
  });
});

describe('decideSend: quiet hours', () => {
  it.each<[string, string, string, QuietHours, string | undefined]>([
    // name, zone, now, window, deferred until (undefined: send)
    ['before midnight in Jakarta (22:00) -> 08:00 tomorrow', 'Asia/Jakarta', '2026-11-20T15:00:00Z', QUIET_DEFER, '2026-11-21T01:00:00.000Z'],
    ['after midnight in Jakarta (03:00) -> 08:00 today', 'Asia/Jakarta', '2026-11-20T20:00:00Z', QUIET_DEFER, '2026-11-21T01:00:00.000Z'],
    ['at the start (21:00) is quiet', 'Asia/Jakarta', '2026-11-20T14:00:00Z', QUIET_DEFER, '2026-11-21T01:00:00.000Z'],
    ['at the end (08:00) is not quiet', 'Asia/Jakarta', '2026-11-21T01:00:00Z', QUIET_DEFER, undefined],
    ['20:59 is not quiet', 'Asia/Jakarta', '2026-11-20T13:59:00Z', QUIET_DEFER, undefined],
    ['same instant, Jayapura is two hours ahead (00:00): quiet', 'Asia/Jayapura', '2026-11-20T15:00:00Z', QUIET_DEFER, '2026-11-20T23:00:00.000Z'],
    ['same day window 12:00-14:00 in Jakarta (13:00)', 'Asia/Jakarta', '2026-11-20T06:00:00Z', { start: '12:00', end: '14:00', action: 'defer' }, '2026-11-20T07:00:00.000Z'],
    ['same day window, outside (15:00)', 'Asia/Jakarta', '2026-11-20T08:00:00Z', { start: '12:00', end: '14:00', action: 'defer' }, undefined],
    ['empty window never quiet', 'Asia/Jakarta', '2026-11-20T15:00:00Z', { start: '21:00', end: '21:00', action: 'defer' }, undefined],
    // New York: spring forward night; 23:00 EST on the 7th -> 08:00 EDT on the 8th = 12:00Z
    ['over the spring-forward night', 'America/New_York', '2026-03-08T04:00:00Z', QUIET_DEFER, '2026-03-08T12:00:00.000Z'],
    // fall back night; 23:00 EDT on Oct 31 -> 08:00 EST on Nov 1 = 13:00Z
    ['over the fall-back night', 'America/New_York', '2026-11-01T03:00:00Z', QUIET_DEFER, '2026-11-01T13:00:00.000Z'],
    // quiet hours ending inside the skipped hour: 22:00-02:30 ends at the jump, 03:00 EDT = 07:00Z
    ['ending in the skipped hour', 'America/New_York', '2026-03-08T06:00:00Z', { start: '22:00', end: '02:30', action: 'defer' }, '2026-03-08T07:00:00.000Z'],
    ['Sydney, summer time', 'Australia/Sydney', '2026-01-15T12:00:00Z', QUIET_DEFER, '2026-01-15T21:00:00.000Z'],
    ['Sydney, DST starts overnight (AEST 22:00 -> AEDT 08:00)', 'Australia/Sydney', '2026-10-03T12:00:00Z', QUIET_DEFER, '2026-10-03T21:00:00.000Z'],
  ])('%s', (_name, zone, now, quietHours, until) => {
    // Prepare
    const profile = customer({ timezone: { value: zone, at: T0, by: 'm' } });

    // Act
    const decision = decideSend(input({ profile, now: new Date(now), journey: { id: 'j', quietHours } }));

    // Assess
    expect(decision).toEqual(until ? { decision: 'defer', until, reason: 'quiet_hours' } : { decision: 'send', to: { email: 'sari@example.co.id' } });
  });

  it('uses the default zone for a customer without one, and Asia/Jakarta when that is invalid', () => {
    const profile = customer({ timezone: undefined });
    const now = new Date('2026-11-20T13:30:00Z'); // 20:30 Jakarta, 22:30 Jayapura
    const quietHours = QUIET_DEFER;
    expect(decideSend(input({ profile, now, journey: { id: 'j', quietHours } })).decision).toBe('send');
    expect(decideSend(input({ profile, now, journey: { id: 'j', quietHours }, messaging: { defaultTimeZone: 'Asia/Jayapura' } }))).toEqual({
      decision: 'defer',
      until: '2026-11-20T23:00:00.000Z',
      reason: 'quiet_hours',
    });
    expect(decideSend(input({ profile, now, journey: { id: 'j', quietHours }, messaging: { defaultTimeZone: 'Nowhere/City' } })).decision).toBe('send');
  });

  it('quietHoursEnd is undefined outside the window', () => {
    expect(quietHoursEnd(QUIET_DEFER, new Date('2026-11-20T05:00:00Z'), 'Asia/Jakarta')).toBeUndefined();
  });
});

describe('decideSend: frequency caps in the customer calendar', () => {
  const atCap = (zone: string, messages: MessageLogEntry[], now: string, overrides: Partial<SendInput> = {}) =>
    decideSend(input({ profile: customer({ timezone: { value: zone, at: T0, by: 'm' }, messages }), now: new Date(now), ...overrides }));

  it('counts the local day, not the UTC day (Jayapura, UTC+9)', () => {
    // 2026-11-20 00:30 and 08:00 in Jayapura are 2026-11-19T15:30Z and 23:00Z: a different UTC day from now.
    const messages = [sent('email', '2026-11-19T15:30:00Z'), sent('email', '2026-11-19T23:00:00Z')];
    expect(atCap('Asia/Jayapura', messages, '2026-11-20T03:00:00Z')).toEqual({ decision: 'suppress', reason: 'frequency_cap' });
    // The same sends seen from New York fall on 2026-11-19; now (2026-11-19 22:00 EST) is the same local day too.
    expect(atCap('America/New_York', messages, '2026-11-20T03:00:00Z')).toEqual({ decision: 'suppress', reason: 'frequency_cap' });
    // From Jakarta (UTC+7), 15:30Z is 22:30 on the 19th: only one send on the 20th.
    expect(atCap('Asia/Jakarta', messages, '2026-11-20T03:00:00Z').decision).toBe('send');
  });

  it('resets at local midnight', () => {
    const messages = [sent('email', '2026-11-20T01:00:00Z'), sent('email', '2026-11-20T02:00:00Z')];
    expect(atCap('Asia/Jakarta', messages, '2026-11-20T16:59:00Z').decision).toBe('suppress');
    expect(atCap('Asia/Jakarta', messages, '2026-11-20T17:00:00Z').decision).toBe('send');
  });

  it('counts the local Monday-to-Sunday week', () => {
    // Five emails Mon..Fri 16-20 Nov 2026 at 10:00 Jakarta; the weekly cap is 5.
    const week = ['16', '17', '18', '19', '20'].map((d) => sent('email', `2026-11-${d}T03:00:00Z`));
    expect(atCap('Asia/Jakarta', week, '2026-11-22T16:59:00Z')).toEqual({ decision: 'suppress', reason: 'frequency_cap' }); // Sunday 23:59
    expect(atCap('Asia/Jakarta', week, '2026-11-22T17:00:00Z').decision).toBe('send'); // Monday 00:00
  });

  it('counts across journeys, on this channel only, and only sent entries', () => {
    const messages = [
      sent('email', '2026-11-20T01:00:00Z', { journeyId: 'a' }),
      sent('email', '2026-11-20T01:30:00Z', { journeyId: 'b' }),
      sent('sms', '2026-11-20T01:00:00Z'),
    ];
    expect(atCap('Asia/Jakarta', messages, NOW.toISOString())).toEqual({ decision: 'suppress', reason: 'frequency_cap' });
    expect(atCap('Asia/Jakarta', messages.map((m) => ({ ...m, outcome: 'suppressed' as const })), NOW.toISOString()).decision).toBe('send');
    expect(atCap('Asia/Jakarta', messages, NOW.toISOString(), { channel: 'push' }).decision).toBe('send');
  });

  it('counts days across a DST change in the customer zone (New York, fall back)', () => {
    // 2026-11-01 00:30 EDT (04:30Z) and 23:30 EST (2026-11-02T04:30Z) are both on Nov 1 local.
    const messages = [sent('sms', '2026-11-01T04:30:00Z')];
    expect(atCap('America/New_York', messages, '2026-11-02T04:30:00Z', { channel: 'sms' })).toEqual({ decision: 'suppress', reason: 'frequency_cap' });
    expect(atCap('America/New_York', messages, '2026-11-02T05:00:00Z', { channel: 'sms' }).decision).toBe('send');
  });

  it('uses configured caps (replacing the channel default) and skips caps for transactional journeys', () => {
    const messages = [sent('email', '2026-11-20T01:00:00Z'), sent('email', '2026-11-20T02:00:00Z')];
    expect(atCap('Asia/Jakarta', messages, NOW.toISOString(), { messaging: { frequencyCaps: { email: { perDay: 3 } } } }).decision).toBe('send');
    expect(atCap('Asia/Jakarta', messages, NOW.toISOString(), { messaging: { frequencyCaps: { email: { perDay: 1 } } } }).decision).toBe('suppress');
    expect(atCap('Asia/Jakarta', messages, NOW.toISOString(), { journey: { id: 'receipt', ignoreFrequencyCaps: true } }).decision).toBe('send');
  });
});

describe('addressOf', () => {
  it('prefers the email trait (the newest) over the sorted identity set', () => {
    const profile = customer({ traits: { email: 'New@Example.com' }, identities: { ...customer().identities, emails: ['a-old@example.com', 'new@example.com'] } });
    expect(addressOf(profile, 'email')).toEqual({ email: 'new@example.com' });
    expect(addressOf(customer({ traits: {} }), 'email')).toEqual({ email: 'sari@example.co.id' });
  });

  it('sends push to the five most recently seen devices, newest first', () => {
    const devices = Array.from({ length: 7 }, (_, i) => ({ token: `t${i}`, platform: 'fcm' as const, lastSeen: `2026-11-0${i + 1}T00:00:00.000Z` }));
    const to = addressOf(customer({ identities: { ...customer().identities, devices } }), 'push');
    expect(to?.devices?.map((d) => d.token)).toEqual(['t6', 't5', 't4', 't3', 't2']);
  });
});
