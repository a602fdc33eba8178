import { SendTextMessageCommand, type PinpointSMSVoiceV2Client, type SendTextMessageCommandInput } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { ChannelResult, OutboundMessage } from '../core/messaging/message';
import type { ChannelSender } from '../core/ports';
import { sendWithRetry, type RetryOptions } from './provider-retry';

export interface SmsSenderSettings extends RetryOptions {
  /** Phone number, sender id or pool (id or ARN). @default none: End User Messaging picks one */
  readonly originationIdentity?: string;
  /** Configuration set whose event destination feeds the feedback function. @default none */
  readonly configurationSet?: string;
  /** @default 'PROMOTIONAL' */
  readonly messageType?: 'TRANSACTIONAL' | 'PROMOTIONAL';
}

const TRANSIENT = ['ThrottlingException', 'InternalServerException'];
/**
 * Permanent refusals: `ConflictException` covers a destination on the opt-out list
 * (`Reason: DESTINATION_PHONE_NUMBER_OPTED_OUT`), `ValidationException` a bad number or body,
 * `ServiceQuotaExceededException` a spend limit, `ResourceNotFoundException` a missing origination
 * identity or configuration set. The reason keeps the service's `Reason` code.
 */
const PERMANENT = ['ValidationException', 'ConflictException', 'ServiceQuotaExceededException', 'ResourceNotFoundException'];

/**
 * Sends SMS with AWS End User Messaging SMS (`pinpoint-sms-voice-v2` `SendTextMessage`). `Context`
 * carries the journey, run, step, profile (and variant) ids: End User Messaging echoes it in its
 * delivery events, which the feedback function reads.
 *
 * @example
 * const sender = new SmsSender(new PinpointSMSVoiceV2Client({}), { originationIdentity: 'pool-abc', messageType: 'TRANSACTIONAL' });
 * await sender.send(message); // { status: 'accepted', providerMessageId: '862a8790-...' }
 */
export class SmsSender implements ChannelSender {
  public constructor(
    private readonly client: PinpointSMSVoiceV2Client,
    private readonly settings: SmsSenderSettings = {},
  ) {}

  public async send(message: OutboundMessage): Promise<ChannelResult> {
    if (message.rendered.channel !== 'sms') return { status: 'rejected', reason: `SMS sends text messages, not ${message.rendered.channel}` };
    if (!message.to.phone) return { status: 'rejected', reason: 'no phone number' };
    const command = new SendTextMessageCommand(this.request(message));
    return sendWithRetry('SMS SendTextMessage', this.settings, { transient: TRANSIENT, permanent: PERMANENT }, () => this.client.send(command));
  }

  /** The SendTextMessage request for a message. */
  public request(message: OutboundMessage): SendTextMessageCommandInput {
    if (message.rendered.channel !== 'sms') throw new Error('not an SMS');
    const { originationIdentity, configurationSet } = this.settings;
    const { journeyId, runId, stepId, profileId, variant } = message.tags;
    return {
      DestinationPhoneNumber: message.to.phone,
      MessageBody: message.rendered.content.body,
      ...(originationIdentity && { OriginationIdentity: originationIdentity }),
      ...(configurationSet && { ConfigurationSetName: configurationSet }),
      MessageType: this.settings.messageType ?? 'PROMOTIONAL',
      // At most 5 entries, values non-empty.
      Context: { journeyId, runId, stepId, profileId, ...(variant && { variant }) },
    };
  }
}
