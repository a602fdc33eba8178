import type { SQSEvent } from 'aws-lambda';
import { LocalQueue } from '../../local/local-queue';

describe('LocalQueue (SQS + event source mapping stand-in)', () => {
  it('delivers batches of at most batchSize records', async () => {
    // Prepare
    const batches: number[] = [];
    const queue = new LocalQueue({ consumer: async (event) => void batches.push(event.Records.length), batchSize: 10 });

    // Act
    for (let i = 0; i < 25; i += 1) queue.send(`m${i}`);
    await queue.drain();

    // Assess
    expect(batches).toEqual([10, 10, 5]);
    expect(queue.depth).toBe(0);
  });

  it('redelivers only the records reported as failed and dead-letters a poison record after maxReceiveCount', async () => {
    // Prepare: the record "poison" always fails; the others succeed the first time.
    const received: string[] = [];
    const queue = new LocalQueue({
      consumer: async (event: SQSEvent) => {
        received.push(...event.Records.map((r) => r.body));
        return { batchItemFailures: event.Records.filter((r) => r.body === 'poison').map((r) => ({ itemIdentifier: r.messageId })) };
      },
      maxReceiveCount: 3,
      retryDelayMs: 1,
    });

    // Act
    queue.send('good-1');
    queue.send('poison');
    queue.send('good-2');
    await queue.drain();

    // Assess
    expect(received.filter((b) => b === 'good-1')).toHaveLength(1);
    expect(received.filter((b) => b === 'good-2')).toHaveLength(1);
    expect(received.filter((b) => b === 'poison')).toHaveLength(3);
    expect(queue.deadLetters).toEqual([expect.objectContaining({ body: 'poison', receiveCount: 3 })]);
  });

  it('retries a whole batch when the consumer throws, as the Lambda event source does', async () => {
    // Prepare
    let calls = 0;
    const queue = new LocalQueue({
      consumer: async () => {
        calls += 1;
        if (calls === 1) throw new Error('cold start failure');
      },
      retryDelayMs: 1,
    });

    // Act
    queue.send('a');
    queue.send('b');
    await queue.drain();

    // Assess
    expect(calls).toBe(2);
    expect(queue.deadLetters).toEqual([]);
  });
});
