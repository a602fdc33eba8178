/**
 * The customer profile: one DynamoDB item, folded from events by the pure reducer.
 *
 * Every field that events can set carries the event time that set it, so that folding the same
 * events in any order gives the same profile (last writer wins by event timestamp, ties broken by
 * messageId; counters are sums; first/last seen are min/max).
 */
export type Channel = 'email' | 'sms' | 'push';
export const CHANNELS: readonly Channel[] = ['email', 'sms', 'push'];

/** A value with the event time (ISO) and messageId that set it. */
export interface Stamped<T> {
  readonly value: T;
  readonly at: string;
  readonly by: string;
}

export interface ConsentState {
  readonly status: 'granted' | 'revoked';
  /** Event time of the change (ISO). */
  readonly at: string;
  readonly by: string;
  /** Where it came from: the event source (write key name), or `feedback` for provider events. */
  readonly source: string;
}

export interface DeviceToken {
  readonly token: string;
  /** `apns` (iOS) or `fcm` (Android), from `context.device.type`. */
  readonly platform: 'apns' | 'fcm';
  readonly lastSeen: string;
}

export interface Location {
  readonly country?: string;
  /** Province / state (Segment `address.state` or `context.location.region`). */
  readonly region?: string;
  readonly city?: string;
}

export interface OrderMetrics {
  readonly count: number;
  /** Sum of Order Completed revenue minus Order Refunded amounts (one currency, see config). */
  readonly revenue: number;
  readonly firstAt?: string;
  readonly lastAt?: string;
}

export interface RfmScores {
  /** 1 (lapsed) .. 5 (recent). */
  readonly recency: number;
  /** 1 .. 5 by order count. */
  readonly frequency: number;
  /** 1 .. 5 by revenue. */
  readonly monetary: number;
  /** e.g. "555". */
  readonly cell: string;
  /** champions | loyal | new | potential | at_risk | hibernating | needs_attention (see rfm.ts) */
  readonly tier: string;
  /** When the scores were computed (recency depends on it). */
  readonly asOf: string;
}

export interface Metrics {
  readonly firstSeen?: string;
  readonly lastSeen?: string;
  /** All-time count per event key (track name, or page/screen/identify/...). */
  readonly eventCounts: Record<string, number>;
  /** Daily counts per event key, UTC day `YYYY-MM-DD`, last 90 days (relative to the newest event). */
  readonly daily: Record<string, Record<string, number>>;
  readonly orders: OrderMetrics;
  /** Historical customer lifetime value: revenue to date. */
  readonly clv: number;
  readonly rfm?: RfmScores;
}

export interface SegmentMembership {
  /** When the profile entered the segment (ISO). */
  readonly since: string;
}

export interface Profile {
  readonly profileId: string;
  readonly identities: {
    readonly userIds: readonly string[];
    readonly anonymousIds: readonly string[];
    readonly emails: readonly string[];
    readonly phones: readonly string[];
    readonly devices: readonly DeviceToken[];
  };
  readonly traits: Record<string, unknown>;
  /** Per top-level trait: the event time and messageId that last set it. */
  readonly traitStamps: Record<string, { readonly at: string; readonly by: string }>;
  readonly timezone?: Stamped<string>;
  readonly locale?: Stamped<string>;
  readonly location?: Stamped<Location>;
  readonly consent: {
    readonly channels: Partial<Record<Channel, ConsentState>>;
    readonly topics: Record<string, ConsentState>;
  };
  readonly metrics: Metrics;
  /** Segment id -> membership. */
  readonly segments: Record<string, SegmentMembership>;
  /** The messageIds of the most recent writes: the dedupe check that commits with the fold. */
  readonly recentMessageIds: readonly string[];
  /** Profiles merged into this one (their ids), so a repeated merge changes nothing. */
  readonly mergedFrom: readonly string[];
  /** Earliest time a time-based segment condition can change membership without a new event. */
  readonly nextEvaluationAt?: string;
  /** Journey id -> entries and active runs (written at entry, on completion and on exit). */
  readonly journeys?: Record<string, JourneyState>;
  /** Runs waiting for an event (waitForEvent steps), resumed by the processor. */
  readonly waiting?: readonly WaitingStep[];
  /** Recent message decisions, newest last (bounded): frequency caps and "already sent" read them. */
  readonly messages?: readonly MessageLogEntry[];
  /** Channels that must never be messaged again (hard bounce, complaint, unsubscribe, SMS opt-out). */
  readonly suppression?: Partial<Record<Channel, { readonly reason: SuppressionFlag; readonly at: string }>>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ActiveRun {
  readonly runId: string;
  readonly enteredAt: string;
  readonly entryKey?: string;
  /** The messageId of the entry event: a redelivery re-issues the (idempotent) start. */
  readonly entryMessageId?: string;
}

export interface JourneyState {
  /** How many times the customer entered (all keys). */
  readonly entries: number;
  readonly lastEnteredAt?: string;
  /** Active runs by entry key (`_` for journeys without an entry key). */
  readonly active: Record<string, ActiveRun>;
  /** Split step id -> variant: the sticky assignment, recorded for measurement. */
  readonly variants?: Record<string, string>;
  /** The last run's outcome. */
  readonly lastOutcome?: { readonly runId: string; readonly outcome: string; readonly at: string };
  /**
   * Run history for measurement, oldest first, bounded (see `lib/core/measurement/runs.ts`): the
   * last 10 runs, none ended more than 90 days ago (the longest goal window). Conversions are
   * attributed to these runs, active or recently ended.
   */
  readonly recent?: readonly RunRecord[];
}

/** Treatment customers get the journey's messages; the global control group gets none (measured only). */
export type RunGroup = 'treatment' | 'global-control';

/** One run of a journey as measurement sees it: written at entry, split, send, completion and exit. */
export interface RunRecord {
  readonly runId: string;
  readonly entryKey?: string;
  readonly enteredAt: string;
  readonly endedAt?: string;
  /** `completed` | `holdout` | `failed` | `exited` (exit criteria) | `goal:<goalId>` (exit on conversion). */
  readonly outcome?: string;
  /** Split step id -> the variant this run took there (`holdout` included). */
  readonly variants: Record<string, string>;
  readonly group: RunGroup;
  /** The run's latest `sent` message. */
  readonly lastSend?: { readonly stepId: string; readonly at: string };
  /** Goal id -> the run's conversion: the first matching event's time, and the summed value within the window. */
  readonly conversions: Record<string, GoalConversion>;
}

export interface GoalConversion {
  /** Event time of the first conversion (ISO). */
  readonly at: string;
  /** The summed values of every goal event within the window (revenue per customer). */
  readonly value: number;
  /** The last touched step at the first conversion (the run's last send before it); absent when nothing was sent. */
  readonly stepId?: string;
}

export interface WaitingStep {
  readonly journeyId: string;
  readonly runId: string;
  readonly stepId: string;
  readonly event: string;
  readonly where?: readonly { readonly property: string; readonly operator: string; readonly value?: unknown }[];
  /** Keyed runs: the event's entry-key property must equal this. */
  readonly entryKey?: string;
  readonly entryKeyProperty?: string;
  readonly taskToken: string;
  /** After this the wait has timed out (Step Functions' TimeoutSeconds): drop it. */
  readonly until: string;
  /**
   * The messageId of the event that resumed it. A resumed wait stays (matching nothing) until
   * `until`, so that a redelivery of that event can send the token again after a crash between the
   * profile write and SendTaskSuccess.
   */
  readonly resumedBy?: string;
}

export type SuppressionFlag = 'hard_bounce' | 'complaint' | 'unsubscribed' | 'opted_out';

export type MessageOutcome = 'sent' | 'suppressed' | 'deferred' | 'failed' | 'delivered' | 'opened' | 'clicked' | 'bounced' | 'complained' | 'unsubscribed';

export interface MessageLogEntry {
  readonly journeyId: string;
  readonly runId: string;
  readonly stepId: string;
  readonly variant?: string;
  readonly channel: Channel;
  readonly template: string;
  readonly outcome: MessageOutcome;
  readonly reason?: string;
  readonly providerMessageId?: string;
  /** When the decision was made (ISO). Caps count `sent` entries by the customer's calendar days. */
  readonly at: string;
}
