import { SendMessageBatchCommand, type SQSClient, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { CustomerEvent } from '../core/events';
import { EnqueueError, type EventQueue } from '../core/ports';
import { serialiseQueueMessage } from '../core/queue-message';

/** SQS's limit on a message and on a whole SendMessageBatch call (bodies summed). */
const SQS_LIMIT_BYTES = 256 * 1024;
/** SQS's limit on entries per SendMessageBatch call. */
export const MAX_ENTRIES_PER_CALL = 10;
/** Kept below the SQS limit so that a body near it is never refused for a few bytes of overhead. */
export const MAX_MESSAGE_BYTES = SQS_LIMIT_BYTES - 16 * 1024;
export const MAX_CALL_BYTES = SQS_LIMIT_BYTES - 8 * 1024;

export interface SqsEventQueueOptions {
  /** Attempts per message, the first included. @default 3 */
  readonly maxAttempts?: number;
  /** Backoff before retry n is a random time up to `baseDelayMs * 2^(n-1)` (full jitter). @default 50 */
  readonly baseDelayMs?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
}

interface PackedMessage {
  readonly body: string;
  readonly bytes: number;
  readonly messageIds: readonly string[];
}

const ENVELOPE_BYTES = Buffer.byteLength(serialiseQueueMessage([]));

/**
 * Pack events, in order, into as few queue messages as fit under `maxBytes` each. An event too big
 * for any message still gets one of its own (SQS then refuses it and it is reported as failed).
 *
 * @example
 * packMessages(events).length; // 1 for 100 small events
 */
export function packMessages(events: readonly CustomerEvent[], maxBytes = MAX_MESSAGE_BYTES): PackedMessage[] {
  const messages: PackedMessage[] = [];
  let current: CustomerEvent[] = [];
  let bytes = ENVELOPE_BYTES;
  const close = () => {
    if (current.length === 0) return;
    const body = serialiseQueueMessage(current);
    messages.push({ body, bytes: Buffer.byteLength(body), messageIds: current.map((e) => e.messageId) });
    current = [];
    bytes = ENVELOPE_BYTES;
  };
  for (const event of events) {
    // +1 for the comma between events.
    const size = Buffer.byteLength(JSON.stringify(event)) + 1;
    if (current.length > 0 && bytes + size > maxBytes) close();
    current.push(event);
    bytes += size;
  }
  close();
  return messages;
}

/** Group messages into SendMessageBatch calls of at most 10 entries and `maxCallBytes`. */
function groupIntoCalls(messages: readonly PackedMessage[], maxCallBytes = MAX_CALL_BYTES): PackedMessage[][] {
  const calls: PackedMessage[][] = [];
  let current: PackedMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    if (current.length > 0 && (current.length === MAX_ENTRIES_PER_CALL || bytes + message.bytes > maxCallBytes)) {
      calls.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += message.bytes;
  }
  if (current.length > 0) calls.push(current);
  return calls;
}

/** Throttling, 5xx and network errors are worth another try; a refused request (4xx) is not. */
function isTransient(error: unknown): boolean {
  const e = error as { name?: string; $fault?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (e.$retryable || e.$fault === 'server') return true;
  if (/Throttl|OverLimit|RequestThrottled|ServiceUnavailable|InternalError/.test(e.name ?? '')) return true;
  // No HTTP status at all: the request never got an answer (timeout, connection reset).
  return e.$fault !== 'client' && e.$metadata?.httpStatusCode === undefined;
}

/**
 * {@link EventQueue} on an SQS standard queue. Several events share one message (see
 * `QueueMessage`), messages are sent with SendMessageBatch, and entries that fail (partial failures,
 * throttling, 5xx) are retried with exponential backoff and full jitter. Whatever is still not
 * stored after the last attempt is reported in an {@link EnqueueError}; what was stored stays
 * stored, which is safe because the processor deduplicates by messageId.
 *
 * @example
 * const queue = new SqsEventQueue(new SQSClient({}), process.env.QUEUE_URL!);
 * await queue.enqueue(events); // or throws EnqueueError
 */
export class SqsEventQueue implements EventQueue {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  public constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    options: SqsEventQueueOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.baseDelayMs = options.baseDelayMs ?? 50;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  public async enqueue(events: readonly CustomerEvent[]): Promise<void> {
    let pending = packMessages(events);
    let lastError: unknown;
    for (let attempt = 1; pending.length > 0 && attempt <= this.maxAttempts; attempt++) {
      if (attempt > 1) await this.sleep(this.random() * this.baseDelayMs * 2 ** (attempt - 2));
      const outcomes = await Promise.all(groupIntoCalls(pending).map((call) => this.send(call)));
      pending = outcomes.flatMap((o) => o.retry);
      const refused = outcomes.flatMap((o) => o.refused);
      lastError = outcomes.find((o) => o.error !== undefined)?.error ?? lastError;
      if (refused.length > 0) {
        // A refused entry will be refused again: give up on it now, but still report everything.
        const failed = [...refused, ...pending].flatMap((m) => m.messageIds);
        throw new EnqueueError(failed, { cause: lastError });
      }
    }
    if (pending.length > 0) throw new EnqueueError(pending.flatMap((m) => m.messageIds), { cause: lastError });
  }

  /** One SendMessageBatch call: which of its messages to retry and which were refused for good. */
  private async send(call: readonly PackedMessage[]): Promise<{ retry: PackedMessage[]; refused: PackedMessage[]; error?: unknown }> {
    const entries: SendMessageBatchRequestEntry[] = call.map((m, i) => ({ Id: String(i), MessageBody: m.body }));
    try {
      const response = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }));
      const succeeded = new Set((response.Successful ?? []).map((s) => s.Id));
      const refusedIds = new Set((response.Failed ?? []).filter((f) => f.SenderFault).map((f) => f.Id));
      // An entry neither in Successful nor refused by our fault (Failed with SenderFault false, or
      // missing from the answer) is treated as transient.
      return {
        retry: call.filter((_, i) => !succeeded.has(String(i)) && !refusedIds.has(String(i))),
        refused: call.filter((_, i) => refusedIds.has(String(i))),
        ...((response.Failed ?? []).length > 0 && { error: new Error(`SQS refused ${(response.Failed ?? []).map((f) => f.Code).join(', ')}`) }),
      };
    } catch (error) {
      return isTransient(error) ? { retry: [...call], refused: [], error } : { retry: [], refused: [...call], error };
    }
  }
}
