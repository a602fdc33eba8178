import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Outbox, OutboxChannel } from './outbox';

const SMS_TARGET = 'PinpointSMSVoiceV2.';
const SES_SEND_EMAIL = /^\/v2\/email\/outbound-emails\/?$/;
const PINPOINT_SEND_MESSAGES = /^\/v1\/apps\/([^/]+)\/messages\/?$/;

/** A failure the next matching send answers with instead of accepting (tests of provider errors). */
export interface ProviderFault {
  readonly channel: OutboxChannel;
  /** The AWS error code, e.g. `TooManyRequestsException`, `MessageRejected`, `ThrottlingException`. */
  readonly error: string;
  /** @default 400 */
  readonly status?: number;
}

/** Whether the request is for one of the local messaging endpoints. */
export function isMessagingRequest(request: IncomingMessage): boolean {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  return String(request.headers['x-amz-target'] ?? '').startsWith(SMS_TARGET) || SES_SEND_EMAIL.test(path) || PINPOINT_SEND_MESSAGES.test(path);
}

/**
 * Local stand-ins for the three providers the engine sends through, reached by the handlers'
 * unmodified clients via `AWS_ENDPOINT_URL_SESV2`, `AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2` and
 * `AWS_ENDPOINT_URL_PINPOINT` (the SDK's service ids `SESv2`, `Pinpoint SMS Voice V2`, `Pinpoint`):
 * - SESv2 `SendEmail` (REST JSON, `POST /v2/email/outbound-emails`) -> `{ MessageId }`;
 * - End User Messaging SMS `SendTextMessage` (JSON 1.0, `X-Amz-Target: PinpointSMSVoiceV2.SendTextMessage`) -> `{ MessageId }`;
 * - Pinpoint `SendMessages` (REST JSON, `POST /v1/apps/{ApplicationId}/messages`) -> a MessageResponse
 *   with a `SUCCESSFUL` result and message id per address.
 * Each accepted message lands in the outbox; `faults` (consumed first-in first-out) make the next
 * send on a channel fail with an AWS error instead.
 *
 * @example
 * createServer((req, res) => void handleMessagingRequest(req, res, outbox, []));
 */
export async function handleMessagingRequest(request: IncomingMessage, response: ServerResponse, outbox: Outbox, faults: ProviderFault[] = []): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, any>;
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  const target = String(request.headers['x-amz-target'] ?? '');
  const fault = (channel: OutboxChannel) => {
    const index = faults.findIndex((f) => f.channel === channel);
    return index === -1 ? undefined : faults.splice(index, 1)[0];
  };

  if (target.startsWith(SMS_TARGET)) {
    const jsonType = 'application/x-amz-json-1.0';
    if (target !== `${SMS_TARGET}SendTextMessage`) return write(response, 400, jsonType, { __type: 'ValidationException', message: `local SMS does not support ${target}` });
    const failure = fault('sms');
    if (failure) return write(response, failure.status ?? 400, jsonType, { __type: failure.error, message: `local fault: ${failure.error}` });
    const { messageId } = outbox.add({
      messageId: randomUUID(),
      channel: 'sms',
      provider: 'sms-voice-v2',
      to: [input.DestinationPhoneNumber],
      ...(input.OriginationIdentity && { from: input.OriginationIdentity }),
      body: input.MessageBody,
      tags: stringRecord(input.Context),
    });
    return write(response, 200, jsonType, { MessageId: messageId });
  }

  if (SES_SEND_EMAIL.test(path)) {
    const failure = fault('email');
    if (failure) return restError(response, failure);
    const simple = input.Content?.Simple ?? {};
    const { messageId } = outbox.add({
      messageId: `local-${randomUUID()}`,
      channel: 'email',
      provider: 'sesv2',
      to: [...(input.Destination?.ToAddresses ?? []), ...(input.Destination?.CcAddresses ?? []), ...(input.Destination?.BccAddresses ?? [])],
      from: input.FromEmailAddress,
      subject: simple.Subject?.Data,
      body: simple.Body?.Text?.Data,
      html: simple.Body?.Html?.Data,
      topic: input.ListManagementOptions?.TopicName,
      tags: Object.fromEntries(((input.EmailTags ?? []) as { Name: string; Value: string }[]).map((t) => [t.Name, t.Value])),
    });
    return write(response, 200, 'application/json', { MessageId: messageId });
  }

  const pinpoint = PINPOINT_SEND_MESSAGES.exec(path);
  if (pinpoint) {
    const failure = fault('push');
    if (failure) return restError(response, failure);
    const applicationId = decodeURIComponent(pinpoint[1]);
    const addresses = Object.keys(input.Addresses ?? {});
    const configuration = input.MessageConfiguration ?? {};
    const notification = configuration.GCMMessage ?? configuration.APNSMessage ?? configuration.DefaultPushNotificationMessage ?? {};
    const sms = configuration.SMSMessage;
    const { messageId } = outbox.add({
      messageId: randomUUID(),
      channel: sms ? 'sms' : 'push',
      provider: 'pinpoint',
      to: addresses,
      ...(sms ? { body: sms.Body } : { title: notification.Title, body: notification.Body, url: notification.Url }),
      tags: stringRecord(input.Context),
    });
    const Result = Object.fromEntries(
      addresses.map((address) => [address, { DeliveryStatus: 'SUCCESSFUL', StatusCode: 200, StatusMessage: 'accepted by the local outbox', MessageId: messageId }]),
    );
    return write(response, 200, 'application/json', { ApplicationId: applicationId, RequestId: randomUUID(), Result });
  }

  write(response, 404, 'application/json', { message: `no local messaging route for ${request.method} ${path}` });
}

function restError(response: ServerResponse, fault: ProviderFault): void {
  response.writeHead(fault.status ?? 400, { 'content-type': 'application/json', 'x-amzn-errortype': fault.error });
  response.end(JSON.stringify({ message: `local fault: ${fault.error}` }));
}

function stringRecord(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

function write(response: ServerResponse, status: number, contentType: string, body: unknown): void {
  response.writeHead(status, { 'content-type': contentType });
  response.end(JSON.stringify(body));
}
