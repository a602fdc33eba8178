import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/** What the queue delivers batches to: the processor Lambda's handler, called as Lambda would. */
export type BatchConsumer = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

export interface LocalQueueOptions {
  readonly consumer: BatchConsumer;
  /** Records per delivered batch, as the SQS event source mapping. @default 10 */
  readonly batchSize?: number;
  /** Deliveries before a message moves to the dead-letter list, as the redrive policy. @default 5 */
  readonly maxReceiveCount?: number;
  /** Delay before a failed message is visible again (the visibility timeout, shortened). @default 50 */
  readonly retryDelayMs?: number;
  readonly queueArn?: string;
}

interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: number;
  receiveCount: number;
}

/**
 * An in-process stand-in for SQS plus the Lambda event source mapping: messages sent to it are
 * delivered to the consumer in SQS-shaped batches; the records the consumer reports in
 * `batchItemFailures` (or a whole batch, if it throws) come back after a delay, and after
 * `maxReceiveCount` deliveries they move to `deadLetters`, as the engine's redrive policy does on AWS.
 * Messages live in memory: a crash of the local process loses what was not yet processed.
 */
export class LocalQueue {
  public readonly deadLetters: { messageId: string; body: string; receiveCount: number }[] = [];
  private readonly ready: QueuedMessage[] = [];
  private readonly waiting = new Set<NodeJS.Timeout>();
  private inFlight = 0;
  private pumping = false;
  private idleWaiters: (() => void)[] = [];
  private readonly batchSize: number;
  private readonly maxReceiveCount: number;
  private readonly retryDelayMs: number;
  private readonly queueArn: string;

  public constructor(private readonly options: LocalQueueOptions) {
    this.batchSize = options.batchSize ?? 10;
    this.maxReceiveCount = options.maxReceiveCount ?? 5;
    this.retryDelayMs = options.retryDelayMs ?? 50;
    this.queueArn = options.queueArn ?? 'arn:aws:sqs:local:000000000000:journey-engine-events';
  }

  /** Accept a message; returns its SQS message id. */
  public send(body: string): string {
    const message: QueuedMessage = { messageId: randomUUID(), body, sentAt: Date.now(), receiveCount: 0 };
    this.ready.push(message);
    this.schedulePump();
    return message.messageId;
  }

  /** Messages not yet processed, including those waiting for a retry. */
  public get depth(): number {
    return this.ready.length + this.waiting.size + this.inFlight;
  }

  /** Resolves once every message has been processed or dead-lettered. */
  public drain(): Promise<void> {
    if (this.depth === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stop redelivery timers (messages still queued are dropped). */
  public close(): void {
    for (const timer of this.waiting) clearTimeout(timer);
    this.waiting.clear();
    this.ready.length = 0;
    this.notifyIfIdle();
  }

  private schedulePump(): void {
    if (this.pumping) return;
    this.pumping = true;
    setImmediate(() => {
      this.pumping = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.ready.length > 0) {
      const batch = this.ready.splice(0, this.batchSize);
      this.inFlight += batch.length;
      void this.deliver(batch).finally(() => {
        this.inFlight -= batch.length;
        this.notifyIfIdle();
      });
    }
  }

  private async deliver(batch: QueuedMessage[]): Promise<void> {
    for (const message of batch) message.receiveCount += 1;
    let failedIds: Set<string>;
    try {
      const response = await this.options.consumer({ Records: batch.map((m) => this.toRecord(m)) });
      failedIds = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch {
      // A handler that throws fails the whole batch, as with the real event source mapping.
      failedIds = new Set(batch.map((m) => m.messageId));
    }
    for (const message of batch.filter((m) => failedIds.has(m.messageId))) this.retryOrDeadLetter(message);
  }

  private retryOrDeadLetter(message: QueuedMessage): void {
    if (message.receiveCount >= this.maxReceiveCount) {
      this.deadLetters.push({ messageId: message.messageId, body: message.body, receiveCount: message.receiveCount });
      return;
    }
    const timer = setTimeout(() => {
      this.waiting.delete(timer);
      this.ready.push(message);
      this.schedulePump();
    }, this.retryDelayMs * message.receiveCount);
    this.waiting.add(timer);
  }

  private notifyIfIdle(): void {
    if (this.depth !== 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private toRecord(message: QueuedMessage): SQSRecord {
    return {
      messageId: message.messageId,
      receiptHandle: `${message.messageId}#${message.receiveCount}`,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(message.sentAt),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.queueArn,
      awsRegion: 'local',
    };
  }
}
