import { DEFAULT_FREQUENCY_CAPS, DEFAULT_TIME_ZONE, type FrequencyCap } from '../config';
import type { QuietHours } from '../journeys/definition';
import { CHANNELS, type Channel, type DeviceToken, type Profile } from '../profile';
import { addDays, isValidTimeZone } from '../time';
import { localCalendar, localTimeToInstant } from './local-time';
import type { OutboundMessage } from './message';

/**
 * The suppression policy: should this message go out now? One pure function, data and `now` in, a
 * decision out. A skipped message is a value with a reason (recorded and counted per journey, step
 * and variant), never an exception.
 *
 * The checks run in this order, and the first that applies decides:
 * 1. `exit_criteria_met`: about the run; a stopped run must never send, whatever else is true.
 * 2. `global_control`: the customer is in the engine-wide control group and gets no journey
 *    message at all. Right after the exit check so that every step of a control customer's run is
 *    counted under this one reason (the readout's exposure), not under consent or caps that would
 *    have stopped it anyway.
 * 3. `duplicate`: a repeated step (a retry) never sends twice, and the reason says so precisely.
 * 4. `hard_bounce` / `complaint`: the address or the person told the provider "never again"; these
 *    protect the sender's reputation and no later consent overrides them.
 * 5. `unsubscribed`, 6. `topic_unsubscribed`, 7. `no_consent`: what the customer said, broadest
 *    first, so the reason names the customer's own act (an unsubscribe) before a missing opt-in.
 * 8. `no_address`: nothing to send to; after consent so a revoked customer is counted as revoked.
 * 9. quiet hours (`defer` or `quiet_hours`), 10. `frequency_cap`: about timing. Quiet hours come
 *    before the cap because a deferred message is decided again when it wakes, and must then be
 *    counted against the cap of the day it is really sent, not the day it was held.
 */

export const SUPPRESSION_REASONS = [
  'exit_criteria_met',
  'global_control',
  'duplicate',
  'hard_bounce',
  'complaint',
  'unsubscribed',
  'topic_unsubscribed',
  'no_consent',
  'no_address',
  'quiet_hours',
  'frequency_cap',
] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/** Device tokens a push goes to: the most recently seen. */
export const MAX_PUSH_DEVICES = 5;

export interface SendInput {
  readonly profile: Profile;
  readonly channel: Channel;
  /** Subscription topic of the send step: a customer who revoked it is suppressed. */
  readonly topic?: string;
  readonly journey: {
    readonly id: string;
    readonly quietHours?: QuietHours;
    /** Transactional journeys skip frequency caps (never consent). @default false */
    readonly ignoreFrequencyCaps?: boolean;
  };
  readonly runId: string;
  readonly stepId: string;
  /** The run's exit criteria matched (the processor stops the run; a send racing the stop must not go out). */
  readonly exitCriteriaMet: boolean;
  /** The run belongs to the global control group (see `lib/core/measurement/control.ts`). @default false */
  readonly globalControl?: boolean;
  readonly now: Date;
  readonly messaging: {
    /**
     * Caps per channel; a channel listed here replaces its default wholesale (an omitted `perDay` or
     * `perWeek` is then unlimited).
     * @default DEFAULT_FREQUENCY_CAPS
     */
    readonly frequencyCaps?: Partial<Record<Channel, FrequencyCap>>;
    /** Zone of customers without a valid one. @default DEFAULT_TIME_ZONE */
    readonly defaultTimeZone?: string;
    /** Channels that need a granted opt-in before anything is sent. @default every channel */
    readonly requireOptIn?: readonly Channel[];
  };
}

export type SendDecision =
  | { readonly decision: 'send'; readonly to: OutboundMessage['to'] }
  | { readonly decision: 'suppress'; readonly reason: SuppressionReason }
  | { readonly decision: 'defer'; readonly until: string; readonly reason: 'quiet_hours' };

/**
 * Decide whether a send step sends now, is suppressed (with the reason), or waits for the end of
 * quiet hours in the customer's time zone.
 *
 * @example
 * const decision = decideSend({
 *   profile, channel: 'email', journey: { id: 'welcome', quietHours: { start: '21:00', end: '08:00', action: 'defer' } },
 *   runId, stepId: 'welcome-email', exitCriteriaMet: false, now: new Date(), messaging: config.messaging ?? {},
 * });
 * if (decision.decision === 'defer') return { outcome: 'deferred', until: decision.until, reason: decision.reason };
 */
export function decideSend(input: SendInput): SendDecision {
  const { profile, channel, now } = input;
  const suppress = (reason: SuppressionReason): SendDecision => ({ decision: 'suppress', reason });

  if (input.exitCriteriaMet) return suppress('exit_criteria_met');
  if (input.globalControl === true) return suppress('global_control');
  if (alreadySent(profile, input.runId, input.stepId)) return suppress('duplicate');

  const flag = profile.suppression?.[channel];
  if (flag?.reason === 'hard_bounce') return suppress('hard_bounce');
  if (flag?.reason === 'complaint') return suppress('complaint');
  const consent = profile.consent.channels[channel];
  // An unsubscribe or opt-out holds until the customer opts in again, later than it.
  const resubscribed = consent?.status === 'granted' && flag !== undefined && Date.parse(consent.at) > Date.parse(flag.at);
  if ((flag?.reason === 'unsubscribed' || flag?.reason === 'opted_out') && !resubscribed) return suppress('unsubscribed');
  if (consent?.status === 'revoked') return suppress('unsubscribed');
  if (input.topic !== undefined && profile.consent.topics[input.topic]?.status === 'revoked') return suppress('topic_unsubscribed');
  const requireOptIn = input.messaging.requireOptIn ?? CHANNELS;
  if (requireOptIn.includes(channel) && consent?.status !== 'granted') return suppress('no_consent');

  const to = addressOf(profile, channel);
  if (!to) return suppress('no_address');

  const timeZone = customerTimeZone(profile, input.messaging.defaultTimeZone);
  const quietHours = input.journey.quietHours;
  if (quietHours) {
    const until = quietHoursEnd(quietHours, now, timeZone);
    if (until) return quietHours.action === 'drop' ? suppress('quiet_hours') : { decision: 'defer', until: until.toISOString(), reason: 'quiet_hours' };
  }

  if (!input.journey.ignoreFrequencyCaps) {
    const caps = input.messaging.frequencyCaps?.[channel] ?? DEFAULT_FREQUENCY_CAPS[channel];
    if (capReached(profile, channel, caps, now, timeZone)) return suppress('frequency_cap');
  }
  return { decision: 'send', to };
}

/**
 * The customer's time zone: their own when valid, else the configured default, else Asia/Jakarta.
 *
 * @example
 * customerTimeZone(profile, 'Asia/Jakarta'); // 'Asia/Jayapura' for a customer in Papua
 */
export function customerTimeZone(profile: Profile, defaultTimeZone: string | undefined): string {
  const candidates = [profile.timezone?.value, defaultTimeZone];
  return candidates.find((tz): tz is string => typeof tz === 'string' && isValidTimeZone(tz)) ?? DEFAULT_TIME_ZONE;
}

/**
 * When the quiet period that contains `now` ends, or `undefined` when `now` is outside quiet hours.
 * A window whose start is later than its end runs over midnight (`21:00`-`08:00`); an empty window
 * (start equal to end) is never quiet.
 *
 * @example
 * quietHoursEnd({ start: '21:00', end: '08:00', action: 'defer' }, new Date('2026-11-21T15:00:00Z'), 'Asia/Jakarta');
 * // 2026-11-22T01:00:00.000Z (08:00 in Jakarta)
 */
export function quietHoursEnd(quietHours: QuietHours, now: Date, timeZone: string): Date | undefined {
  const local = localCalendar(now, timeZone);
  const start = toMinutes(quietHours.start);
  const end = toMinutes(quietHours.end);
  const m = local.minutes;
  let endDay: string;
  if (start < end) {
    if (m < start || m >= end) return undefined;
    endDay = local.day;
  } else if (start > end) {
    if (m < start && m >= end) return undefined;
    endDay = m >= start ? addDays(local.day, 1) : local.day;
  } else {
    return undefined;
  }
  return localTimeToInstant(endDay, quietHours.end, timeZone, now);
}

/**
 * Where the message goes: the newest email address, the first E.164 phone number, or up to
 * {@link MAX_PUSH_DEVICES} device tokens, most recently seen first; `undefined` when there is none.
 *
 * @example
 * addressOf(profile, 'email'); // { email: 'sari@example.co.id' }
 */
export function addressOf(profile: Profile, channel: Channel): OutboundMessage['to'] | undefined {
  switch (channel) {
    case 'email': {
      // identities.emails is a sorted set: the email trait (last writer wins) is the newest address.
      const trait = typeof profile.traits.email === 'string' ? profile.traits.email.trim().toLowerCase() : '';
      const email = [trait, ...profile.identities.emails].find((e) => EMAIL.test(e));
      return email ? { email } : undefined;
    }
    case 'sms': {
      const phone = profile.identities.phones.find((p) => E164.test(p));
      return phone ? { phone } : undefined;
    }
    case 'push': {
      const devices = [...profile.identities.devices].sort(newestFirst).slice(0, MAX_PUSH_DEVICES);
      return devices.length > 0 ? { devices } : undefined;
    }
    default:
      return assertNever(channel);
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164 = /^\+[1-9]\d{6,14}$/;

function alreadySent(profile: Profile, runId: string, stepId: string): boolean {
  return (profile.messages ?? []).some((m) => m.runId === runId && m.stepId === stepId && m.outcome === 'sent');
}

/** Sends on this channel, across all journeys, in the customer's current calendar day and week. */
function capReached(profile: Profile, channel: Channel, caps: FrequencyCap, now: Date, timeZone: string): boolean {
  if (caps.perDay === undefined && caps.perWeek === undefined) return false;
  const today = localCalendar(now, timeZone);
  let day = 0;
  let week = 0;
  for (const message of profile.messages ?? []) {
    if (message.channel !== channel || message.outcome !== 'sent') continue;
    const at = new Date(message.at);
    if (Number.isNaN(at.getTime())) continue;
    const local = localCalendar(at, timeZone);
    if (local.week === today.week) week += 1;
    if (local.day === today.day) day += 1;
  }
  return (caps.perDay !== undefined && day >= caps.perDay) || (caps.perWeek !== undefined && week >= caps.perWeek);
}

function newestFirst(a: DeviceToken, b: DeviceToken): number {
  return Date.parse(b.lastSeen) - Date.parse(a.lastSeen) || (a.token < b.token ? -1 : a.token > b.token ? 1 : 0);
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

function assertNever(value: never): never {
  throw new Error(`unexpected channel ${String(value)}`);
}
