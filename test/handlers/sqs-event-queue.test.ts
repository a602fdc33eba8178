import { SQSClient, SendMessageBatchCommand, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { MAX_CALL_BYTES, MAX_MESSAGE_BYTES, SqsEventQueue, packMessages } from '../../lib/adapters/sqs-event-queue';
import type { CustomerEvent } from '../../lib/core/events';
import { EnqueueError } from '../../lib/core/ports';
import { parseQueueMessage } from '../../lib/core/queue-message';

const sqsMock = mockClient(SQSClient);
const QUEUE_URL = 'https://sqs.ap-southeast-3.amazonaws.com/123456789012/events';

function event(i: number, padding = 0): CustomerEvent {
  return {
    type: 'track',
    messageId: `m${i}`,
    userId: `u${i}`,
    event: 'Order Completed',
    properties: padding > 0 ? { note: 'x'.repeat(padding) } : { revenue: i },
    traits: {},
    context: {},
    timestamp: '2024-05-01T12:00:00.000Z',
    receivedAt: '2024-05-01T12:00:00.000Z',
    source: 'web',
  };
}

function sentCalls(): SendMessageBatchCommandInput[] {
  return sqsMock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
}

/** messageIds of every event in every entry sent, in order. */
function sentMessageIds(calls = sentCalls()): string[] {
  return calls.flatMap((c) => (c.Entries ?? []).flatMap((e) => parseQueueMessage(e.MessageBody ?? '').events.map((ev) => ev.messageId)));
}

const succeedAll = (input: SendMessageBatchCommandInput) => ({ Successful: (input.Entries ?? []).map((e) => ({ Id: e.Id, MessageId: 'x', MD5OfMessageBody: 'x' })), Failed: [] });

const queue = (attempts = 3) => new SqsEventQueue(new SQSClient({ region: 'ap-southeast-3' }), QUEUE_URL, { maxAttempts: attempts, sleep: async () => undefined });

beforeEach(() => {
  sqsMock.reset();
  sqsMock.on(SendMessageBatchCommand).callsFake(succeedAll);
});

describe('packMessages', () => {
  it('packs 100 small events into one message that parses back to them', () => {
    const events = Array.from({ length: 100 }, (_, i) => event(i));

    const messages = packMessages(events);

    expect(messages).toHaveLength(1);
    expect(parseQueueMessage(messages[0].body).events).toEqual(events);
    expect(messages[0].bytes).toBe(Buffer.byteLength(messages[0].body));
  });

  it('splits large events so that no message exceeds the limit and order is kept', () => {
    const events = Array.from({ length: 40 }, (_, i) => event(i, 30_000));

    const messages = packMessages(events);

    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(m.bytes).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(messages.flatMap((m) => m.messageIds)).toEqual(events.map((e) => e.messageId));
    // As few messages as fit: each holds as many 30 KB events as the limit allows.
    expect(messages[0].messageIds).toHaveLength(Math.floor(MAX_MESSAGE_BYTES / 30_200));
  });
});

describe('SqsEventQueue', () => {
  it('sends 100 small events in one call with one entry', async () => {
    await queue().enqueue(Array.from({ length: 100 }, (_, i) => event(i)));

    expect(sentCalls()).toHaveLength(1);
    expect(sentCalls()[0]).toEqual({ QueueUrl: QUEUE_URL, Entries: [expect.objectContaining({ Id: '0' })] });
    expect(sentMessageIds()).toHaveLength(100);
  });

  it('never puts more than 10 entries or 256 KB in one call', async () => {
    // 2500 events of ~3 KB (a full Segment batch) need more than 10 messages.
    const events = Array.from({ length: 2500 }, (_, i) => event(i, 3_000));

    await queue().enqueue(events);

    const calls = sentCalls();
    expect(calls.length).toBeGreaterThan(1);
    for (const call of calls) {
      expect((call.Entries ?? []).length).toBeLessThanOrEqual(10);
      const bytes = (call.Entries ?? []).reduce((sum, e) => sum + Buffer.byteLength(e.MessageBody ?? ''), 0);
      expect(bytes).toBeLessThanOrEqual(MAX_CALL_BYTES);
      expect(bytes).toBeLessThanOrEqual(256 * 1024);
    }
    expect(sentMessageIds().sort()).toEqual(events.map((e) => e.messageId).sort());
  });

  it('retries only the entries that failed and sends each event exactly once', async () => {
    // Prepare: first call, entry 1 fails server-side; then everything succeeds.
    sqsMock
      .on(SendMessageBatchCommand)
      .callsFakeOnce((input: SendMessageBatchCommandInput) => ({
        Successful: (input.Entries ?? []).filter((e) => e.Id !== '1').map((e) => ({ Id: e.Id, MessageId: 'x', MD5OfMessageBody: 'x' })),
        Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }],
      }))
      .callsFake(succeedAll);
    // 12 events of 20 KB fill one message; a 6 KB one opens a second, and both fit one call.
    const events = [...Array.from({ length: 12 }, (_, i) => event(i, 20_000)), event(12, 6_000)];
    const sleeps: number[] = [];
    const retrying = new SqsEventQueue(new SQSClient({ region: 'ap-southeast-3' }), QUEUE_URL, { sleep: async (ms) => void sleeps.push(ms), random: () => 1 });

    // Act
    await retrying.enqueue(events);

    // Assess
    const calls = sentCalls();
    expect(calls).toHaveLength(2);
    expect(calls[0].Entries).toHaveLength(2);
    expect(calls[1].Entries).toHaveLength(1);
    expect(calls[1].Entries?.[0].MessageBody).toBe(calls[0].Entries?.[1].MessageBody);
    const succeeded = [...calls[0].Entries!.filter((e) => e.Id !== '1'), ...calls[1].Entries!];
    const ids = succeeded.flatMap((e) => parseQueueMessage(e.MessageBody!).events.map((ev) => ev.messageId));
    expect(ids.sort()).toEqual(events.map((e) => e.messageId).sort());
    expect(sleeps).toEqual([50]);
  });

  it('retries a throttled call with growing backoff', async () => {
    const throttled = Object.assign(new Error('slow down'), { name: 'RequestThrottled', $fault: 'client', $metadata: { httpStatusCode: 403 } });
    sqsMock.on(SendMessageBatchCommand).rejectsOnce(throttled).rejectsOnce(throttled).callsFake(succeedAll);
    const sleeps: number[] = [];
    const retrying = new SqsEventQueue(new SQSClient({ region: 'ap-southeast-3' }), QUEUE_URL, { sleep: async (ms) => void sleeps.push(ms), random: () => 1 });

    await retrying.enqueue([event(1)]);

    expect(sentCalls()).toHaveLength(3);
    expect(sleeps).toEqual([50, 100]);
  });

  it('throws EnqueueError with the messageIds still not stored after the last attempt', async () => {
    sqsMock.on(SendMessageBatchCommand).rejects(Object.assign(new Error('boom'), { $fault: 'server', $metadata: { httpStatusCode: 500 } }));

    const result = queue(3).enqueue([event(1), event(2)]);

    await expect(result).rejects.toBeInstanceOf(EnqueueError);
    await expect(result).rejects.toMatchObject({ name: 'EnqueueError', failed: ['m1', 'm2'] });
    expect(sentCalls()).toHaveLength(3);
  });

  it('does not retry a request SQS refuses (access denied) but reports it', async () => {
    sqsMock.on(SendMessageBatchCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 } }));

    await expect(queue().enqueue([event(1)])).rejects.toMatchObject({ failed: ['m1'] });
    expect(sentCalls()).toHaveLength(1);
  });
});
