import type { EmailContent, PushContent, SmsContent } from '../journeys/definition';
import type { Channel, DeviceToken } from '../profile';

/** A rendered message on its way to a provider. */
export type RenderedContent =
  | { readonly channel: 'email'; readonly content: EmailContent }
  | { readonly channel: 'sms'; readonly content: SmsContent }
  | { readonly channel: 'push'; readonly content: PushContent };

export interface OutboundMessage {
  readonly channel: Channel;
  /** The address for the channel: email address, E.164 phone number, or device tokens. */
  readonly to: { readonly email?: string; readonly phone?: string; readonly devices?: readonly DeviceToken[] };
  readonly rendered: RenderedContent;
  /** Tags the provider echoes in its events (SES message tags, SMS context): how feedback finds the run. */
  readonly tags: { readonly journeyId: string; readonly runId: string; readonly stepId: string; readonly profileId: string; readonly variant?: string };
  readonly topic?: string;
  /** The same run and step: providers that accept one get it (e.g. SES does not; the claim protects instead). */
  readonly idempotencyKey: string;
}

/** What a provider said: accepted with its id, or a permanent failure (never retried). */
export type ChannelResult =
  | { readonly status: 'accepted'; readonly providerMessageId: string }
  | { readonly status: 'rejected'; readonly reason: string };

/** Throttling or a 5xx that outlived the sender's own retries: the step is retried by Step Functions. */
export class TransientSendError extends Error {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}
