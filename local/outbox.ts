import type { Clock } from '../lib/app/clock';

export type OutboxChannel = 'email' | 'sms' | 'push';

/** One message a handler sent through a local provider endpoint, as the provider received it. */
export interface OutboxMessage {
  /** Position in the outbox, from 1. */
  readonly seq: number;
  /** The id the local provider answered with (what the engine stores as providerMessageId). */
  readonly messageId: string;
  readonly channel: OutboxChannel;
  /** `sesv2`, `sms-voice-v2` or `pinpoint`. */
  readonly provider: string;
  /** Email addresses, phone numbers or device tokens. */
  readonly to: readonly string[];
  readonly from?: string;
  readonly subject?: string;
  /** Email text part, SMS body, push body. */
  readonly body?: string;
  readonly html?: string;
  /** Push title. */
  readonly title?: string;
  /** Push link. */
  readonly url?: string;
  readonly journeyId?: string;
  readonly runId?: string;
  readonly stepId?: string;
  readonly variant?: string;
  readonly profileId?: string;
  /** SES topic of the contact list (subscription topic). */
  readonly topic?: string;
  /** Every tag / context entry as sent (SES tag values are sanitised by SES rules). */
  readonly tags: Readonly<Record<string, string>>;
  /** Virtual-clock time the provider accepted it. */
  readonly sentAt: string;
}

export interface OutboxFilter {
  readonly channel?: string;
  readonly journeyId?: string;
  readonly stepId?: string;
  /** Only these profiles (the runtime resolves a userId to its profile). */
  readonly profileIds?: readonly string[];
  /** An address among `to`. */
  readonly to?: string;
}

/** Tag names the senders use, per provider, mapped to the outbox fields. */
const TAG_FIELDS: Record<string, 'journeyId' | 'runId' | 'stepId' | 'variant' | 'profileId'> = {
  journey: 'journeyId', journeyid: 'journeyId',
  run: 'runId', runid: 'runId',
  step: 'stepId', stepid: 'stepId',
  variant: 'variant',
  profile: 'profileId', profileid: 'profileId',
};

/**
 * Every message the local provider endpoints (SESv2, End User Messaging SMS, Pinpoint) accepted,
 * in memory, stamped with virtual-clock time and the journey, run, step, variant and profile the
 * sender tagged it with. Nothing is delivered and nothing is persisted.
 *
 * @example
 * const outbox = new Outbox(clock);
 * outbox.list({ channel: 'email', journeyId: 'cart-abandonment' });
 */
export class Outbox {
  private readonly messages: OutboxMessage[] = [];

  public constructor(private readonly clock: Clock) {}

  /** Record a message; fills seq, sentAt and the ids read from its tags. */
  public add(message: Omit<OutboxMessage, 'seq' | 'sentAt' | 'journeyId' | 'runId' | 'stepId' | 'variant' | 'profileId'>): OutboxMessage {
    const ids: Record<string, string> = {};
    for (const [name, value] of Object.entries(message.tags)) {
      const field = TAG_FIELDS[name.toLowerCase()];
      if (field && value) ids[field] = value;
    }
    const stored: OutboxMessage = { seq: this.messages.length + 1, ...message, ...ids, sentAt: this.clock.now().toISOString() };
    this.messages.push(stored);
    return stored;
  }

  /** Oldest first. */
  public list(filter: OutboxFilter = {}): OutboxMessage[] {
    return this.messages.filter(
      (m) =>
        (filter.channel === undefined || m.channel === filter.channel) &&
        (filter.journeyId === undefined || m.journeyId === filter.journeyId) &&
        (filter.stepId === undefined || m.stepId === filter.stepId) &&
        (filter.profileIds === undefined || (m.profileId !== undefined && filter.profileIds.includes(m.profileId))) &&
        (filter.to === undefined || m.to.includes(filter.to)),
    );
  }

  public find(messageId: string): OutboxMessage | undefined {
    return this.messages.find((m) => m.messageId === messageId);
  }

  public get size(): number {
    return this.messages.length;
  }

  public clear(): void {
    this.messages.length = 0;
  }
}
