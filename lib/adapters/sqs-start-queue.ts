import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import { EnqueueError, type StartQueue, type StartRequest } from '../core/ports';

export interface SqsStartQueueOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** Retries of entries SQS reports as failed (throttling, internal errors). @default 5 */
  readonly maxRetries?: number;
}

/** SendMessageBatch takes at most 10 entries and 256 KiB in all. */
const BATCH_ENTRIES = 10;
const BATCH_BYTES = 250_000;

/**
 * The {@link StartQueue} on SQS: start requests go to the queue the paced starter consumes, ten per
 * SendMessageBatch (fewer when the bodies would pass 256 KiB). Entries that SQS reports as failed
 * are retried with backoff; any still failing after that make it throw {@link EnqueueError} with
 * their runIds, so the caller (the processor, whose message is then redelivered) never loses a start.
 *
 * @example
 * const queue = new SqsStartQueue({ client: new SQSClient({}), queueUrl: process.env.START_QUEUE_URL! });
 * await queue.enqueue(plan.starts);
 */
export class SqsStartQueue implements StartQueue {
  private readonly client: SQSClient;
  private readonly queueUrl: string;
  private readonly maxRetries: number;

  public constructor(options: SqsStartQueueOptions) {
    this.client = options.client;
    this.queueUrl = options.queueUrl;
    this.maxRetries = options.maxRetries ?? 5;
  }

  public async enqueue(requests: readonly StartRequest[]): Promise<void> {
    const failed = (await Promise.all(batches(requests).map((batch) => this.sendBatch(batch)))).flat();
    if (failed.length > 0) throw new EnqueueError(failed);
  }

  /** Returns the runIds that could not be sent. */
  private async sendBatch(batch: readonly StartRequest[]): Promise<string[]> {
    let pending: SendMessageBatchRequestEntry[] = batch.map((request, index) => ({ Id: String(index), MessageBody: JSON.stringify(request) }));
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(1000, 50 * 2 ** attempt)));
      const { Failed = [] } = await this.client.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending }));
      const failedIds = new Set(Failed.map((entry) => entry.Id));
      pending = pending.filter((entry) => failedIds.has(entry.Id));
      if (pending.length === 0) return [];
      if (attempt >= this.maxRetries) return pending.map((entry) => batch[Number(entry.Id)].runId);
    }
  }
}

function batches(requests: readonly StartRequest[]): StartRequest[][] {
  const result: StartRequest[][] = [];
  let current: StartRequest[] = [];
  let bytes = 0;
  for (const request of requests) {
    const size = Buffer.byteLength(JSON.stringify(request));
    if (current.length === BATCH_ENTRIES || (current.length > 0 && bytes + size > BATCH_BYTES)) {
      result.push(current);
      current = [];
      bytes = 0;
    }
    current.push(request);
    bytes += size;
  }
  if (current.length > 0) result.push(current);
  return result;
}
