import { PinpointClient, SendMessagesCommand, TooManyRequestsException as PinpointTooMany, BadRequestException as PinpointBadRequest } from '@aws-sdk/client-pinpoint';
import { ConflictException, PinpointSMSVoiceV2Client, SendTextMessageCommand, ThrottlingException, ValidationException } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import {
  AccountSuspendedException,
  BadRequestException,
  LimitExceededException,
  MailFromDomainNotVerifiedException,
  MessageRejected,
  NotFoundException,
  SESv2Client,
  SendEmailCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { PushSender } from '../../lib/adapters/push-sender';
import { SesEmailSender, sanitiseTagValue } from '../../lib/adapters/ses-email-sender';
import { SmsSender } from '../../lib/adapters/sms-sender';
import { TransientSendError, type OutboundMessage } from '../../lib/core/messaging/message';

const sesMock = mockClient(SESv2Client);
const smsMock = mockClient(PinpointSMSVoiceV2Client);
const pinpointMock = mockClient(PinpointClient);
const $metadata = {};
const noSleep = { sleep: jest.fn(async () => undefined), random: () => 0.5 };

const tags = { journeyId: 'cart', runId: 'cart:p_1:m-9', stepId: 'remind', profileId: 'p_1', variant: 'a' };

function message(rendered: OutboundMessage['rendered'], to: OutboundMessage['to'], topic?: string): OutboundMessage {
  return { channel: rendered.channel, to, rendered, tags, idempotencyKey: 'cart:p_1:m-9#remind', ...(topic && { topic }) };
}

const emailMessage = message(
  { channel: 'email', content: { subject: 'Halo Sari', text: 'Keranjangmu menunggu', html: '<p>Keranjangmu menunggu</p>' } },
  { email: 'sari@example.co.id' },
  'promo',
);
const smsMessage = message({ channel: 'sms', content: { body: 'Keranjangmu menunggu' } }, { phone: '+6281234567890' });
const pushMessage = message(
  { channel: 'push', content: { title: 'Halo', body: 'Keranjangmu menunggu', url: 'tokokita://cart', data: { cartId: 'c-1' } } },
  {
    devices: [
      { token: 'ios-new', platform: 'apns', lastSeen: '2026-11-02T00:00:00Z' },
      { token: 'android-old', platform: 'fcm', lastSeen: '2026-11-01T00:00:00Z' },
    ],
  },
);

beforeEach(() => {
  sesMock.reset();
  smsMock.reset();
  pinpointMock.reset();
  noSleep.sleep.mockClear();
});

describe('SesEmailSender', () => {
  const sender = new SesEmailSender(new SESv2Client({}), {
    from: '"Toko Kita" <halo@tokokita.co.id>',
    configurationSet: 'journeys',
    contactList: 'customers',
    ...noSleep,
  });

  it('sends SendEmail with every field', async () => {
    // Prepare
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });

    // Act
    const result = await sender.send(emailMessage);

    // Assess
    expect(result).toEqual({ status: 'accepted', providerMessageId: 'ses-1' });
    const input = sesMock.commandCalls(SendEmailCommand)[0].args[0].input;
    expect(input.FromEmailAddress).toBe('"Toko Kita" <halo@tokokita.co.id>');
    expect(input.Destination).toEqual({ ToAddresses: ['sari@example.co.id'] });
    expect(input.Content).toEqual({
      Simple: {
        Subject: { Data: 'Halo Sari', Charset: 'UTF-8' },
        Body: { Text: { Data: 'Keranjangmu menunggu', Charset: 'UTF-8' }, Html: { Data: '<p>Keranjangmu menunggu</p>', Charset: 'UTF-8' } },
      },
    });
    expect(input.ConfigurationSetName).toBe('journeys');
    expect(input.EmailTags).toEqual([
      { Name: 'journey', Value: 'cart' },
      { Name: 'step', Value: 'remind' },
      { Name: 'run', Value: 'cart_p_1_m-9' },
      { Name: 'variant', Value: 'a' },
      { Name: 'profile', Value: 'p_1' },
    ]);
    expect(input.ListManagementOptions).toEqual({ ContactListName: 'customers', TopicName: 'promo' });
  });

  it('leaves out optional settings, the html part and an absent variant', async () => {
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses-2' });
    const plain = new SesEmailSender(new SESv2Client({}), { from: 'halo@tokokita.co.id' });
    await plain.send({ ...emailMessage, tags: { ...tags, variant: undefined }, rendered: { channel: 'email', content: { subject: 's', text: 't' } } });
    const input = sesMock.commandCalls(SendEmailCommand)[0].args[0].input;
    expect(input).not.toHaveProperty('ConfigurationSetName');
    expect(input).not.toHaveProperty('ListManagementOptions');
    expect(input.Content?.Simple?.Body).toEqual({ Text: { Data: 't', Charset: 'UTF-8' } });
    expect(input.EmailTags?.map((t) => t.Name)).toEqual(['journey', 'step', 'run', 'profile']);
  });

  it('sanitises tag values to the characters SES allows', () => {
    expect(sanitiseTagValue('run:2026/11#a b.c')).toBe('run_2026_11_a_b_c');
    expect(sanitiseTagValue('x'.repeat(300))).toHaveLength(256);
  });

  it.each([
    ['TooManyRequestsException', new TooManyRequestsException({ message: 'slow down', $metadata })],
    ['LimitExceededException', new LimitExceededException({ message: 'limit', $metadata })],
    ['a 5xx', Object.assign(new Error('boom'), { name: 'InternalFailure', $fault: 'server', $metadata: { httpStatusCode: 503 } })],
  ])('retries %s, then one send succeeds', async (_name, error) => {
    sesMock.on(SendEmailCommand).rejectsOnce(error).resolves({ MessageId: 'ses-3' });
    expect(await sender.send(emailMessage)).toEqual({ status: 'accepted', providerMessageId: 'ses-3' });
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(2);
    expect(noSleep.sleep).toHaveBeenCalledTimes(1);
  });

  it('persistent throttling is a TransientSendError after 3 attempts', async () => {
    sesMock.on(SendEmailCommand).rejects(new TooManyRequestsException({ message: 'slow down', $metadata }));
    const error = await sender.send(emailMessage).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientSendError);
    expect((error as Error).name).toBe('TransientError');
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(3);
  });

  it.each([
    new MessageRejected({ message: 'Email address is not verified', $metadata }),
    new MailFromDomainNotVerifiedException({ message: 'mail from', $metadata }),
    new AccountSuspendedException({ message: 'suspended', $metadata }),
    new BadRequestException({ message: 'bad', $metadata }),
    new NotFoundException({ message: 'no configuration set', $metadata }),
  ])('a permanent failure ($name) is rejected and never retried', async (error) => {
    sesMock.on(SendEmailCommand).rejects(error);
    expect(await sender.send(emailMessage)).toEqual({ status: 'rejected', reason: `${error.name}: ${error.message}` });
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it('an unexpected error propagates unchanged', async () => {
    const error = Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
    sesMock.on(SendEmailCommand).rejects(error);
    await expect(sender.send(emailMessage)).rejects.toThrow('denied');
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(1);
  });
});

describe('SmsSender', () => {
  const sender = new SmsSender(new PinpointSMSVoiceV2Client({}), { originationIdentity: 'pool-1', configurationSet: 'journeys-sms', messageType: 'TRANSACTIONAL', ...noSleep });

  it('sends SendTextMessage with every field', async () => {
    smsMock.on(SendTextMessageCommand).resolves({ MessageId: 'sms-1' });
    expect(await sender.send(smsMessage)).toEqual({ status: 'accepted', providerMessageId: 'sms-1' });
    const input = smsMock.commandCalls(SendTextMessageCommand)[0].args[0].input;
    expect(input.DestinationPhoneNumber).toBe('+6281234567890');
    expect(input.MessageBody).toBe('Keranjangmu menunggu');
    expect(input.OriginationIdentity).toBe('pool-1');
    expect(input.ConfigurationSetName).toBe('journeys-sms');
    expect(input.MessageType).toBe('TRANSACTIONAL');
    expect(input.Context).toEqual({ journeyId: 'cart', runId: 'cart:p_1:m-9', stepId: 'remind', profileId: 'p_1', variant: 'a' });
  });

  it('defaults to PROMOTIONAL without origination or configuration set', async () => {
    smsMock.on(SendTextMessageCommand).resolves({ MessageId: 'sms-2' });
    await new SmsSender(new PinpointSMSVoiceV2Client({})).send(smsMessage);
    const input = smsMock.commandCalls(SendTextMessageCommand)[0].args[0].input;
    expect(input.MessageType).toBe('PROMOTIONAL');
    expect(input).not.toHaveProperty('OriginationIdentity');
    expect(input).not.toHaveProperty('ConfigurationSetName');
  });

  it('throttling then success is one send', async () => {
    smsMock.on(SendTextMessageCommand).rejectsOnce(new ThrottlingException({ message: 'rate', $metadata })).resolves({ MessageId: 'sms-3' });
    expect(await sender.send(smsMessage)).toEqual({ status: 'accepted', providerMessageId: 'sms-3' });
    expect(smsMock.commandCalls(SendTextMessageCommand)).toHaveLength(2);
  });

  it('persistent throttling is a TransientSendError', async () => {
    smsMock.on(SendTextMessageCommand).rejects(new ThrottlingException({ message: 'rate', $metadata }));
    await expect(sender.send(smsMessage)).rejects.toBeInstanceOf(TransientSendError);
    expect(smsMock.commandCalls(SendTextMessageCommand)).toHaveLength(3);
  });

  it('an opted-out number is rejected with the reason, never retried', async () => {
    smsMock.on(SendTextMessageCommand).rejects(
      new ConflictException({ message: 'opted out', Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT', ResourceType: 'opt-out-list', ResourceId: 'Default', $metadata }),
    );
    expect(await sender.send(smsMessage)).toEqual({ status: 'rejected', reason: 'ConflictException (DESTINATION_PHONE_NUMBER_OPTED_OUT): opted out' });
    expect(smsMock.commandCalls(SendTextMessageCommand)).toHaveLength(1);
  });

  it('a validation error is rejected', async () => {
    smsMock.on(SendTextMessageCommand).rejects(new ValidationException({ message: 'bad number', Reason: 'INVALID_PARAMETER', $metadata }));
    expect(await sender.send(smsMessage)).toEqual({ status: 'rejected', reason: 'ValidationException (INVALID_PARAMETER): bad number' });
    expect(smsMock.commandCalls(SendTextMessageCommand)).toHaveLength(1);
  });
});

describe('PushSender', () => {
  const sender = new PushSender(new PinpointClient({}), { applicationId: 'app-1', ...noSleep });
  const result = (statuses: Record<string, [string, string?]>) => ({
    MessageResponse: {
      ApplicationId: 'app-1',
      Result: Object.fromEntries(Object.entries(statuses).map(([token, [DeliveryStatus, MessageId]]) => [token, { DeliveryStatus, StatusCode: 200, ...(MessageId && { MessageId }) }])),
    },
  });

  it('sends SendMessages to every device with its channel type, and accepts the first success', async () => {
    // Prepare
    pinpointMock.on(SendMessagesCommand).resolves(result({ 'ios-new': ['PERMANENT_FAILURE'], 'android-old': ['SUCCESSFUL', 'pp-2'] }) as never);

    // Act
    const sent = await sender.send(pushMessage);

    // Assess
    expect(sent).toEqual({ status: 'accepted', providerMessageId: 'pp-2' });
    const input = pinpointMock.commandCalls(SendMessagesCommand)[0].args[0].input;
    expect(input.ApplicationId).toBe('app-1');
    expect(input.MessageRequest?.Addresses).toEqual({ 'ios-new': { ChannelType: 'APNS' }, 'android-old': { ChannelType: 'GCM' } });
    expect(input.MessageRequest?.Context).toEqual({ journeyId: 'cart', runId: 'cart:p_1:m-9', stepId: 'remind', profileId: 'p_1', variant: 'a' });
    const notification = { Title: 'Halo', Body: 'Keranjangmu menunggu', Action: 'URL', Url: 'tokokita://cart', Data: { cartId: 'c-1' } };
    expect(input.MessageRequest?.MessageConfiguration).toEqual({ APNSMessage: notification, GCMMessage: notification });
  });

  it('opens the app when there is no URL; APNS_SANDBOX when configured', async () => {
    pinpointMock.on(SendMessagesCommand).resolves(result({ 'ios-new': ['SUCCESSFUL', 'pp-1'] }) as never);
    const sandbox = new PushSender(new PinpointClient({}), { applicationId: 'app-1', apnsChannel: 'APNS_SANDBOX' });
    await sandbox.send({ ...pushMessage, to: { devices: [pushMessage.to.devices![0]] }, rendered: { channel: 'push', content: { title: 't', body: 'b' } } });
    const input = pinpointMock.commandCalls(SendMessagesCommand)[0].args[0].input;
    expect(input.MessageRequest?.Addresses).toEqual({ 'ios-new': { ChannelType: 'APNS_SANDBOX' } });
    expect(input.MessageRequest?.MessageConfiguration?.APNSMessage).toEqual({ Title: 't', Body: 'b', Action: 'OPEN_APP' });
  });

  it('the first success in device order gives the message id', async () => {
    pinpointMock.on(SendMessagesCommand).resolves(result({ 'android-old': ['SUCCESSFUL', 'pp-old'], 'ios-new': ['SUCCESSFUL', 'pp-new'] }) as never);
    expect(await sender.send(pushMessage)).toEqual({ status: 'accepted', providerMessageId: 'pp-new' });
  });

  it('every token dead: rejected, naming the tokens, never retried', async () => {
    pinpointMock.on(SendMessagesCommand).resolves(result({ 'ios-new': ['PERMANENT_FAILURE'], 'android-old': ['OPT_OUT'] }) as never);
    expect(await sender.send(pushMessage)).toEqual({
      status: 'rejected',
      reason: 'every device token failed permanently: ios-new (PERMANENT_FAILURE), android-old (OPT_OUT)',
    });
    expect(pinpointMock.commandCalls(SendMessagesCommand)).toHaveLength(1);
  });

  it('temporary failures are retried for those devices only, then one success', async () => {
    pinpointMock
      .on(SendMessagesCommand)
      .resolvesOnce(result({ 'ios-new': ['PERMANENT_FAILURE'], 'android-old': ['THROTTLED'] }) as never)
      .resolves(result({ 'android-old': ['SUCCESSFUL', 'pp-9'] }) as never);
    expect(await sender.send(pushMessage)).toEqual({ status: 'accepted', providerMessageId: 'pp-9' });
    const calls = pinpointMock.commandCalls(SendMessagesCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1].args[0].input.MessageRequest?.Addresses).toEqual({ 'android-old': { ChannelType: 'GCM' } });
  });

  it('persistent TEMPORARY_FAILURE is a TransientSendError', async () => {
    pinpointMock.on(SendMessagesCommand).resolves(result({ 'ios-new': ['TEMPORARY_FAILURE'], 'android-old': ['TEMPORARY_FAILURE'] }) as never);
    await expect(sender.send(pushMessage)).rejects.toBeInstanceOf(TransientSendError);
    expect(pinpointMock.commandCalls(SendMessagesCommand)).toHaveLength(3);
  });

  it('TooManyRequests then success is one send; persistent is Transient', async () => {
    pinpointMock.on(SendMessagesCommand).rejectsOnce(new PinpointTooMany({ message: 'slow', $metadata })).resolves(result({ 'ios-new': ['SUCCESSFUL', 'pp-1'] }) as never);
    expect(await sender.send(pushMessage)).toEqual({ status: 'accepted', providerMessageId: 'pp-1' });
    pinpointMock.reset();
    pinpointMock.on(SendMessagesCommand).rejects(new PinpointTooMany({ message: 'slow', $metadata }));
    await expect(sender.send(pushMessage)).rejects.toBeInstanceOf(TransientSendError);
  });

  it('a bad request is rejected, never retried', async () => {
    pinpointMock.on(SendMessagesCommand).rejects(new PinpointBadRequest({ message: 'no APNs channel', $metadata }));
    expect(await sender.send(pushMessage)).toEqual({ status: 'rejected', reason: 'BadRequestException: no APNs channel' });
    expect(pinpointMock.commandCalls(SendMessagesCommand)).toHaveLength(1);
  });

  it('no devices is rejected without a call', async () => {
    expect(await sender.send({ ...pushMessage, to: {} })).toEqual({ status: 'rejected', reason: 'no device token' });
    expect(pinpointMock.commandCalls(SendMessagesCommand)).toHaveLength(0);
  });
});
