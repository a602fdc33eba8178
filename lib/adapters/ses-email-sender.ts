import { SendEmailCommand, type MessageTag, type SESv2Client, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import type { ChannelResult, OutboundMessage } from '../core/messaging/message';
import type { ChannelSender } from '../core/ports';
import { sendWithRetry, type RetryOptions } from './provider-retry';

export interface SesEmailSenderSettings extends RetryOptions {
  /** Verified SES identity, e.g. `"Toko Kita" <halo@tokokita.co.id>`. */
  readonly from: string;
  /** Configuration set whose event destination feeds the feedback function. @default none */
  readonly configurationSet?: string;
  /**
   * SES contact list: SES then adds one-click unsubscribe headers (RFC 8058) and suppresses
   * contacts who unsubscribed from the list or the message's topic. @default none
   */
  readonly contactList?: string;
}

/** Throttling and server faults of SendEmail: retried, then a TransientSendError. */
const TRANSIENT = ['TooManyRequestsException', 'LimitExceededException', 'InternalServiceErrorException', 'ThrottlingException'];
/** Permanent refusals: a `rejected` result, never retried. */
const PERMANENT = [
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'AccountSuspendedException',
  'SendingPausedException',
  'BadRequestException',
  'NotFoundException',
];

/**
 * Sends email with SES v2 `SendEmail` (simple content). Message tags carry the journey, step, run,
 * variant and profile so SES events can be traced back even without the message log.
 *
 * @example
 * const sender = new SesEmailSender(new SESv2Client({}), { from: 'halo@tokokita.co.id', configurationSet: 'journeys' });
 * const result = await sender.send(message); // { status: 'accepted', providerMessageId: '0100018f...' }
 */
export class SesEmailSender implements ChannelSender {
  public constructor(
    private readonly client: SESv2Client,
    private readonly settings: SesEmailSenderSettings,
  ) {}

  public async send(message: OutboundMessage): Promise<ChannelResult> {
    if (message.rendered.channel !== 'email') return { status: 'rejected', reason: `SES sends email, not ${message.rendered.channel}` };
    if (!message.to.email) return { status: 'rejected', reason: 'no email address' };
    const command = new SendEmailCommand(this.request(message));
    return sendWithRetry('SES SendEmail', this.settings, { transient: TRANSIENT, permanent: PERMANENT }, () => this.client.send(command));
  }

  /** The SendEmail request for a message (exposed for tests and local mode's outbox). */
  public request(message: OutboundMessage): SendEmailCommandInput {
    if (message.rendered.channel !== 'email') throw new Error('not an email');
    const { subject, html, text } = message.rendered.content;
    const utf8 = (data: string) => ({ Data: data, Charset: 'UTF-8' });
    const { contactList, configurationSet } = this.settings;
    return {
      FromEmailAddress: this.settings.from,
      Destination: { ToAddresses: [message.to.email as string] },
      Content: { Simple: { Subject: utf8(subject), Body: { Text: utf8(text), ...(html !== undefined && { Html: utf8(html) }) } } },
      ...(configurationSet && { ConfigurationSetName: configurationSet }),
      EmailTags: emailTags(message.tags),
      ...(contactList && { ListManagementOptions: { ContactListName: contactList, ...(message.topic && { TopicName: message.topic }) } }),
    };
  }
}

/**
 * SES message tags for a message. SES allows only ASCII letters, digits, `_` and `-` (up to 256
 * characters) in tag values: anything else becomes `_`, and empty values are left out.
 *
 * @example
 * emailTags({ journeyId: 'welcome', runId: 'r:1', stepId: 's1', profileId: 'p_1' });
 * // [{ Name: 'journey', Value: 'welcome' }, { Name: 'step', Value: 's1' }, { Name: 'run', Value: 'r_1' }, { Name: 'profile', Value: 'p_1' }]
 */
export function emailTags(tags: OutboundMessage['tags']): MessageTag[] {
  const pairs: [string, string | undefined][] = [
    ['journey', tags.journeyId],
    ['step', tags.stepId],
    ['run', tags.runId],
    ['variant', tags.variant],
    ['profile', tags.profileId],
  ];
  return pairs
    .map(([Name, value]) => ({ Name, Value: sanitiseTagValue(value ?? '') }))
    .filter((tag) => tag.Value !== '');
}

/**
 * A value SES accepts as a message tag value.
 *
 * @example
 * sanitiseTagValue('run:2026/11#a'); // 'run_2026_11_a'
 */
export function sanitiseTagValue(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256);
}
