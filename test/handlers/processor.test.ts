import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { CustomerEvent } from '../../lib/core/events';
import { serialiseQueueMessage } from '../../lib/core/queue-message';

process.env.TABLE_NAME = 'profiles-test';
process.env.ENGINE_CONFIG = JSON.stringify({
  segments: [{ id: 'buyers', name: 'Buyers', condition: { type: 'event', event: 'Order Completed', atLeast: 1 } }],
});
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const ddb = mockClient(DynamoDBDocumentClient);
let handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

beforeAll(async () => {
  // Imported after the environment is set: the handler reads it at module scope.
  ({ handler } = await import('../../lambdas/processor'));
});

beforeEach(() => {
  ddb.reset();
  ddb.on(BatchGetCommand).resolves({ Responses: {} });
  ddb.on(GetCommand).resolves({});
  ddb.on(BatchWriteCommand).resolves({});
  // The identity link of user `unlucky` fails as DynamoDB would when unreachable.
  ddb.on(PutCommand).callsFake((input: { Item: Record<string, unknown> }) => {
    if (input.Item.pk === 'IDENTITY#user#unlucky') throw Object.assign(new Error('service unavailable'), { name: 'InternalServerError' });
    return {};
  });
});

function event(userId: string, messageId: string): CustomerEvent {
  const at = '2026-11-01T00:00:00.000Z';
  return { type: 'track', event: 'Order Completed', messageId, userId, properties: { revenue: 10 }, traits: {}, context: {}, timestamp: at, receivedAt: at, source: 'web' };
}

function record(messageId: string, body: string): SQSRecord {
  return {
    messageId, receiptHandle: `rh-${messageId}`, body, md5OfBody: '', eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:ap-southeast-3:123456789012:events', awsRegion: 'ap-southeast-3', messageAttributes: {},
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
  };
}

const context = { functionName: 'processor', awsRequestId: 'req-1' } as Context;

describe('processor handler', () => {
  it('reports only the poison and failing records as batch item failures', async () => {
    // Prepare
    const sqsEvent: SQSEvent = {
      Records: [
        record('good-1', serialiseQueueMessage([event('u-1', 'm-1'), event('u-1', 'm-2')])),
        record('not-json', '{"v":1,"events":['),
        record('wrong-shape', JSON.stringify({ v: 2, events: [] })),
        record('good-2', serialiseQueueMessage([event('u-2', 'm-3')])),
        record('store-down', serialiseQueueMessage([event('unlucky', 'm-4')])),
      ],
    };
    // Act
    const response = await handler(sqsEvent, context);
    // Assess
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(['not-json', 'store-down', 'wrong-shape']);
    const profileWrites = ddb.commandCalls(PutCommand).map((call) => call.args[0].input.Item?.pk as string).filter((pk) => pk.startsWith('PROFILE#'));
    expect(profileWrites).toHaveLength(2);
  });

  it('reports no failures when every record processes', async () => {
    // Act
    const response = await handler({ Records: [record('a', serialiseQueueMessage([event('u-3', 'm-5')]))] }, context);
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(1);
  });
});
