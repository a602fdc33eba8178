import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { AwsStub } from 'aws-sdk-client-mock';
import type { StartRequest } from '../../lib/core/ports';

process.env.STATE_MACHINE_ARN_PREFIX = 'arn:aws:states:ap-southeast-3:123456789012:stateMachine:JourneyEngine-';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

type Handler = (event: SQSEvent) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type SfnStub = AwsStub<any, any, any>;

/** A fresh handler (its token bucket is per instance) with the SFN client of its own module registry mocked. */
async function load(rate: string): Promise<{ handler: Handler; sfn: SfnStub; StartExecutionCommand: typeof import('@aws-sdk/client-sfn').StartExecutionCommand }> {
  jest.resetModules();
  process.env.START_RATE_PER_SECOND = rate;
  const { mockClient } = await import('aws-sdk-client-mock');
  const { SFNClient, StartExecutionCommand } = await import('@aws-sdk/client-sfn');
  const sfn = mockClient(SFNClient) as SfnStub;
  const { handler } = await import('../../lambdas/starter');
  return { handler, sfn, StartExecutionCommand };
}

function start(runId: string): StartRequest {
  return { journeyId: 'welcome', runId, input: { journeyId: 'welcome', runId, profileId: `p-${runId}`, enteredAt: '2026-11-05T00:00:00.000Z' } };
}
function record(messageId: string, body: string): SQSRecord {
  return {
    messageId, receiptHandle: `rh-${messageId}`, body, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:ap-southeast-3:123456789012:starts',
    awsRegion: 'ap-southeast-3', messageAttributes: {}, attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
  };
}

describe('starter handler', () => {
  it('starts each run by its runId with the run as input, and takes ExecutionAlreadyExists as done', async () => {
    // Prepare
    const { handler, sfn, StartExecutionCommand } = await load('50');
    sfn.on(StartExecutionCommand, { name: 'run-2' }).rejects(Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' }));
    sfn.on(StartExecutionCommand, { name: 'run-1' }).resolves({ executionArn: 'arn:x' });
    // Act
    const result = await handler({ Records: [record('a', JSON.stringify(start('run-1'))), record('b', JSON.stringify(start('run-2')))] });
    // Assess
    expect(result.batchItemFailures).toEqual([]);
    const calls = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(calls).toEqual([
      { stateMachineArn: 'arn:aws:states:ap-southeast-3:123456789012:stateMachine:JourneyEngine-welcome', name: 'run-1', input: JSON.stringify({ run: start('run-1').input }) },
      expect.objectContaining({ name: 'run-2' }),
    ]);
  });

  it('hands throttled starts and bad records back to the queue', async () => {
    // Prepare
    const { handler, sfn, StartExecutionCommand } = await load('50');
    sfn.on(StartExecutionCommand, { name: 'run-2' }).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    sfn.on(StartExecutionCommand, { name: 'run-1' }).resolves({ executionArn: 'arn:x' });
    // Act
    const result = await handler({ Records: [record('a', JSON.stringify(start('run-1'))), record('b', JSON.stringify(start('run-2'))), record('c', '{"nope":1}')] });
    // Assess
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['b', 'c']);
  });

  it('keeps to its rate: starts past the token bucket go back to the queue without calling Step Functions', async () => {
    // Prepare: one start every 10 s, so the second would wait longer than the starter waits.
    const { handler, sfn, StartExecutionCommand } = await load('0.1');
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x' });
    // Act
    const result = await handler({ Records: ['a', 'b', 'c'].map((id) => record(id, JSON.stringify(start(`run-${id}`)))) });
    // Assess
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['b', 'c']);
  });
});
