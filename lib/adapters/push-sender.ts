import { SendMessagesCommand, type ChannelType, type MessageResult, type PinpointClient, type SendMessagesCommandInput } from '@aws-sdk/client-pinpoint';
import type { PushContent } from '../core/journeys/definition';
import type { ChannelResult, OutboundMessage } from '../core/messaging/message';
import type { ChannelSender } from '../core/ports';
import type { DeviceToken } from '../core/profile';
import { describeError, isTransientAwsError, withRetry, type RetryOptions } from './provider-retry';

export interface PushSenderSettings extends RetryOptions {
  /** The Pinpoint application (project) whose APNs / FCM channels send push. */
  readonly applicationId: string;
  /** APNs channel of iOS tokens: `APNS_SANDBOX` for development builds. @default 'APNS' */
  readonly apnsChannel?: 'APNS' | 'APNS_SANDBOX';
}

const TRANSIENT = ['TooManyRequestsException', 'InternalServerErrorException'];
const PERMANENT = ['BadRequestException', 'NotFoundException', 'ForbiddenException', 'PayloadTooLargeException', 'MethodNotAllowedException'];
/** Per-address statuses worth another try. */
const RETRY_STATUSES = new Set(['TEMPORARY_FAILURE', 'THROTTLED', 'UNKNOWN_FAILURE']);

/**
 * Sends push through the Pinpoint `SendMessages` API with explicit device addresses (Pinpoint
 * endpoints and segments are gone; tokens live on our profiles). One call covers all of a
 * customer's devices; the per-address results decide:
 * - any `SUCCESSFUL`: accepted, with the first success's message id (devices newest first);
 * - else any temporary failure or throttling: the call is retried for those devices, then a
 *   TransientSendError;
 * - else (every token permanently failed, opted out...): rejected, naming the dead tokens.
 *
 * @example
 * const sender = new PushSender(new PinpointClient({}), { applicationId: 'a1b2c3' });
 * await sender.send(message); // { status: 'accepted', providerMessageId: 'abc-123' }
 */
export class PushSender implements ChannelSender {
  public constructor(
    private readonly client: PinpointClient,
    private readonly settings: PushSenderSettings,
  ) {}

  public async send(message: OutboundMessage): Promise<ChannelResult> {
    if (message.rendered.channel !== 'push') return { status: 'rejected', reason: `push sends notifications, not ${message.rendered.channel}` };
    let devices = [...(message.to.devices ?? [])];
    if (devices.length === 0) return { status: 'rejected', reason: 'no device token' };
    const dead: string[] = [];
    return withRetry<ChannelResult>('Pinpoint SendMessages', this.settings, async () => {
      let results: Record<string, MessageResult>;
      try {
        const output = await this.client.send(new SendMessagesCommand(this.request(message, devices)));
        results = output.MessageResponse?.Result ?? {};
      } catch (error) {
        if (isTransientAwsError(error, TRANSIENT)) return { retry: error };
        if (PERMANENT.includes((error as Error).name)) return { done: { status: 'rejected', reason: describeError(error) } };
        throw error;
      }
      const success = devices.map((d) => results[d.token]).find((r) => r?.DeliveryStatus === 'SUCCESSFUL');
      if (success) return { done: { status: 'accepted', providerMessageId: success.MessageId ?? '' } };
      const retryable = devices.filter((d) => RETRY_STATUSES.has(results[d.token]?.DeliveryStatus ?? 'UNKNOWN_FAILURE'));
      for (const device of devices) if (!retryable.includes(device)) dead.push(`${device.token} (${results[device.token]?.DeliveryStatus})`);
      if (retryable.length > 0) {
        devices = retryable;
        const statuses = retryable.map((d) => `${d.token}: ${results[d.token]?.DeliveryStatus ?? 'no result'}`).join(', ');
        return { retry: new Error(`temporary push failures: ${statuses}`) };
      }
      return { done: { status: 'rejected', reason: `every device token failed permanently: ${dead.join(', ')}` } };
    });
  }

  /** The SendMessages request for a message and the devices still to try. */
  public request(message: OutboundMessage, devices: readonly DeviceToken[] = message.to.devices ?? []): SendMessagesCommandInput {
    if (message.rendered.channel !== 'push') throw new Error('not a push');
    const content = message.rendered.content;
    const apns: ChannelType = this.settings.apnsChannel ?? 'APNS';
    const { journeyId, runId, stepId, profileId, variant } = message.tags;
    return {
      ApplicationId: this.settings.applicationId,
      MessageRequest: {
        Addresses: Object.fromEntries(devices.map((d) => [d.token, { ChannelType: d.platform === 'apns' ? apns : 'GCM' }])),
        Context: { journeyId, runId, stepId, profileId, ...(variant && { variant }) },
        MessageConfiguration: { APNSMessage: notification(content), GCMMessage: notification(content) },
        TraceId: message.idempotencyKey.slice(0, 100),
      },
    };
  }
}

/** APNs and FCM take the same fields: a link opens the URL, else the app. */
function notification(content: PushContent) {
  return {
    Title: content.title,
    Body: content.body,
    Action: content.url ? ('URL' as const) : ('OPEN_APP' as const),
    ...(content.url && { Url: content.url }),
    ...(content.data && { Data: content.data }),
  };
}
