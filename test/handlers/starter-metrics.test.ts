import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { AwsStub } from 'aws-sdk-client-mock';
import type { StartRequest } from '../../lib/core/ports';
import { captureEmf, describeEmf } from './emf-output';

/** The starter's EMF output: starts, and hand-backs told apart (Step Functions throttles vs its own pacing vs failures). */

process.env.STATE_MACHINE_ARN_PREFIX = 'arn:aws:states:ap-southeast-3:123456789012:stateMachine:JourneyEngine-';
process.env.POWERTOOLS_METRICS_DISABLED = 'false';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
delete process.env.POWERTOOLS_METRICS_NAMESPACE;

type Handler = (event: SQSEvent) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type SfnStub = AwsStub<any, any, any>;

async function load(rate: string): Promise<{ handler: Handler; sfn: SfnStub; StartExecutionCommand: typeof import('@aws-sdk/client-sfn').StartExecutionCommand }> {
  jest.resetModules();
  process.env.START_RATE_PER_SECOND = rate;
  const { mockClient } = await import('aws-sdk-client-mock');
  const { SFNClient, StartExecutionCommand } = await import('@aws-sdk/client-sfn');
  const sfn = mockClient(SFNClient) as SfnStub;
  const { handler } = await import('../../lambdas/starter');
  return { handler, sfn, StartExecutionCommand };
}

const start = (runId: string): StartRequest => ({ journeyId: 'welcome', runId, input: { journeyId: 'welcome', runId, profileId: `p-${runId}`, enteredAt: '2026-11-05T00:00:00.000Z' } });
const records = (...ids: string[]): SQSEvent => ({
  Records: ids.map((id) => ({ messageId: id, receiptHandle: `rh-${id}`, body: JSON.stringify(start(`run-${id}`)) }) as SQSRecord),
});

let emf: ReturnType<typeof captureEmf>;
beforeEach(() => {
  emf = captureEmf();
});
afterEach(() => emf.restore());

describe('starter metrics (EMF)', () => {
  it('counts starts, Step Functions throttles and failures apart', async () => {
    // Prepare
    const { handler, sfn, StartExecutionCommand } = await load('50');
    sfn.on(StartExecutionCommand, { name: 'run-a' }).resolves({ executionArn: 'arn:x' });
    sfn.on(StartExecutionCommand, { name: 'run-b' }).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    sfn.on(StartExecutionCommand, { name: 'run-c' }).rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));
    // Act
    await handler(records('a', 'b', 'c'));
    // Assess
    const [record] = emf.records();
    expect(describeEmf(record)).toEqual({
      namespace: 'JourneyEngine',
      dimensions: [['service']],
      units: { JourneyStarts: 'Count', JourneyStartsThrottled: 'Count', JourneyStartsPaced: 'Count', JourneyStartsFailed: 'Count' },
    });
    expect(record).toMatchObject({ service: 'starter', JourneyStarts: 1, JourneyStartsThrottled: 1, JourneyStartsPaced: 0, JourneyStartsFailed: 1 });
  });

  it('counts starts its own rate limit handed back as paced, not throttled: they are not alarmed', async () => {
    // Prepare: one start every 10 s.
    const { handler, sfn, StartExecutionCommand } = await load('0.1');
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x' });
    // Act
    await handler(records('a', 'b', 'c'));
    // Assess
    expect(emf.records()[0]).toMatchObject({ JourneyStarts: 1, JourneyStartsThrottled: 0, JourneyStartsPaced: 2, JourneyStartsFailed: 0 });
  });
});
