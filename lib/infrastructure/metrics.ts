import type { FeedbackOutcome, IgnoredReason } from '../app/feedback';
import type { SendTaskResult } from '../core/journeys/protocol';
import { SUPPRESSION_REASONS } from '../core/messaging/suppression';
import { CHANNELS } from '../core/profile';

/**
 * The engine's own CloudWatch metrics, in one place: the handlers emit them (Powertools Metrics,
 * EMF) and the dashboard and alarms read them by these names, so the two cannot drift. No CDK
 * import here: the handlers bundle this file.
 *
 * Every metric carries the `service` dimension Powertools adds (the function's service name, see
 * `SERVICE`), then the dimensions listed with it. CloudWatch identifies a metric by its full set of
 * dimensions: a reader must name exactly the set a writer emits.
 *
 * Cardinality is kept low on purpose: dimension values come from small, closed sets (channels,
 * outcomes, suppression reasons, feedback types); anything else is folded into `other`. Journey,
 * step and run ids are never dimensions: every value would be a new custom metric billed monthly,
 * journeys are created freely, and the per-journey numbers already exist at no cost: Step Functions
 * publishes per state machine, and the journey counters hold sends and outcomes per step and
 * variant (the readouts). The ids travel as EMF metadata instead, searchable in Logs Insights.
 */

/** Where the handlers publish, unless `POWERTOOLS_METRICS_NAMESPACE` says otherwise. */
export const DEFAULT_METRICS_NAMESPACE = 'JourneyEngine';

/** `POWERTOOLS_SERVICE_NAME` of each function: the `service` dimension of its metrics. */
export const SERVICE = {
  ingest: 'ingest',
  processor: 'processor',
  admin: 'admin',
  reevaluate: 'reevaluate',
  journeyTask: 'journey-task',
  starter: 'starter',
  feedback: 'feedback',
} as const;
export type ServiceName = (typeof SERVICE)[keyof typeof SERVICE];

/** Dimension names (besides Powertools' `service`). */
export const DIMENSION = {
  service: 'service',
  channel: 'Channel',
  outcome: 'Outcome',
  reason: 'Reason',
  type: 'Type',
} as const;

/** Metric names, all of unit Count. */
export const METRIC = {
  // ingest
  /** Events accepted and enqueued. Dimensions: service. */
  eventsIngested: 'EventsIngested',
  /** Events of rejected requests. Dimensions: service, Reason (`invalid` | `too_large`). */
  eventsRejected: 'EventsRejected',
  /** Rejected requests (one per request). Dimensions: service, Reason (`REJECTION_REASONS`). */
  requestsRejected: 'RequestsRejected',
  // processor
  /** Events folded into profiles. Dimensions: service. */
  eventsProcessed: 'EventsProcessed',
  /** Events already seen (same messageId). Dimensions: service. */
  duplicateEvents: 'DuplicateEvents',
  /** Queue messages that failed and go back to the queue (then to the DLQ). Dimensions: service. */
  messagesFailed: 'MessagesFailed',
  /** Segment entries and exits. Dimensions: service (processor or reevaluate). */
  segmentTransitions: 'SegmentTransitions',
  /** Journey runs put on the starts queue. Dimensions: service. */
  journeyStartsQueued: 'JourneyStartsQueued',
  /** Runs stopped by exit criteria. Dimensions: service. */
  journeyStops: 'JourneyStops',
  /** Waiting runs resumed by the event they waited for. Dimensions: service. */
  journeyResumes: 'JourneyResumes',
  // reevaluate
  /** Profiles whose time-based segments were due. Dimensions: service. */
  profilesReevaluated: 'ProfilesReevaluated',
  // starter
  /** Executions started. Dimensions: service. */
  journeyStarts: 'JourneyStarts',
  /** Starts Step Functions throttled (back to the queue): the StartExecution quota is short. Dimensions: service. */
  journeyStartsThrottled: 'JourneyStartsThrottled',
  /** Starts handed back to the queue by the starter's own pacing: expected during large entries. Dimensions: service. */
  journeyStartsPaced: 'JourneyStartsPaced',
  /** Starts that failed otherwise (back to the queue, then the DLQ). Dimensions: service. */
  journeyStartsFailed: 'JourneyStartsFailed',
  // journey-task
  /**
   * Send steps by result, emitted twice per send: dimensions service, Channel, Outcome (the
   * dashboard) and service, Outcome (all channels: the failure-rate alarm).
   */
  sends: 'Sends',
  /** Suppressed sends. Dimensions: service, Reason (`SUPPRESSION_REASON_VALUES`). */
  suppressions: 'Suppressions',
  // feedback
  /** Provider events recorded. Dimensions: service, Type (`FEEDBACK_TYPES`). */
  feedbackEvents: 'FeedbackEvents',
  /** Provider events not ours or not understood. Dimensions: service, Reason (`FEEDBACK_IGNORED_REASONS`). */
  feedbackIgnored: 'FeedbackIgnored',
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** `Reason` values of RequestsRejected; EventsRejected uses the first two. */
export const REJECTION_REASONS = ['invalid', 'too_large', 'unauthorized'] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** `Channel` values of Sends. */
export const SEND_CHANNELS = CHANNELS;

/** `Outcome` values of Sends: a send step's `SendTaskResult.outcome`. */
export const SEND_OUTCOMES = ['sent', 'suppressed', 'deferred', 'failed'] as const;
export type SendOutcome = (typeof SEND_OUTCOMES)[number];

/** `Reason` values of Suppressions: the suppression policy's reasons, `no_profile`, and `other` for anything new. */
export const SUPPRESSION_REASON_VALUES = [...SUPPRESSION_REASONS, 'no_profile', 'other'] as const;

/** `Type` values of FeedbackEvents: `FeedbackOutcome`. */
export const FEEDBACK_TYPES = ['delivered', 'opened', 'clicked', 'bounced', 'complained', 'unsubscribed'] as const;

/** `Reason` values of FeedbackIgnored: `IgnoredReason`. */
export const FEEDBACK_IGNORED_REASONS = ['not_a_provider_event', 'unsupported_event_type', 'unknown_message'] as const;

/** Compile-time guard: each list above names every value of the domain type it mirrors, and no other. */
type SameSet<A, B> = [Exclude<A, B>, Exclude<B, A>] extends [never, never] ? true : never;
const closedSets: [
  SameSet<SendOutcome, SendTaskResult['outcome']>,
  SameSet<(typeof FEEDBACK_TYPES)[number], FeedbackOutcome>,
  SameSet<(typeof FEEDBACK_IGNORED_REASONS)[number], IgnoredReason>,
] = [true, true, true];
void closedSets;

/**
 * `value` when it is one of `allowed`, else `other`: a dimension value never comes from an open set.
 *
 * @example
 * dimensionValue('quiet_hours', SUPPRESSION_REASON_VALUES); // 'quiet_hours'
 * dimensionValue('SES said no', SUPPRESSION_REASON_VALUES); // 'other'
 */
export function dimensionValue(value: string | undefined, allowed: readonly string[]): string {
  return value !== undefined && allowed.includes(value) ? value : 'other';
}
