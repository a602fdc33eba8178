import { gzipSync } from 'node:zlib';
import { SQSClient, SendMessageBatchCommand, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { Analytics } from '@segment/analytics-node';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { keys } from '../../lib/adapters/table-keys';
import type { CustomerEvent } from '../../lib/core/events';
import { parseQueueMessage } from '../../lib/core/queue-message';
import { hashWriteKey } from '../../lib/core/write-keys';

const WRITE_KEY = 'wk_0123456789abcdefghijABCDEFGHIJ';
const QUEUE_URL = 'https://sqs.ap-southeast-3.amazonaws.com/123456789012/events';

const sqsMock = mockClient(SQSClient);
const ddbMock = mockClient(DynamoDBDocumentClient);

type Handler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
let handler: Handler;

beforeAll(() => {
  // The handler reads its env at import: set it first, then load it. Not isolateModules: the handler
  // must share the SDK classes that mockClient patched.
  process.env.TABLE_NAME = 'profiles';
  process.env.QUEUE_URL = QUEUE_URL;
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.AWS_REGION = 'ap-southeast-3';
  handler = (require('../../lambdas/ingest') as { handler: Handler }).handler;
});

const succeedAll = (input: SendMessageBatchCommandInput) => ({
  Successful: (input.Entries ?? []).map((e) => ({ Id: e.Id, MessageId: 'x', MD5OfMessageBody: 'x' })),
  Failed: [],
});

beforeEach(() => {
  sqsMock.reset();
  ddbMock.reset();
  sqsMock.on(SendMessageBatchCommand).callsFake(succeedAll);
  ddbMock.on(GetCommand).resolves({});
  ddbMock.on(GetCommand, { Key: keys.writeKey(hashWriteKey(WRITE_KEY)) }).resolves({ Item: { ...keys.writeKey(hashWriteKey(WRITE_KEY)), name: 'web' } });
});

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

interface RequestOptions {
  readonly method?: string;
  readonly authorization?: string | null;
  readonly headers?: Record<string, string>;
  readonly rawBody?: string;
  readonly isBase64Encoded?: boolean;
}

function httpEvent(path: string, body: unknown, options: RequestOptions = {}): APIGatewayProxyEventV2 {
  const method = options.method ?? 'POST';
  const authorization = options.authorization === undefined ? basic(WRITE_KEY) : options.authorization;
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...(authorization !== null && { authorization }), ...options.headers },
    requestContext: { http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.1', userAgent: 'test' } },
    body: options.rawBody ?? JSON.stringify(body),
    isBase64Encoded: options.isBase64Encoded ?? false,
  } as unknown as APIGatewayProxyEventV2;
}

function enqueuedEvents(): CustomerEvent[] {
  return sqsMock
    .commandCalls(SendMessageBatchCommand)
    .flatMap((c) => c.args[0].input.Entries ?? [])
    .flatMap((e) => parseQueueMessage(e.MessageBody ?? '').events);
}

const nothingEnqueued = () => expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
const json = (response: APIGatewayProxyStructuredResultV2) => JSON.parse(response.body ?? '');

describe('accepted requests', () => {
  it.each([
    ['track', { userId: 'u1', event: 'Order Completed', properties: { revenue: 150_000 } }, { event: 'Order Completed' }],
    ['identify', { userId: 'u1', traits: { province: 'Papua' } }, { traits: { province: 'Papua' } }],
    ['page', { anonymousId: 'a1', name: 'Home' }, { name: 'Home' }],
    ['screen', { anonymousId: 'a1', name: 'Top-up' }, { name: 'Top-up' }],
    ['group', { userId: 'u1', groupId: 'merchant-7' }, { groupId: 'merchant-7' }],
    ['alias', { userId: 'u1', previousId: 'a1' }, { previousId: 'a1' }],
  ])('POST /v1/%s with Basic auth enqueues one event', async (type, body, expected) => {
    // Act
    const response = await handler(httpEvent(`/v1/${type}`, { ...body, messageId: `msg-${type}` }));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({ success: true });
    expect(enqueuedEvents()).toEqual([expect.objectContaining({ type, messageId: `msg-${type}`, source: 'web', ...expected })]);
  });

  it('POST /v1/batch with Bearer auth enqueues every event in one message', async () => {
    // Prepare
    const batch = Array.from({ length: 100 }, (_, i) => ({ type: 'track', userId: `u${i}`, event: 'Top-up', messageId: `m${i}` }));

    // Act
    const response = await handler(httpEvent('/v1/batch', { batch }, { authorization: `Bearer ${WRITE_KEY}` }));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)[0].args[0].input.Entries).toHaveLength(1);
    expect(enqueuedEvents().map((e) => e.messageId)).toEqual(batch.map((b) => b.messageId));
  });

  it('accepts the write key in the body (no Authorization header) and never enqueues the key', async () => {
    const response = await handler(httpEvent('/v1/track', { writeKey: WRITE_KEY, userId: 'u1', event: 'x' }, { authorization: null }));

    expect(response.statusCode).toBe(200);
    expect(JSON.stringify(sqsMock.commandCalls(SendMessageBatchCommand)[0].args[0].input)).not.toContain(WRITE_KEY);
  });

  it('accepts a gzip body that API Gateway passes base64-encoded', async () => {
    // Prepare
    const body = { batch: [{ type: 'identify', userId: 'u1', traits: { plan: 'gold' } }], context: { library: { name: 'rudder' } } };
    const rawBody = gzipSync(JSON.stringify(body)).toString('base64');

    // Act
    const response = await handler(httpEvent('/v1/batch', undefined, { rawBody, isBase64Encoded: true, headers: { 'content-encoding': 'gzip' } }));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(enqueuedEvents()).toEqual([expect.objectContaining({ type: 'identify', traits: { plan: 'gold' }, context: { library: { name: 'rudder' } } })]);
  });

  it('accepts a path with a stage prefix', async () => {
    const response = await handler(httpEvent('/prod/v1/track', { anonymousId: 'a1', event: 'x' }));

    expect(response.statusCode).toBe(200);
  });

  it('works with an unmodified @segment/analytics-node client', async () => {
    // Prepare: route the SDK's HTTP requests straight into the handler.
    const statuses: number[] = [];
    const analytics = new Analytics({
      writeKey: WRITE_KEY,
      host: 'https://ingest.example.com',
      flushInterval: 10,
      httpClient: {
        makeRequest: async (request) => {
          const url = new URL(request.url);
          const response = await handler(
            httpEvent(url.pathname, undefined, { rawBody: request.body, authorization: request.headers.Authorization, method: request.method }),
          );
          statuses.push(response.statusCode ?? 0);
          return { status: response.statusCode ?? 0, statusText: 'x', headers: {} };
        },
      },
    });

    // Act
    analytics.track({ userId: 'u1', event: 'Order Completed', properties: { revenue: 20_000 } });
    analytics.identify({ anonymousId: 'a1', traits: { email: 'a@example.com' } });
    analytics.page({ userId: 'u1', name: 'Home' });
    analytics.alias({ userId: 'u1', previousId: 'a1' });
    await analytics.closeAndFlush();

    // Assess
    expect(statuses).toEqual([200]);
    expect(enqueuedEvents().map((e) => e.type)).toEqual(['track', 'identify', 'page', 'alias']);
    expect(enqueuedEvents()[0]).toEqual(expect.objectContaining({ userId: 'u1', event: 'Order Completed', source: 'web' }));
  });
});

describe('unauthorized requests', () => {
  it.each([
    ['no key at all', null],
    ['an unknown key (Basic)', basic('wk_wrong')],
    ['an unknown key (Bearer)', 'Bearer wk_wrong'],
    ['an empty Basic user', basic('')],
    ['another scheme', 'Digest abc'],
  ])('answers 401 for %s and enqueues nothing', async (_name, authorization) => {
    const response = await handler(httpEvent('/v1/track', { userId: 'u1', event: 'x' }, { authorization }));

    expect(response.statusCode).toBe(401);
    expect(json(response)).toEqual({ error: 'unauthorized', message: expect.stringContaining('write key') });
    nothingEnqueued();
  });

  it('answers 401 when a wrong header key comes with a valid body key', async () => {
    const response = await handler(httpEvent('/v1/track', { writeKey: WRITE_KEY, userId: 'u1', event: 'x' }, { authorization: basic('wk_wrong') }));

    expect(response.statusCode).toBe(401);
    nothingEnqueued();
  });

  it('looks keys up by their SHA-256, never in clear', async () => {
    await handler(httpEvent('/v1/track', { userId: 'u1', event: 'x' }, { authorization: basic('wk_lookup') }));

    const lookups = ddbMock.commandCalls(GetCommand).map((c) => JSON.stringify(c.args[0].input));
    expect(lookups).toEqual([expect.stringContaining(hashWriteKey('wk_lookup'))]);
    expect(lookups.join()).not.toContain('wk_lookup');
  });
});

describe('invalid requests', () => {
  it('answers 400 for malformed JSON', async () => {
    const response = await handler(httpEvent('/v1/batch', undefined, { rawBody: '{"batch": [' }));

    expect(response.statusCode).toBe(400);
    expect(json(response)).toEqual({
      error: 'invalid_request',
      message: expect.any(String),
      problems: [{ path: '(body)', message: 'the body is not valid JSON', expected: 'a JSON object' }],
    });
    nothingEnqueued();
  });

  it('answers 400 for a body that is not gzip although it says so', async () => {
    const response = await handler(httpEvent('/v1/track', { userId: 'u1', event: 'x' }, { headers: { 'content-encoding': 'gzip' } }));

    expect(response.statusCode).toBe(400);
    nothingEnqueued();
  });

  it('answers 400 naming each bad field of a single call, without index', async () => {
    const response = await handler(httpEvent('/v1/track', { userId: ['u1'], event: 3, properties: 'x', timestamp: 'yesterday' }));

    expect(response.statusCode).toBe(400);
    expect(json(response).problems).toEqual([
      { path: 'userId', message: 'userId must be a non-empty string', expected: 'a non-empty string' },
      { path: 'timestamp', message: expect.stringContaining('ISO 8601'), expected: expect.stringContaining('ISO 8601') },
      { path: 'event', message: 'event must be a non-empty string', expected: 'a non-empty string' },
      { path: 'properties', message: 'properties must be a JSON object', expected: 'a JSON object' },
    ]);
    nothingEnqueued();
  });

  it('answers 400 for a missing userId and anonymousId', async () => {
    const response = await handler(httpEvent('/v1/identify', { traits: { email: 'a@example.com' } }));

    expect(response.statusCode).toBe(400);
    expect(json(response).problems).toEqual([{ path: 'userId', message: 'userId or anonymousId is required', expected: 'a non-empty string' }]);
    nothingEnqueued();
  });

  it('rejects a batch with several bad items whole, listing every problem with index and path', async () => {
    // Prepare
    const batch = [
      { type: 'track', userId: 'u1', event: 'fine' },
      { type: 'track', event: 'Order Completed' },
      { type: 'identify', userId: 'u2', traits: 'vip' },
      { type: 'track', userId: 'u3', event: 'fine' },
      { type: 'alias', userId: 'u4' },
      { type: 'teleport', userId: 'u5' },
    ];

    // Act
    const response = await handler(httpEvent('/v1/batch', { batch }));

    // Assess
    expect(response.statusCode).toBe(400);
    expect(json(response)).toEqual({
      error: 'invalid_request',
      message: '4 problem(s) found; nothing was ingested',
      problems: [
        { index: 1, path: 'batch[1].userId', message: 'userId or anonymousId is required', expected: 'a non-empty string' },
        { index: 2, path: 'batch[2].traits', message: 'batch[2].traits must be a JSON object', expected: 'a JSON object' },
        { index: 4, path: 'batch[4].previousId', message: 'previousId is required for alias', expected: 'a non-empty string' },
        { index: 5, path: 'batch[5].type', message: expect.stringContaining('one of track, identify'), expected: expect.any(String) },
      ],
    });
    nothingEnqueued();
  });

  it('answers 400 for an empty batch', async () => {
    const response = await handler(httpEvent('/v1/batch', { batch: [] }));

    expect(response.statusCode).toBe(400);
    expect(json(response).problems).toEqual([expect.objectContaining({ path: 'batch' })]);
    nothingEnqueued();
  });
});

describe('oversize requests', () => {
  it('answers 413 for an event over 32 KB, naming the limit and the index', async () => {
    const batch = [{ type: 'track', userId: 'u1', event: 'ok' }, { type: 'track', userId: 'u1', event: 'big', properties: { blob: 'x'.repeat(33 * 1024) } }];

    const response = await handler(httpEvent('/v1/batch', { batch }));

    expect(response.statusCode).toBe(413);
    expect(json(response)).toEqual(expect.objectContaining({ error: 'payload_too_large', limit: 'event', maxBytes: 32768, index: 1, message: expect.stringContaining('32 KB') }));
    nothingEnqueued();
  });

  it('answers 413 for a single call over 32 KB', async () => {
    const response = await handler(httpEvent('/v1/track', { userId: 'u1', event: 'big', properties: { blob: 'x'.repeat(33 * 1024) } }));

    expect(response.statusCode).toBe(413);
    expect(json(response)).not.toHaveProperty('index');
    nothingEnqueued();
  });

  it('answers 413 for a body over 500 KB, even when every event is small', async () => {
    const batch = Array.from({ length: 2000 }, (_, i) => ({ type: 'track', userId: `u${i}`, event: 'x', properties: { pad: 'y'.repeat(300) } }));

    const response = await handler(httpEvent('/v1/batch', { batch }));

    expect(response.statusCode).toBe(413);
    expect(json(response)).toEqual(expect.objectContaining({ limit: 'request', maxBytes: 500 * 1024, message: expect.stringContaining('500 KB') }));
    nothingEnqueued();
  });

  it('answers 413 for a gzip bomb without inflating it', async () => {
    const rawBody = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20)).toString('base64');

    const response = await handler(httpEvent('/v1/batch', undefined, { rawBody, isBase64Encoded: true, headers: { 'content-encoding': 'gzip' } }));

    expect(response.statusCode).toBe(413);
    nothingEnqueued();
  });
});

describe('routing', () => {
  it('answers 404 JSON for an unknown path', async () => {
    const response = await handler(httpEvent('/v1/purchase', { userId: 'u1' }));

    expect(response.statusCode).toBe(404);
    expect(json(response)).toEqual(expect.objectContaining({ error: 'not_found' }));
    nothingEnqueued();
  });

  it('answers 405 JSON for a GET', async () => {
    const response = await handler(httpEvent('/v1/track', undefined, { method: 'GET', rawBody: '' }));

    expect(response.statusCode).toBe(405);
    expect(response.headers).toEqual(expect.objectContaining({ allow: 'POST' }));
    expect(json(response)).toEqual(expect.objectContaining({ error: 'method_not_allowed' }));
    nothingEnqueued();
  });
});

describe('queue failures', () => {
  it('retries a partial SQS failure and answers 200 with each event sent exactly once', async () => {
    // Prepare: ~1 MB of events spread over several messages; the entry holding m5 fails the first time.
    const stored: string[] = [];
    let failedOnce = false;
    sqsMock.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => {
      const entries = input.Entries ?? [];
      const failing = entries.filter((e) => !failedOnce && e.MessageBody?.includes('"messageId":"m5"'));
      failedOnce ||= failing.length > 0;
      const succeeded = entries.filter((e) => !failing.includes(e));
      for (const e of succeeded) stored.push(...parseQueueMessage(e.MessageBody!).events.map((ev) => ev.messageId));
      return {
        Successful: succeeded.map((e) => ({ Id: e.Id, MessageId: 'x', MD5OfMessageBody: 'x' })),
        Failed: failing.map((e) => ({ Id: e.Id, Code: 'InternalError', SenderFault: false })),
      };
    });
    const batch = Array.from({ length: 20 }, (_, i) => ({ type: 'track', userId: `u${i}`, event: 'x', messageId: `m${i}`, properties: { pad: 'y'.repeat(20_000) } }));

    // Act
    const response = await handler(httpEvent('/v1/batch', { batch }));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(failedOnce).toBe(true);
    expect(stored.sort()).toEqual(batch.map((b) => b.messageId).sort());
  });

  it('answers 503 retryable, not 200, when SQS keeps failing', async () => {
    sqsMock.on(SendMessageBatchCommand).rejects(Object.assign(new Error('down'), { $fault: 'server', $metadata: { httpStatusCode: 503 } }));

    const response = await handler(httpEvent('/v1/track', { userId: 'u1', event: 'x' }));

    expect(response.statusCode).toBe(503);
    expect(json(response)).toEqual(expect.objectContaining({ error: 'unavailable', retryable: true }));
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(3);
  });

  it('answers 500 retryable when the write-key table cannot be read', async () => {
    ddbMock.on(GetCommand).rejects(new Error('table unreachable'));

    const response = await handler(httpEvent('/v1/track', { userId: 'u1', event: 'x' }, { authorization: basic('wk_uncached') }));

    expect(response.statusCode).toBe(500);
    expect(json(response)).toEqual({ error: 'internal_error', retryable: true });
    nothingEnqueued();
  });
});
