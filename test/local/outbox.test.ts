import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PinpointClient, SendMessagesCommand } from '@aws-sdk/client-pinpoint';
import { PinpointSMSVoiceV2Client, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SendEmailCommand, SESv2Client, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { SesEmailSender } from '../../lib/adapters/ses-email-sender';
import type { OutboundMessage } from '../../lib/core/messaging/message';
import { handleMessagingRequest, type ProviderFault } from '../../local/messaging-endpoints';
import { Outbox } from '../../local/outbox';
import { VirtualClock } from '../../local/virtual-clock';

/** The unmodified SDK clients, pointed at the local endpoints the way handlers are: AWS_ENDPOINT_URL_<SERVICE>. */
describe('local messaging endpoints and outbox', () => {
  const clock = new VirtualClock({ mode: 'manual', startAt: '2026-11-23T01:00:00Z' });
  const outbox = new Outbox(clock);
  const faults: ProviderFault[] = [];
  let server: Server;
  const saved = { ...process.env };
  const config = { region: 'ap-southeast-3', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

  beforeAll(async () => {
    server = createServer((request, response) => void handleMessagingRequest(request, response, outbox, faults));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    Object.assign(process.env, { AWS_ENDPOINT_URL_SESV2: url, AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2: url, AWS_ENDPOINT_URL_PINPOINT: url });
  });
  afterAll(async () => {
    process.env = saved;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => outbox.clear());

  it('captures SESv2 SendEmail with its tags and topic, on the virtual clock', async () => {
    // Prepare
    const client = new SESv2Client(config);

    // Act
    const output = await client.send(
      new SendEmailCommand({
        FromEmailAddress: 'halo@tokokita.co.id',
        Destination: { ToAddresses: ['sari@example.co.id'] },
        Content: { Simple: { Subject: { Data: 'Keranjangmu menunggu' }, Body: { Text: { Data: 'Halo Sari' }, Html: { Data: '<p>Halo Sari</p>' } } } },
        EmailTags: [{ Name: 'journey', Value: 'cart-abandonment' }, { Name: 'step', Value: 'reminder' }, { Name: 'run', Value: 'r_1' }, { Name: 'profile', Value: 'p-1' }],
        ListManagementOptions: { ContactListName: 'journey-engine', TopicName: 'promotions' },
      }),
    );

    // Assess
    expect(outbox.list()).toEqual([
      expect.objectContaining({
        seq: 1,
        messageId: output.MessageId,
        channel: 'email',
        provider: 'sesv2',
        to: ['sari@example.co.id'],
        from: 'halo@tokokita.co.id',
        subject: 'Keranjangmu menunggu',
        body: 'Halo Sari',
        html: '<p>Halo Sari</p>',
        topic: 'promotions',
        journeyId: 'cart-abandonment',
        stepId: 'reminder',
        runId: 'r_1',
        profileId: 'p-1',
        sentAt: '2026-11-23T01:00:00.000Z',
      }),
    ]);
    client.destroy();
  });

  it('captures End User Messaging SMS SendTextMessage with its context', async () => {
    // Prepare
    const client = new PinpointSMSVoiceV2Client(config);

    // Act
    const output = await client.send(
      new SendTextMessageCommand({
        DestinationPhoneNumber: '+6281234567890',
        MessageBody: 'Kode promo: KOPI10',
        MessageType: 'PROMOTIONAL',
        Context: { journeyId: 'win-back', runId: 'r-2', stepId: 'sms-1', profileId: 'p-2', variant: 'b' },
      }),
    );

    // Assess
    expect(outbox.list({ channel: 'sms' })).toEqual([
      expect.objectContaining({ messageId: output.MessageId, to: ['+6281234567890'], body: 'Kode promo: KOPI10', journeyId: 'win-back', variant: 'b', profileId: 'p-2' }),
    ]);
  });

  it('captures Pinpoint SendMessages push and answers SUCCESSFUL per address', async () => {
    // Prepare
    const client = new PinpointClient(config);

    // Act
    const output = await client.send(
      new SendMessagesCommand({
        ApplicationId: 'local-push-app',
        MessageRequest: {
          Addresses: { 'token-ios': { ChannelType: 'APNS' }, 'token-android': { ChannelType: 'GCM' } },
          Context: { journeyId: 'product-drop', runId: 'r-3', stepId: 'push-1', profileId: 'p-3' },
          MessageConfiguration: { GCMMessage: { Title: 'Baru!', Body: 'Kopi Toraja sudah tersedia', Action: 'URL', Url: 'https://tokokita.co.id/p/1' } },
        },
      }),
    );

    // Assess
    const result = output.MessageResponse?.Result ?? {};
    expect(Object.keys(result).sort()).toEqual(['token-android', 'token-ios']);
    expect(result['token-ios']).toMatchObject({ DeliveryStatus: 'SUCCESSFUL', StatusCode: 200 });
    expect(outbox.list({ journeyId: 'product-drop' })).toEqual([
      expect.objectContaining({ channel: 'push', to: ['token-ios', 'token-android'], title: 'Baru!', body: 'Kopi Toraja sudah tersedia', url: 'https://tokokita.co.id/p/1', messageId: result['token-ios'].MessageId }),
    ]);
  });

  it('filters by channel, journey, profile and address', async () => {
    // Prepare
    outbox.add({ messageId: 'a', channel: 'email', provider: 'sesv2', to: ['a@b.co'], tags: { journey: 'j1', profile: 'p1' } });
    outbox.add({ messageId: 'b', channel: 'sms', provider: 'sms-voice-v2', to: ['+62811'], tags: { journeyId: 'j2', profileId: 'p2' } });

    // Act / Assess
    expect(outbox.list({ channel: 'sms' }).map((m) => m.messageId)).toEqual(['b']);
    expect(outbox.list({ journeyId: 'j1' }).map((m) => m.messageId)).toEqual(['a']);
    expect(outbox.list({ profileIds: ['p2'] }).map((m) => m.messageId)).toEqual(['b']);
    expect(outbox.list({ to: 'a@b.co' }).map((m) => m.messageId)).toEqual(['a']);
  });

  it('answers an injected provider fault with the named AWS error, then accepts again', async () => {
    // Prepare
    const client = new SESv2Client({ ...config, maxAttempts: 1 });
    faults.push({ channel: 'email', error: 'TooManyRequestsException', status: 429 });
    const command = () => new SendEmailCommand({ FromEmailAddress: 'x@y.co', Destination: { ToAddresses: ['a@b.co'] }, Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } } });

    // Act
    const failed = await client.send(command()).catch((error: unknown) => error);
    await client.send(command());

    // Assess
    expect(failed).toBeInstanceOf(TooManyRequestsException);
    expect(outbox.size).toBe(1);
    client.destroy();
  });

  it('receives what the engine\'s SES sender sends', async () => {
    // Prepare
    const sender = new SesEmailSender(new SESv2Client(config), { from: '"Toko Kita" <halo@tokokita.co.id>', contactList: 'journey-engine' });
    const message: OutboundMessage = {
      channel: 'email',
      to: { email: 'sari@example.co.id' },
      rendered: { channel: 'email', content: { subject: 'Hai', text: 'Halo' } },
      tags: { journeyId: 'welcome', runId: 'welcome:p-1:m-1', stepId: 'hello', profileId: 'p-1' },
      topic: 'promotions',
      idempotencyKey: 'welcome:p-1:m-1:hello',
    };

    // Act
    const result = await sender.send(message);

    // Assess
    expect(result).toEqual({ status: 'accepted', providerMessageId: outbox.list()[0].messageId });
    expect(outbox.list()[0]).toMatchObject({ journeyId: 'welcome', stepId: 'hello', profileId: 'p-1', topic: 'promotions', subject: 'Hai' });
  });
});
