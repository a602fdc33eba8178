import type { EngineConfig } from './config';
import {
  CONSENT_GRANTED,
  CONSENT_REVOKED,
  EMAIL_BOUNCED,
  EMAIL_COMPLAINED,
  ORDER_COMPLETED,
  ORDER_REFUNDED,
  SMS_OPTED_OUT,
  UNSUBSCRIBED,
  eventKey,
  type CustomerEvent,
} from './events';
import {
  CHANNELS,
  type Channel,
  type ConsentState,
  type DeviceToken,
  type JourneyState,
  type Location,
  type Metrics,
  type Profile,
  type SegmentMembership,
  type Stamped,
  type SuppressionFlag,
  type WaitingStep,
} from './profile';
import { RUN_HISTORY_LIMIT } from './measurement/runs';
import { MESSAGE_LOG_LIMIT } from './messaging/message-log';
import { addDays, isValidTimeZone, toMillis, utcDay } from './time';

/**
 * The profile reducer: folds events into a profile and joins two profiles.
 *
 * Every field is a join-semilattice (sorted sets, sums, min/max, last-writer-wins by event time then
 * messageId), so folding the same events in any order, in one call or many, gives the same profile
 * except `updatedAt` and the order of `recentMessageIds`.
 */

/** Daily counts are kept for this many UTC days, ending on the newest event day ever seen. */
export const DAILY_WINDOW_DAYS = 90;
/** Size of the dedupe ring; a single fold may exceed it rather than forget its own ids. */
export const RECENT_MESSAGE_IDS = 100;
/** Device tokens kept per profile (the most recently seen). */
export const MAX_DEVICES = 10;
/**
 * Revenue is kept to 4 decimals (the largest ISO 4217 minor unit): rounding after every sum keeps
 * float addition order-independent.
 */
const MONEY_SCALE = 10_000;

/** What {@link foldEvents} did: the new profile and how each input event was treated. */
export interface FoldResult {
  readonly profile: Profile;
  readonly applied: CustomerEvent[];
  readonly duplicates: CustomerEvent[];
}

/**
 * A profile with nothing folded into it yet.
 *
 * @example
 * const profile = emptyProfile('p_0123', '2026-03-01T00:00:00.000Z');
 * profile.metrics.eventCounts; // {}
 */
export function emptyProfile(profileId: string, now: string): Profile {
  return {
    profileId,
    identities: { userIds: [], anonymousIds: [], emails: [], phones: [], devices: [] },
    traits: {},
    traitStamps: {},
    consent: { channels: {}, topics: {} },
    metrics: { eventCounts: {}, daily: {}, orders: { count: 0, revenue: 0 }, clv: 0 },
    segments: {},
    recentMessageIds: [],
    mergedFrom: [],
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Fold events into a profile. An event whose messageId is in `profile.recentMessageIds`, or that
 * repeats an earlier messageId of the same input, is a duplicate and changes nothing. Events with
 * source `engine` (segment entered/exited, ...) are the engine's own log lines: they are neither
 * folded nor reported, so they appear in neither `applied` nor `duplicates`.
 *
 * @example
 * const { profile, applied } = foldEvents(emptyProfile('p_1', now), [orderCompleted], config);
 * profile.metrics.orders.count; // 1
 */
export function foldEvents(profile: Profile, events: readonly CustomerEvent[], _config: EngineConfig): FoldResult {
  const seen = new Set(profile.recentMessageIds);
  const applied: CustomerEvent[] = [];
  const duplicates: CustomerEvent[] = [];
  for (const event of events) {
    if (event.source === 'engine') continue;
    if (seen.has(event.messageId)) {
      duplicates.push(event);
      continue;
    }
    seen.add(event.messageId);
    applied.push(event);
  }
  if (applied.length === 0) return { profile, applied, duplicates };

  const folded = applied.reduce(applyEvent, profile);
  return {
    profile: { ...folded, recentMessageIds: appendRing(profile.recentMessageIds, applied), updatedAt: maxUpdatedAt(profile.updatedAt, applied) },
    applied,
    duplicates,
  };
}

/**
 * Join two profiles when identity resolution finds they are one customer. The content is the same
 * whichever side wins (only `profileId` differs; `createdAt` is the earlier one); merging a profile
 * already listed in `winner.mergedFrom` returns `winner` unchanged. Memberships keep the earlier
 * `since`; `rfm` is dropped until the merged profile is evaluated again.
 *
 * @example
 * const merged = mergeProfiles(userProfile, anonymousProfile);
 * merged.mergedFrom; // [anonymousProfile.profileId]
 */
export function mergeProfiles(winner: Profile, loser: Profile): Profile {
  if (winner.profileId === loser.profileId || winner.mergedFrom.includes(loser.profileId)) return winner;
  const ids = (p: Profile) => p.identities;
  const userIds = union(ids(winner).userIds, ids(loser).userIds);
  const traitKeys = union(Object.keys(winner.traits), Object.keys(loser.traits));
  const traits: Record<string, unknown> = {};
  const traitStamps: Record<string, { at: string; by: string }> = {};
  for (const key of traitKeys) {
    const pick = pickTrait(winner, loser, key);
    setOwn(traits, key, pick.traits[key]);
    if (Object.hasOwn(pick.traitStamps, key)) setOwn(traitStamps, key, pick.traitStamps[key]);
  }
  const timezone = laterStamped(winner.timezone, loser.timezone);
  const locale = laterStamped(winner.locale, loser.locale);
  const location = laterStamped(winner.location, loser.location);
  const nextEvaluationAt = minIso(winner.nextEvaluationAt, loser.nextEvaluationAt);
  const suppression = winner.suppression || loser.suppression ? joinSuppression(winner.suppression ?? {}, loser.suppression ?? {}) : undefined;
  return {
    profileId: winner.profileId,
    identities: {
      userIds,
      anonymousIds: without(union(ids(winner).anonymousIds, ids(loser).anonymousIds), userIds),
      emails: union(ids(winner).emails, ids(loser).emails),
      phones: union(ids(winner).phones, ids(loser).phones),
      devices: keepRecentDevices([...ids(winner).devices, ...ids(loser).devices]),
    },
    traits,
    traitStamps,
    ...(timezone && { timezone }),
    ...(locale && { locale }),
    ...(location && { location }),
    consent: {
      channels: joinConsent(winner.consent.channels, loser.consent.channels) as Partial<Record<Channel, ConsentState>>,
      topics: joinConsent(winner.consent.topics, loser.consent.topics),
    },
    metrics: joinMetrics(winner.metrics, loser.metrics),
    ...(suppression && { suppression }),
    ...joinJourneyState(winner, loser),
    segments: joinMemberships(winner.segments, loser.segments),
    recentMessageIds: union(winner.recentMessageIds, loser.recentMessageIds),
    mergedFrom: without(union(winner.mergedFrom, loser.mergedFrom, [winner.profileId, loser.profileId]), [winner.profileId]),
    ...(nextEvaluationAt && { nextEvaluationAt }),
    createdAt: minIso(winner.createdAt, loser.createdAt) as string,
    updatedAt: maxIso(winner.updatedAt, loser.updatedAt) as string,
  };
}

/**
 * Journey state survives a merge: active runs and sticky variants of both (the winner's on a clash),
 * summed entries, both message logs (caps and "already sent" must still see the loser's sends) and
 * both profiles' waits, so a run that was waiting on the loser can still be resumed.
 */
function joinJourneyState(winner: Profile, loser: Profile): Pick<Profile, 'journeys' | 'waiting' | 'messages'> {
  const journeys: Record<string, JourneyState> = {};
  for (const id of union(Object.keys(winner.journeys ?? {}), Object.keys(loser.journeys ?? {}))) {
    const w = winner.journeys?.[id];
    const l = loser.journeys?.[id];
    if (!w || !l) {
      setOwn(journeys, id, (w ?? l) as JourneyState);
      continue;
    }
    const lastEnteredAt = maxIso(w.lastEnteredAt, l.lastEnteredAt);
    const lastOutcome = !w.lastOutcome || (l.lastOutcome && l.lastOutcome.at > w.lastOutcome.at) ? l.lastOutcome : w.lastOutcome;
    const variants = w.variants || l.variants ? { ...l.variants, ...w.variants } : undefined;
    // Both profiles' run histories, the winner's record on a clash: their conversions still count.
    const recent = w.recent || l.recent
      ? [...new Map([...(l.recent ?? []), ...(w.recent ?? [])].map((run) => [run.runId, run])).values()]
          .sort((x, y) => (x.enteredAt < y.enteredAt ? -1 : x.enteredAt > y.enteredAt ? 1 : 0))
          .slice(-RUN_HISTORY_LIMIT)
      : undefined;
    setOwn(journeys, id, {
      entries: w.entries + l.entries,
      ...(lastEnteredAt && { lastEnteredAt }),
      active: { ...l.active, ...w.active },
      ...(variants && { variants }),
      ...(recent && { recent }),
      ...(lastOutcome && { lastOutcome }),
    });
  }
  const waitKey = (w: WaitingStep) => `${w.runId}#${w.stepId}`;
  const waiting = [...new Map([...(loser.waiting ?? []), ...(winner.waiting ?? [])].map((w) => [waitKey(w), w])).values()];
  const messages = [...(winner.messages ?? []), ...(loser.messages ?? [])]
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
    .slice(-MESSAGE_LOG_LIMIT);
  return {
    ...(Object.keys(journeys).length > 0 && { journeys }),
    ...(waiting.length > 0 && { waiting }),
    ...(messages.length > 0 && { messages }),
  };
}

function applyEvent(profile: Profile, event: CustomerEvent): Profile {
  const stamp = { at: event.timestamp, by: event.messageId };
  const isIdentify = event.type === 'identify';
  const traits = isIdentify ? event.traits : {};
  const timezone = [event.context.timezone, traits.timezone].find((tz) => typeof tz === 'string' && isValidTimeZone(tz)) as string | undefined;
  const locale = [event.context.locale, traits.locale].map(canonicalLocale).find((l) => l !== undefined);
  const location = locationOf(traits.address) ?? locationOf(event.context.location, 'region');
  const stamped = <T>(value: T | undefined, current: Stamped<T> | undefined) =>
    value === undefined ? current : laterStamped(current, { value, ...stamp });
  const next = {
    ...profile,
    identities: applyIdentities(profile.identities, event),
    ...(isIdentify && applyTraits(profile, event)),
    timezone: stamped(timezone, profile.timezone),
    locale: stamped(locale, profile.locale),
    location: stamped(location, profile.location),
    consent: applyConsent(profile.consent, event),
    metrics: applyMetrics(profile.metrics, event),
    suppression: applySuppression(profile.suppression, event),
  };
  return dropUndefined(next) as Profile;
}

function applyIdentities(identities: Profile['identities'], event: CustomerEvent): Profile['identities'] {
  const userIds = union(identities.userIds, present(event.userId));
  const aliased = event.type === 'alias' ? present(event.previousId) : [];
  const traits = event.type === 'identify' ? event.traits : {};
  const device = deviceOf(event);
  return {
    userIds,
    // An id known as a userId is not also listed as anonymous, whichever of alias/identify came first.
    anonymousIds: without(union(identities.anonymousIds, present(event.anonymousId), aliased), userIds),
    emails: union(identities.emails, present(normaliseEmail(traits.email))),
    phones: union(identities.phones, present(normalisePhone(traits.phone))),
    devices: device ? keepRecentDevices([...identities.devices, device]) : identities.devices,
  };
}

function applyTraits(profile: Profile, event: CustomerEvent): Pick<Profile, 'traits' | 'traitStamps'> {
  const traits = { ...profile.traits };
  const traitStamps = { ...profile.traitStamps };
  const stamp = { at: event.timestamp, by: event.messageId };
  for (const [key, value] of Object.entries(event.traits)) {
    if (value === undefined) continue;
    const current = Object.hasOwn(traitStamps, key) ? traitStamps[key] : undefined;
    if (current && compareStamps(current, stamp) >= 0) continue;
    setOwn(traits, key, value);
    setOwn(traitStamps, key, stamp);
  }
  return { traits, traitStamps };
}

/**
 * Track events that grant or revoke consent. `channel`: the channel the event always means (its
 * properties are not read); `topicOrChannel`: a topic, when named, is revoked instead of the channel
 * (leaving one topic keeps the rest of the channel).
 */
const CONSENT_EVENTS: Record<string, { status: ConsentState['status']; channel?: Channel; topicOrChannel?: boolean }> = {
  [CONSENT_GRANTED]: { status: 'granted' },
  [CONSENT_REVOKED]: { status: 'revoked' },
  [UNSUBSCRIBED]: { status: 'revoked', topicOrChannel: true },
  [SMS_OPTED_OUT]: { status: 'revoked', channel: 'sms' },
};

function applyConsent(consent: Profile['consent'], event: CustomerEvent): Profile['consent'] {
  const kind = event.type === 'track' && event.event !== undefined ? own(CONSENT_EVENTS, event.event) : undefined;
  if (!kind) return consent;
  const state: ConsentState = {
    status: kind.status,
    at: event.timestamp,
    by: event.messageId,
    source: event.source,
  };
  const topic = kind.channel ? undefined : event.properties.topic;
  const hasTopic = typeof topic === 'string' && topic.trim() !== '';
  const channel = kind.channel ?? (kind.topicOrChannel && hasTopic ? undefined : event.properties.channel);
  const channels = CHANNELS.includes(channel as Channel)
    ? joinConsent(consent.channels, { [channel as Channel]: state })
    : consent.channels;
  const topics = hasTopic ? joinConsent(consent.topics, { [(topic as string).trim()]: state }) : consent.topics;
  return { channels, topics };
}

type Suppression = NonNullable<Profile['suppression']>;
type SuppressionEntry = NonNullable<Suppression[Channel]>;

/** The suppression flag a feedback event sets, if any. */
function suppressionOf(event: CustomerEvent): { channel: Channel; reason: SuppressionFlag } | undefined {
  if (event.type !== 'track') return undefined;
  const { bounceType, channel, topic } = event.properties;
  switch (event.event) {
    case EMAIL_BOUNCED:
      return bounceType === 'Permanent' ? { channel: 'email', reason: 'hard_bounce' } : undefined;
    case EMAIL_COMPLAINED:
      return { channel: 'email', reason: 'complaint' };
    case SMS_OPTED_OUT:
      return { channel: 'sms', reason: 'opted_out' };
    case UNSUBSCRIBED: {
      const hasTopic = typeof topic === 'string' && topic.trim() !== '';
      return !hasTopic && CHANNELS.includes(channel as Channel) ? { channel: channel as Channel, reason: 'unsubscribed' } : undefined;
    }
    default:
      return undefined;
  }
}

function applySuppression(suppression: Profile['suppression'], event: CustomerEvent): Profile['suppression'] {
  const flag = suppressionOf(event);
  if (!flag) return suppression;
  return joinSuppression(suppression ?? {}, { [flag.channel]: { reason: flag.reason, at: event.timestamp } });
}

/**
 * A hard bounce or complaint outranks an unsubscribe or opt-out whatever their times (a later
 * unsubscribe must not soften "never again": an unsubscribe can be undone by a new opt-in); within
 * a rank the later flag wins, ties broken by reason, so the join is order-independent.
 */
function joinSuppression(a: Suppression, b: Suppression): Suppression {
  const joined: Partial<Record<Channel, SuppressionEntry>> = { ...a };
  for (const channel of CHANNELS) {
    const x = joined[channel];
    const y = b[channel];
    if (y && (!x || compareSuppression(y, x) > 0)) joined[channel] = y;
  }
  return joined;
}

const PERMANENT_FLAGS: readonly SuppressionFlag[] = ['hard_bounce', 'complaint'];

function compareSuppression(a: SuppressionEntry, b: SuppressionEntry): number {
  const rank = (s: SuppressionEntry) => (PERMANENT_FLAGS.includes(s.reason) ? 1 : 0);
  return rank(a) - rank(b) || toMillis(a.at) - toMillis(b.at) || compareText(a.reason, b.reason);
}

function applyMetrics(metrics: Metrics, event: CustomerEvent): Metrics {
  const key = eventKey(event);
  const lastSeen = maxIso(metrics.lastSeen, event.timestamp) as string;
  const day = utcDay(event.timestamp);
  const days = own(metrics.daily, key) ?? {};
  const daily = { ...metrics.daily, [key]: { ...days, [day]: (own(days, day) ?? 0) + 1 } };
  const orders = applyOrder(metrics.orders, event);
  return {
    ...metrics,
    firstSeen: minIso(metrics.firstSeen, event.timestamp),
    lastSeen,
    eventCounts: { ...metrics.eventCounts, [key]: (own(metrics.eventCounts, key) ?? 0) + 1 },
    daily: pruneDaily(daily, lastSeen),
    orders,
    clv: orders.revenue,
  };
}

function applyOrder(orders: Metrics['orders'], event: CustomerEvent): Metrics['orders'] {
  if (event.type !== 'track') return orders;
  const amount = money(event.properties.revenue ?? event.properties.total ?? 0);
  if (event.event === ORDER_COMPLETED) {
    return dropUndefined({
      count: orders.count + 1,
      revenue: roundMoney(orders.revenue + amount),
      firstAt: minIso(orders.firstAt, event.timestamp),
      lastAt: maxIso(orders.lastAt, event.timestamp),
    }) as Metrics['orders'];
  }
  if (event.event === ORDER_REFUNDED) return { ...orders, revenue: roundMoney(orders.revenue - amount) };
  return orders;
}

function joinMetrics(a: Metrics, b: Metrics): Metrics {
  const lastSeen = maxIso(a.lastSeen, b.lastSeen);
  const daily: Record<string, Record<string, number>> = {};
  for (const key of union(Object.keys(a.daily), Object.keys(b.daily))) setOwn(daily, key, sumCounts(own(a.daily, key) ?? {}, own(b.daily, key) ?? {}));
  const revenue = roundMoney(a.orders.revenue + b.orders.revenue);
  return dropUndefined({
    firstSeen: minIso(a.firstSeen, b.firstSeen),
    lastSeen,
    eventCounts: sumCounts(a.eventCounts, b.eventCounts),
    daily: lastSeen ? pruneDaily(daily, lastSeen) : daily,
    orders: dropUndefined({
      count: a.orders.count + b.orders.count,
      revenue,
      firstAt: minIso(a.orders.firstAt, b.orders.firstAt),
      lastAt: maxIso(a.orders.lastAt, b.orders.lastAt),
    }) as Metrics['orders'],
    clv: revenue,
  }) as Metrics;
}

/** Drops days outside the window ending on the newest day: the window only moves forward, so order does not matter. */
function pruneDaily(daily: Record<string, Record<string, number>>, lastSeen: string): Record<string, Record<string, number>> {
  const oldest = addDays(utcDay(lastSeen), -(DAILY_WINDOW_DAYS - 1));
  const pruned: Record<string, Record<string, number>> = {};
  for (const [key, days] of Object.entries(daily)) {
    const kept = Object.fromEntries(Object.entries(days).filter(([day]) => day >= oldest));
    if (Object.keys(kept).length > 0) pruned[key] = kept;
  }
  return pruned;
}

function appendRing(ring: readonly string[], applied: readonly CustomerEvent[]): string[] {
  // Sorted so that one call gives the same ring whatever the order of its input.
  const fresh = applied
    .map((e) => ({ at: e.timestamp, by: e.messageId }))
    .sort(compareStamps)
    .map((stamp) => stamp.by);
  const room = Math.max(0, RECENT_MESSAGE_IDS - fresh.length);
  return [...ring.slice(Math.max(0, ring.length - room)), ...fresh];
}

function maxUpdatedAt(updatedAt: string, applied: readonly CustomerEvent[]): string {
  return applied.reduce((max, e) => maxIso(max, e.receivedAt) as string, updatedAt);
}

function deviceOf(event: CustomerEvent): DeviceToken | undefined {
  const device = event.context.device as { token?: unknown; type?: unknown } | undefined;
  if (!device || typeof device.token !== 'string' || device.token === '' || typeof device.type !== 'string') return undefined;
  const type = device.type.toLowerCase();
  const platform = type === 'ios' || type === 'ipados' || type === 'tvos' ? 'apns' : type === 'android' ? 'fcm' : undefined;
  return platform && { token: device.token, platform, lastSeen: event.timestamp };
}

/** Dedupes by token (latest sighting wins) and keeps the most recent, ordered newest first then by token. */
function keepRecentDevices(devices: readonly DeviceToken[]): DeviceToken[] {
  const byToken = new Map<string, DeviceToken>();
  for (const device of devices) {
    const current = byToken.get(device.token);
    if (!current || compareDevices(device, current) < 0) byToken.set(device.token, device);
  }
  return [...byToken.values()].sort(compareDevices).slice(0, MAX_DEVICES);
}

function compareDevices(a: DeviceToken, b: DeviceToken): number {
  return toMillis(b.lastSeen) - toMillis(a.lastSeen) || compareText(a.token, b.token) || compareText(a.platform, b.platform);
}

function locationOf(value: unknown, regionKey: 'state' | 'region' = 'state'): Location | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const source = value as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  const location = dropUndefined({ country: text(source.country), region: text(source[regionKey]), city: text(source.city) });
  return Object.keys(location).length > 0 ? location : undefined;
}

function canonicalLocale(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  try {
    return Intl.getCanonicalLocales(value.trim())[0];
  } catch {
    return undefined;
  }
}

function normaliseEmail(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().toLowerCase() : undefined;
}

function normalisePhone(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const phone = String(value).trim().replace(/[\s\-.()]/g, '');
  return phone === '' || phone === '+' ? undefined : phone;
}

function money(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? roundMoney(n) : 0;
}

function roundMoney(n: number): number {
  return Math.round(n * MONEY_SCALE) / MONEY_SCALE;
}

function pickTrait(a: Profile, b: Profile, key: string): Profile {
  const inA = Object.hasOwn(a.traits, key);
  const inB = Object.hasOwn(b.traits, key);
  if (!inA || !inB) return inA ? a : b;
  const sa = own(a.traitStamps, key);
  const sb = own(b.traitStamps, key);
  // Unstamped traits (set outside events) lose to stamped ones; between two, the larger JSON wins so the join commutes.
  if (sa && sb && compareStamps(sa, sb) !== 0) return compareStamps(sa, sb) > 0 ? a : b;
  if (sa && !sb) return a;
  if (sb && !sa) return b;
  return compareText(JSON.stringify(a.traits[key]) ?? '', JSON.stringify(b.traits[key]) ?? '') >= 0 ? a : b;
}

function laterStamped<T extends { at: string; by: string }>(a: T | undefined, b: T | undefined): T | undefined {
  if (!a || !b) return a ?? b;
  return compareStamps(a, b) >= 0 ? a : b;
}

function joinConsent<K extends string>(a: Partial<Record<K, ConsentState>>, b: Partial<Record<K, ConsentState>>): Record<string, ConsentState> {
  const joined: Record<string, ConsentState> = { ...a } as Record<string, ConsentState>;
  for (const [key, state] of Object.entries(b) as [string, ConsentState][]) {
    setOwn(joined, key, laterStamped(own(joined, key), state) as ConsentState);
  }
  return joined;
}

function joinMemberships(a: Record<string, SegmentMembership>, b: Record<string, SegmentMembership>): Record<string, SegmentMembership> {
  const joined = { ...a };
  for (const [id, membership] of Object.entries(b)) {
    const current = own(joined, id);
    setOwn(joined, id, current && toMillis(current.since) <= toMillis(membership.since) ? current : membership);
  }
  return joined;
}

/**
 * Orders two stamps by event time, then messageId (the Segment tie-break).
 *
 * @example
 * compareStamps({ at: '2026-01-01T00:00:00Z', by: 'b' }, { at: '2026-01-01T00:00:00Z', by: 'a' }); // > 0
 */
export function compareStamps(a: { at: string; by: string }, b: { at: string; by: string }): number {
  return toMillis(a.at) - toMillis(b.at) || compareText(a.by, b.by);
}

function sumCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const sum = { ...a };
  for (const [key, n] of Object.entries(b)) setOwn(sum, key, (own(sum, key) ?? 0) + n);
  return sum;
}

function minIso(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return toMillis(a) < toMillis(b) || (toMillis(a) === toMillis(b) && a <= b) ? a : b;
}

function maxIso(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return toMillis(a) > toMillis(b) || (toMillis(a) === toMillis(b) && a >= b) ? a : b;
}

function union(...lists: (readonly string[])[]): string[] {
  return [...new Set(lists.flat())].sort(compareText);
}

function without(list: readonly string[], remove: readonly string[]): string[] {
  return list.filter((item) => !remove.includes(item));
}

function present(value: string | undefined): string[] {
  return value === undefined || value === '' ? [] : [value];
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Assigns as an own property, so a key such as `__proto__` from event data stays plain data. */
function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
