/**
 * The normalised customer event: what the ingest API puts on the queue and what the processor folds
 * into a profile. It is a Segment-spec call after validation, clock-skew correction and stamping.
 */
export type EventType = 'track' | 'identify' | 'page' | 'screen' | 'group' | 'alias';

export const EVENT_TYPES: readonly EventType[] = ['track', 'identify', 'page', 'screen', 'group', 'alias'];

export interface CustomerEvent {
  readonly type: EventType;
  /** Idempotency key: the same messageId is applied at most once. */
  readonly messageId: string;
  readonly userId?: string;
  readonly anonymousId?: string;
  /** `alias` only: the identity being merged into `userId` (an anonymousId or an earlier userId). */
  readonly previousId?: string;
  /** `group` only. */
  readonly groupId?: string;
  /** `track` only: the event name, e.g. `Order Completed`. */
  readonly event?: string;
  /** `page` / `screen`: the page or screen name. */
  readonly name?: string;
  readonly properties: Record<string, unknown>;
  readonly traits: Record<string, unknown>;
  readonly context: Record<string, unknown>;
  /** When it happened (ISO 8601, UTC), corrected for client clock skew. */
  readonly timestamp: string;
  /** When the engine received it (ISO 8601, UTC). */
  readonly receivedAt: string;
  /** Name of the write key (source) it came in with, or `engine` for internal events. */
  readonly source: string;
}

/** Internal events the engine emits itself (source `engine`). */
export const SEGMENT_ENTERED = 'segment_entered';
export const SEGMENT_EXITED = 'segment_exited';

/** Track events with a meaning to the profile reducer (Segment e-commerce spec and consent). */
export const ORDER_COMPLETED = 'Order Completed';
export const ORDER_REFUNDED = 'Order Refunded';
/** `properties.channel` (email|sms|push) and optional `properties.topic`. */
export const CONSENT_GRANTED = 'Consent Granted';
export const CONSENT_REVOKED = 'Consent Revoked';

/** The key under which an event is counted in metrics: the track name, or `page` / `screen` / ... */
export function eventKey(event: Pick<CustomerEvent, 'type' | 'event'>): string {
  return event.type === 'track' ? (event.event as string) : event.type;
}

/**
 * Events the feedback function emits (source {@link FEEDBACK_SOURCE}) from SES and End User
 * Messaging SMS events, folded like any other track event so segments, waits and branches can use
 * them. Properties: `channel`, `journeyId`, `runId`, `stepId`, `variant?`, `template`,
 * `providerMessageId`, plus the ones named below.
 */
export const FEEDBACK_SOURCE = 'feedback';
export const EMAIL_DELIVERED = 'Email Delivered';
export const EMAIL_OPENED = 'Email Opened';
/** `properties.link`: the URL clicked. */
export const EMAIL_CLICKED = 'Email Clicked';
/** `properties.bounceType`: `Permanent` (a hard bounce: the reducer suppresses email), `Transient` or `Undetermined`. */
export const EMAIL_BOUNCED = 'Email Bounced';
/** The recipient marked the email as spam: the reducer suppresses email. */
export const EMAIL_COMPLAINED = 'Email Complained';
/** `properties.channel` and optional `properties.topic`: consent revoked (and, without a topic, the channel suppressed). */
export const UNSUBSCRIBED = 'Unsubscribed';
export const SMS_DELIVERED = 'SMS Delivered';
/** The phone number opted out (STOP): the reducer suppresses SMS and revokes its consent. */
export const SMS_OPTED_OUT = 'SMS Opted Out';
