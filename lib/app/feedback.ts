import { z } from 'zod';
import { DEFAULT_EVENT_RETENTION_DAYS } from '../core/config';
import {
  EMAIL_BOUNCED,
  EMAIL_CLICKED,
  EMAIL_COMPLAINED,
  EMAIL_DELIVERED,
  EMAIL_OPENED,
  FEEDBACK_SOURCE,
  SMS_DELIVERED,
  SMS_OPTED_OUT,
  UNSUBSCRIBED,
  type CustomerEvent,
} from '../core/events';
import type { EventQueue, JourneyStore, ProfileStore } from '../core/ports';
import type { MessageLogEntry, Profile } from '../core/profile';

/**
 * The feedback use case: a provider event about a message we sent (SES email events, End User
 * Messaging SMS delivery events, both through EventBridge) becomes
 * 1. engine events on the events queue (source `feedback`), which the processor folds like any
 *    event: suppression flags and consent for bounces, complaints, unsubscribes and opt-outs, and
 *    facts segments, waits and branches can use (`Email Opened`, ...);
 * 2. a message history record (outcome and time) through the JourneyStore;
 * 3. a per journey / step / variant counter (`delivered`, `opened`, `bounced`, ...).
 * They run in that order, most idempotent first: the engine events carry a messageId derived from
 * the EventBridge event id and history records have deterministic keys, so a retried invocation
 * repeats them harmlessly; only the counter increment is not idempotent and goes last.
 */

export type FeedbackOutcome = Extract<MessageLogEntry['outcome'], 'delivered' | 'opened' | 'clicked' | 'bounced' | 'complained' | 'unsubscribed'>;

/** What a provider event says, before we know whose message it is. */
export interface FeedbackSignal {
  readonly channel: 'email' | 'sms';
  /** The EventBridge event id: the seed of the emitted events' messageIds. */
  readonly eventId: string;
  readonly providerMessageId: string;
  readonly outcome: FeedbackOutcome;
  /** When it happened (ISO). */
  readonly at: string;
  /** Detail for the message history, e.g. `Permanent/General` or `TEXT_BLOCKED`. */
  readonly reason?: string;
  /** Ids the provider echoed (SES message tags, SMS context): the fallback when the message is not indexed. */
  readonly tags: { readonly journeyId?: string; readonly runId?: string; readonly stepId?: string; readonly profileId?: string; readonly variant?: string };
  /** Engine events to emit: name and event-specific properties. */
  readonly emit: readonly { readonly event: string; readonly properties: Record<string, unknown> }[];
}

export type IgnoredReason = 'not_a_provider_event' | 'unsupported_event_type' | 'unknown_message';

export type FeedbackResult =
  | {
      readonly status: 'recorded';
      readonly profileId: string;
      readonly journeyId: string;
      readonly outcome: FeedbackOutcome;
      /** Emitted engine events (none when the profile is gone or has no identity). */
      readonly emitted: readonly CustomerEvent[];
    }
  | { readonly status: 'ignored'; readonly reason: IgnoredReason; readonly detail?: string };

export interface FeedbackDeps {
  readonly journeys: Pick<JourneyStore, 'findMessage' | 'recordMessage' | 'incrementCounters'>;
  readonly profiles: Pick<ProfileStore, 'getProfile'>;
  readonly events: EventQueue;
  readonly now: () => Date;
  /** Days a feedback record stays in the message history (TTL). @default DEFAULT_EVENT_RETENTION_DAYS */
  readonly retentionDays?: number;
}

// --- Provider shapes -----------------------------------------------------------------------------

/** EventBridge envelope (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html). */
const envelopeSchema = z.object({
  id: z.string().min(1),
  'detail-type': z.string(),
  source: z.string(),
  time: z.string(),
  detail: z.unknown(),
});
export type ProviderEventEnvelope = z.infer<typeof envelopeSchema>;

const timestamped = z.object({ timestamp: z.string().optional() }).passthrough();

/**
 * SES event publishing record, the `detail` of SES events on EventBridge (source `aws.ses`,
 * detail-types `Email Delivered`, `Email Bounced`, `Email Complaint Received`, `Email Opened`,
 * `Email Clicked`, `Email Subscribed`, ...: https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-ses.html).
 * Fields: https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html —
 * `eventType` (Bounce, Complaint, Delivery, Send, Reject, Open, Click, Rendering Failure,
 * DeliveryDelay, Subscription), `mail.messageId` (the SendEmail MessageId), `mail.tags` (name ->
 * values, our EmailTags included), `bounce.bounceType` (`Permanent` is a hard bounce, `Transient`,
 * `Undetermined`), `subscription.newTopicPreferences` ({ unsubscribeAll, topicSubscriptionStatus:
 * [{ topicName, subscriptionStatus: OptIn | OptOut }] }).
 */
const sesDetailSchema = z.object({
  eventType: z.string(),
  mail: z.object({
    messageId: z.string().min(1),
    timestamp: z.string().optional(),
    tags: z.record(z.string(), z.array(z.string())).optional(),
  }),
  bounce: timestamped.extend({ bounceType: z.string().optional(), bounceSubType: z.string().optional() }).optional(),
  complaint: timestamped.extend({ complaintFeedbackType: z.string().optional() }).optional(),
  delivery: timestamped.optional(),
  open: timestamped.optional(),
  click: timestamped.extend({ link: z.string().optional() }).optional(),
  subscription: timestamped
    .extend({
      contactList: z.string().optional(),
      newTopicPreferences: z.object({ unsubscribeAll: z.boolean().optional(), topicSubscriptionStatus: z.array(z.object({ topicName: z.string(), subscriptionStatus: z.string() })).optional() }).optional(),
      oldTopicPreferences: z.object({ unsubscribeAll: z.boolean().optional(), topicSubscriptionStatus: z.array(z.object({ topicName: z.string(), subscriptionStatus: z.string() })).optional() }).optional(),
    })
    .optional(),
});

/**
 * End User Messaging SMS event, the `detail` of `Text Message Delivery Status Updated` events
 * (source `aws.sms-voice`: https://docs.aws.amazon.com/sms-voice/latest/userguide/monitor-event-bridge.html).
 * Fields (https://docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-event-format.html):
 * `eventType` (TEXT_DELIVERED, TEXT_SUCCESSFUL, TEXT_BLOCKED, TEXT_CARRIER_UNREACHABLE, ...:
 * https://docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-event-types.html),
 * `eventTimestamp` (epoch ms), `messageId` (the SendTextMessage MessageId), `messageStatus`,
 * `context` (the Context we sent).
 */
const smsDetailSchema = z.object({
  eventType: z.string().regex(/^TEXT_/),
  eventTimestamp: z.number().optional(),
  messageId: z.string().min(1),
  messageStatus: z.string().optional(),
  messageStatusDescription: z.string().optional(),
  context: z.record(z.string(), z.string()).optional(),
});

/**
 * SMS failures recorded as `bounced` (no suppression: a blocked or unreachable number may work
 * later, and End User Messaging keeps its own opt-out list).
 */
const SMS_FAILURES = new Set([
  'TEXT_INVALID',
  'TEXT_INVALID_MESSAGE',
  'TEXT_UNREACHABLE',
  'TEXT_CARRIER_UNREACHABLE',
  'TEXT_BLOCKED',
  'TEXT_CARRIER_BLOCKED',
  'TEXT_SPAM',
  'TEXT_UNKNOWN',
  'TEXT_TTL_EXPIRED',
  'TEXT_PROTECT_BLOCKED',
]);

// --- Interpretation (pure) ----------------------------------------------------------------------

/**
 * Read a provider event: what happened to which provider message, and which engine events it means.
 * Pure; unknown or uninteresting events come back as `{ ignored }`.
 *
 * SMS: only `TEXT_DELIVERED` counts as delivered (`TEXT_SUCCESSFUL` is "accepted by the carrier",
 * and both can arrive for one message). The published SMS event types have no opt-out event (a
 * number on the opt-out list is refused at send time, `ConflictException`
 * `DESTINATION_PHONE_NUMBER_OPTED_OUT`): an event with `eventType` `TEXT_OPTED_OUT` or
 * `messageStatus` `OPTED_OUT` is still read as an opt-out.
 *
 * @example
 * interpretProviderEvent(bridgeEvent); // { channel: 'email', outcome: 'bounced', emit: [{ event: 'Email Bounced', properties: { bounceType: 'Permanent', ... } }], ... }
 */
export function interpretProviderEvent(input: unknown): FeedbackSignal | { readonly ignored: IgnoredReason; readonly detail?: string } {
  const envelope = envelopeSchema.safeParse(input);
  if (!envelope.success) return { ignored: 'not_a_provider_event' };
  const { id, time, source, detail } = envelope.data;
  const ses = sesDetailSchema.safeParse(detail);
  if (ses.success && source !== 'aws.sms-voice') return interpretSes(id, time, ses.data);
  const sms = smsDetailSchema.safeParse(detail);
  if (sms.success) return interpretSms(id, time, sms.data);
  return { ignored: 'not_a_provider_event', detail: envelope.data['detail-type'] };
}

function interpretSes(eventId: string, time: string, detail: z.infer<typeof sesDetailSchema>): FeedbackSignal | { ignored: IgnoredReason; detail?: string } {
  const tag = (name: string) => detail.mail.tags?.[name]?.[0];
  const base = {
    channel: 'email' as const,
    eventId,
    providerMessageId: detail.mail.messageId,
    tags: { journeyId: tag('journey'), runId: tag('run'), stepId: tag('step'), profileId: tag('profile'), variant: tag('variant') },
  };
  const at = (part?: { timestamp?: string }) => isoOr(part?.timestamp, time);
  switch (detail.eventType) {
    case 'Delivery':
      return { ...base, outcome: 'delivered', at: at(detail.delivery), emit: [{ event: EMAIL_DELIVERED, properties: {} }] };
    case 'Open':
      return { ...base, outcome: 'opened', at: at(detail.open), emit: [{ event: EMAIL_OPENED, properties: {} }] };
    case 'Click':
      return { ...base, outcome: 'clicked', at: at(detail.click), emit: [{ event: EMAIL_CLICKED, properties: { ...(detail.click?.link && { link: detail.click.link }) } }] };
    case 'Bounce': {
      const bounceType = detail.bounce?.bounceType ?? 'Undetermined';
      const bounceSubType = detail.bounce?.bounceSubType;
      return {
        ...base,
        outcome: 'bounced',
        at: at(detail.bounce),
        reason: [bounceType, bounceSubType].filter(Boolean).join('/'),
        emit: [{ event: EMAIL_BOUNCED, properties: { bounceType, ...(bounceSubType && { bounceSubType }) } }],
      };
    }
    case 'Complaint': {
      const feedbackType = detail.complaint?.complaintFeedbackType;
      return { ...base, outcome: 'complained', at: at(detail.complaint), ...(feedbackType && { reason: feedbackType }), emit: [{ event: EMAIL_COMPLAINED, properties: { ...(feedbackType && { feedbackType }) } }] };
    }
    case 'Subscription': {
      const topics = unsubscribedTopics(detail.subscription);
      if (topics === undefined) return { ignored: 'unsupported_event_type', detail: 'Subscription without an opt-out' };
      const emit = topics.length === 0 ? [{ event: UNSUBSCRIBED, properties: { channel: 'email' } }] : topics.map((topic) => ({ event: UNSUBSCRIBED, properties: { channel: 'email', topic } }));
      return { ...base, outcome: 'unsubscribed', at: at(detail.subscription), reason: topics.length === 0 ? 'all' : topics.join(','), emit };
    }
    default:
      return { ignored: 'unsupported_event_type', detail: detail.eventType };
  }
}

/** `[]`: unsubscribed from everything; topic names newly opted out of; `undefined`: no opt-out. */
function unsubscribedTopics(subscription: z.infer<typeof sesDetailSchema>['subscription']): string[] | undefined {
  const next = subscription?.newTopicPreferences;
  if (!next) return undefined;
  if (next.unsubscribeAll && !subscription?.oldTopicPreferences?.unsubscribeAll) return [];
  const wasOut = new Set((subscription?.oldTopicPreferences?.topicSubscriptionStatus ?? []).filter(isOptOut).map((t) => t.topicName));
  const topics = (next.topicSubscriptionStatus ?? []).filter((t) => isOptOut(t) && !wasOut.has(t.topicName)).map((t) => t.topicName);
  if (topics.length > 0) return topics;
  return next.unsubscribeAll ? [] : undefined;
}

function isOptOut(topic: { subscriptionStatus: string }): boolean {
  return topic.subscriptionStatus.toLowerCase().replace(/[_-]/g, '') === 'optout';
}

function interpretSms(eventId: string, time: string, detail: z.infer<typeof smsDetailSchema>): FeedbackSignal | { ignored: IgnoredReason; detail?: string } {
  const context = detail.context ?? {};
  const base = {
    channel: 'sms' as const,
    eventId,
    providerMessageId: detail.messageId,
    at: detail.eventTimestamp !== undefined ? new Date(detail.eventTimestamp).toISOString() : isoOr(undefined, time),
    tags: { journeyId: context.journeyId, runId: context.runId, stepId: context.stepId, profileId: context.profileId, variant: context.variant },
  };
  if (detail.eventType === 'TEXT_OPTED_OUT' || detail.messageStatus === 'OPTED_OUT') {
    return { ...base, outcome: 'unsubscribed', reason: 'opted_out', emit: [{ event: SMS_OPTED_OUT, properties: {} }] };
  }
  if (detail.eventType === 'TEXT_DELIVERED') return { ...base, outcome: 'delivered', emit: [{ event: SMS_DELIVERED, properties: {} }] };
  if (SMS_FAILURES.has(detail.eventType)) return { ...base, outcome: 'bounced', reason: detail.eventType, emit: [] };
  return { ignored: 'unsupported_event_type', detail: detail.eventType };
}

function isoOr(value: string | undefined, fallback: string): string {
  const parsed = Date.parse(value ?? '');
  return new Date(Number.isNaN(parsed) ? Date.parse(fallback) : parsed).toISOString();
}

// --- The use case --------------------------------------------------------------------------------

/** Tombstone hops followed to find a merged profile. */
const MAX_MERGE_HOPS = 5;

/**
 * Apply one provider event (an EventBridge event from SES or End User Messaging SMS).
 *
 * @example
 * const result = await handleFeedback(event, { journeys, profiles, events: queue, now: () => clock().now() });
 * if (result.status === 'ignored') logger.debug('feedback ignored', { reason: result.reason });
 */
export async function handleFeedback(input: unknown, deps: FeedbackDeps): Promise<FeedbackResult> {
  const signal = interpretProviderEvent(input);
  if ('ignored' in signal) return { status: 'ignored', reason: signal.ignored, ...(signal.detail && { detail: signal.detail }) };

  const found = await findSentMessage(signal, deps);
  if (!found) return { status: 'ignored', reason: 'unknown_message', detail: signal.providerMessageId };
  const { profileId, entry } = found;

  const now = deps.now();
  const profile = await currentProfile(profileId, deps);
  const emitted = profile ? engineEvents(signal, entry, profile, now) : [];
  if (emitted.length > 0) await deps.events.enqueue(emitted);

  const record: MessageLogEntry = {
    journeyId: entry.journeyId,
    runId: entry.runId,
    stepId: entry.stepId,
    ...(entry.variant !== undefined && { variant: entry.variant }),
    channel: entry.channel,
    template: entry.template,
    outcome: signal.outcome,
    ...(signal.reason !== undefined && { reason: signal.reason }),
    providerMessageId: signal.providerMessageId,
    at: signal.at,
  };
  const retentionDays = deps.retentionDays ?? DEFAULT_EVENT_RETENTION_DAYS;
  await deps.journeys.recordMessage(profile?.profileId ?? profileId, record, Math.floor(now.getTime() / 1000) + retentionDays * 86_400);
  await deps.journeys.incrementCounters(entry.journeyId, [{ stepId: entry.stepId, variant: entry.variant ?? '*', metric: signal.outcome, by: 1 }]);
  return { status: 'recorded', profileId: profile?.profileId ?? profileId, journeyId: entry.journeyId, outcome: signal.outcome, emitted };
}

/** The message by provider id, else rebuilt from the ids the provider echoed. */
async function findSentMessage(signal: FeedbackSignal, deps: FeedbackDeps): Promise<{ profileId: string; entry: MessageLogEntry } | undefined> {
  const found = await deps.journeys.findMessage(signal.providerMessageId);
  if (found) return found;
  const { journeyId, runId, stepId, profileId, variant } = signal.tags;
  if (!journeyId || !runId || !stepId || !profileId) return undefined;
  return {
    profileId,
    entry: { journeyId, runId, stepId, ...(variant && { variant }), channel: signal.channel, template: '', outcome: 'sent', providerMessageId: signal.providerMessageId, at: signal.at },
  };
}

/** The profile now (following merges), or undefined when it was deleted. */
async function currentProfile(profileId: string, deps: FeedbackDeps): Promise<Profile | undefined> {
  let id = profileId;
  for (let hop = 0; hop <= MAX_MERGE_HOPS; hop += 1) {
    const stored = await deps.profiles.getProfile(id);
    if (!stored) return undefined;
    if (stored.kind === 'profile') return stored.profile;
    id = stored.mergedInto;
  }
  return undefined;
}

function engineEvents(signal: FeedbackSignal, entry: MessageLogEntry, profile: Profile, now: Date): CustomerEvent[] {
  const userId = profile.identities.userIds[0];
  const anonymousId = userId === undefined ? profile.identities.anonymousIds[0] : undefined;
  if (userId === undefined && anonymousId === undefined) return [];
  const common = {
    channel: signal.channel,
    journeyId: entry.journeyId,
    runId: entry.runId,
    stepId: entry.stepId,
    ...(entry.variant !== undefined && { variant: entry.variant }),
    ...(entry.template !== '' && { template: entry.template }),
    providerMessageId: signal.providerMessageId,
  };
  return signal.emit.map((emit, index) => ({
    type: 'track',
    event: emit.event,
    messageId: `feedback-${signal.eventId}-${index}`,
    ...(userId !== undefined ? { userId } : { anonymousId }),
    properties: { ...common, ...emit.properties },
    traits: {},
    context: {},
    timestamp: signal.at,
    receivedAt: now.toISOString(),
    source: FEEDBACK_SOURCE,
  }));
}
