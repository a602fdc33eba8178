import { SQSClient, SendMessageBatchCommand, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { keys } from '../../lib/adapters/table-keys';
import { SERVICE } from '../../lib/infrastructure/metrics';
import { hashWriteKey } from '../../lib/core/write-keys';
import { captureEmf, describeEmf } from './emf-output';

/** The ingest handler's EMF output: names, units, dimensions and namespace the dashboard and alarms rely on. */

const WRITE_KEY = 'wk_0123456789abcdefghijABCDEFGHIJ';
const sqsMock = mockClient(SQSClient);
const ddbMock = mockClient(DynamoDBDocumentClient);

type Handler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
let handler: Handler;

beforeAll(() => {
  process.env.TABLE_NAME = 'profiles';
  process.env.QUEUE_URL = 'https://sqs.ap-southeast-3.amazonaws.com/123456789012/events';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  process.env.POWERTOOLS_METRICS_NAMESPACE = 'TokoJourneys';
  process.env.AWS_REGION = 'ap-southeast-3';
  handler = (require('../../lambdas/ingest') as { handler: Handler }).handler;
});

let emf: ReturnType<typeof captureEmf>;
beforeEach(() => {
  sqsMock.reset();
  ddbMock.reset();
  sqsMock.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
    Successful: (input.Entries ?? []).map((e) => ({ Id: e.Id, MessageId: 'x', MD5OfMessageBody: 'x' })),
    Failed: [],
  }));
  ddbMock.on(GetCommand).resolves({});
  ddbMock.on(GetCommand, { Key: keys.writeKey(hashWriteKey(WRITE_KEY)) }).resolves({ Item: { ...keys.writeKey(hashWriteKey(WRITE_KEY)), name: 'web' } });
  emf = captureEmf();
});
afterEach(() => emf.restore());

function post(path: string, body: unknown, authorization: string | null = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`): Promise<APIGatewayProxyStructuredResultV2> {
  return handler({
    version: '2.0',
    routeKey: `POST ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...(authorization !== null && { authorization }) },
    requestContext: { http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.1', userAgent: 'test' } },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2);
}

describe('ingest metrics (EMF)', () => {
  it('counts accepted events under the service dimension, in the namespace from the environment', async () => {
    // Prepare
    const batch = Array.from({ length: 3 }, (_, i) => ({ type: 'track', userId: `u${i}`, event: 'Top-up', messageId: `m${i}` }));
    // Act
    const response = await post('/v1/batch', { batch });
    // Assess
    expect(response.statusCode).toBe(200);
    const [record, ...more] = emf.records();
    expect(more).toEqual([]);
    expect(describeEmf(record)).toEqual({ namespace: 'TokoJourneys', dimensions: [['service']], units: { EventsIngested: 'Count' } });
    expect(record).toMatchObject({ service: SERVICE.ingest, EventsIngested: 3 });
  });

  it.each([
    ['invalid', { traits: { email: 'a@example.com' } }, 400, 1],
    ['too_large', { userId: 'u1', event: 'big', properties: { blob: 'x'.repeat(33 * 1024) } }, 413, 1],
  ])('counts the request and its events as rejected with Reason %s', async (reason, body, status, events) => {
    // Act
    const response = await post('/v1/identify', body);
    // Assess
    expect(response.statusCode).toBe(status);
    const [record] = emf.records();
    expect(describeEmf(record)).toEqual({
      namespace: 'TokoJourneys',
      dimensions: [['service', 'Reason']],
      units: { RequestsRejected: 'Count', EventsRejected: 'Count' },
    });
    expect(record).toMatchObject({ service: 'ingest', Reason: reason, RequestsRejected: 1, EventsRejected: events });
  });

  it('counts every event of a rejected batch', async () => {
    // Act
    await post('/v1/batch', { batch: [{ type: 'track', userId: 'u1', event: 'ok' }, { type: 'track', event: 'no one' }, { type: 'track', event: 'no one either' }] });
    // Assess
    expect(emf.records()[0]).toMatchObject({ Reason: 'invalid', RequestsRejected: 1, EventsRejected: 3 });
  });

  it('counts an unauthorized request, without events (the body is not trusted)', async () => {
    // Act
    const response = await post('/v1/track', { userId: 'u1', event: 'x' }, 'Bearer wk_wrong');
    // Assess
    expect(response.statusCode).toBe(401);
    const [record] = emf.records();
    expect(describeEmf(record)).toEqual({ namespace: 'TokoJourneys', dimensions: [['service', 'Reason']], units: { RequestsRejected: 'Count' } });
    expect(record).toMatchObject({ service: 'ingest', Reason: 'unauthorized', RequestsRejected: 1 });
    expect(record).not.toHaveProperty('EventsRejected');
  });

  it('publishes nothing for an unknown path, and never puts the write key or the body in a record', async () => {
    // Act
    await post('/v1/nope', {});
    await post('/v1/track', { userId: 'u1', event: 'secret-event' });
    // Assess
    const records = emf.records();
    expect(records).toHaveLength(1);
    expect(JSON.stringify(records)).not.toMatch(/wk_|secret-event|u1/);
  });
});
