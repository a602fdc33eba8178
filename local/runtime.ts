import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { ScheduledEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { EngineConfig } from '../lib/core/config';
import { hashWriteKey } from '../lib/core/write-keys';
import { lambdaContext, readBody, toApiGatewayEvent, writeJson, writeResult, type HttpHandler } from './api-gateway';
import { ensureProfilesTable, startLocalDynamo, type LocalDynamo } from './dynamo';
import { LocalQueue } from './local-queue';
import { handleSqsRequest } from './sqs-endpoint';

/** Documented local defaults (README): never use them outside local mode. */
export const LOCAL_WRITE_KEY = 'local-write-key';
export const LOCAL_ADMIN_KEY = 'local-admin-key';
export const DEFAULT_PORT = 3000;
const TABLE_NAME = 'journey-engine-local';
const INGEST_ROUTES = ['batch', 'track', 'identify', 'page', 'screen', 'group', 'alias'];
/** Larger than the ingest limits, so oversize requests reach the handler and get its 413 body. */
const MAX_REQUEST_BYTES = 5 * 1024 * 1024;

export interface LocalRuntimeOptions {
  readonly config: EngineConfig;
  /** Port of the ingest and admin API; 0 picks a free one. @default 3000 */
  readonly port?: number;
  /** Folder for the dynalite data, kept between runs; `undefined` keeps everything in memory. */
  readonly dataDir?: string;
  /** @default LOCAL_WRITE_KEY */
  readonly writeKey?: string;
  /** @default LOCAL_ADMIN_KEY */
  readonly adminKey?: string;
  /** How often the scheduled segment re-evaluation runs. @default 60_000 (0 = never; POST /local/reevaluate runs it) */
  readonly reevaluateEveryMs?: number;
}

export interface LocalRuntime {
  readonly url: string;
  readonly port: number;
  readonly writeKey: string;
  readonly adminKey: string;
  readonly queue: LocalQueue;
  /** Resolves when every event received so far has been processed. */
  drain(): Promise<void>;
  /** Run the scheduled segment re-evaluation now. */
  reevaluate(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Run the engine on this machine with no AWS account: the same Lambda handlers, DynamoDB in
 * dynalite, SQS as an in-process queue behind a local SQS endpoint, API Gateway as a small HTTP
 * server. The handlers are unmodified: they reach the emulators through the SDK's standard
 * `AWS_ENDPOINT_URL_<SERVICE>` variables, set here before the handler modules are loaded.
 *
 * @example
 * const runtime = await startLocalRuntime({ config: indonesiaConfig, port: 0 });
 * await fetch(`${runtime.url}/v1/track`, { ... });
 * await runtime.drain();
 */
export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const writeKey = options.writeKey ?? LOCAL_WRITE_KEY;
  const adminKey = options.adminKey ?? LOCAL_ADMIN_KEY;
  const dynamo: LocalDynamo = await startLocalDynamo({ path: options.dataDir ? join(options.dataDir, 'dynamo') : undefined });
  await ensureProfilesTable(dynamo.endpoint, TABLE_NAME);

  let queue: LocalQueue | undefined;
  const emulators = await listen(createServer((request, response) => {
    void handleSqsRequest(request, response, queue as LocalQueue).catch((error: unknown) => writeJson(response, 500, { message: String(error) }));
  }), 0);

  Object.assign(process.env, {
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SQS: emulators.url,
    TABLE_NAME,
    QUEUE_URL: `${emulators.url}/000000000000/journey-engine-events`,
    ENGINE_CONFIG: JSON.stringify(options.config),
    POWERTOOLS_METRICS_NAMESPACE: 'JourneyEngine',
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? process.env.LOG_LEVEL ?? 'WARN',
  });

  // Loaded only now: the handlers build their clients at module scope from the variables above.
  const ingest = (await import('../lambdas/ingest')).handler as HttpHandler;
  const admin = (await import('../lambdas/admin')).handler as HttpHandler;
  const processor = (await import('../lambdas/processor')).handler as (event: SQSEvent, context: unknown) => Promise<SQSBatchResponse>;
  const reevaluateHandler = (await import('../lambdas/reevaluate')).handler as (event: ScheduledEvent, context: unknown) => Promise<unknown>;
  const { DynamoWriteKeyStore } = await import('../lib/adapters/dynamo-write-key-store');
  const { DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');

  const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  await new DynamoWriteKeyStore(documentClient, TABLE_NAME).put(hashWriteKey(writeKey), { name: 'local' });
  documentClient.destroy();

  queue = new LocalQueue({ consumer: (event) => processor(event, lambdaContext('processor')) });
  const reevaluate = async () => {
    await reevaluateHandler(scheduledEvent(), lambdaContext('reevaluate'));
  };

  const api = await listen(createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      process.stderr.write(`local runtime: ${error instanceof Error ? error.stack : String(error)}\n`);
      if (!response.headersSent) writeJson(response, 500, { error: 'internal_error', message: 'the local runtime failed; see its log' });
    });
  }), options.port ?? DEFAULT_PORT);

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const body = await readBody(request, MAX_REQUEST_BYTES);
    if (body === 'too_large') {
      writeJson(response, 413, { error: 'payload_too_large', message: 'request body over 5 MB' });
      return;
    }
    const ingestRoute = /^\/v1\/([a-z]+)\/?$/.exec(path);
    if (ingestRoute && INGEST_ROUTES.includes(ingestRoute[1])) {
      const event = toApiGatewayEvent(request, body, { routeKey: `POST /v1/${ingestRoute[1]}` });
      writeResult(response, await ingest(event, lambdaContext('ingest')));
      return;
    }
    if (path.startsWith('/admin/')) {
      // Stands in for the IAM authorizer that guards /admin/* on AWS.
      if (!hasKey(request, adminKey)) {
        writeJson(response, 403, { message: 'Forbidden: send the local admin key as Authorization: Bearer <key>' });
        return;
      }
      const event = toApiGatewayEvent(request, body, {
        routeKey: 'ANY /admin/{proxy+}',
        pathParameters: { proxy: path.slice('/admin/'.length) },
        authorizer: { iam: { accessKey: 'local', accountId: '000000000000', callerId: 'local-admin', principalOrgId: null, userArn: 'arn:aws:iam::000000000000:user/local-admin', userId: 'local-admin', cognitoIdentity: null } } as never,
      });
      writeResult(response, await admin(event, lambdaContext('admin')));
      return;
    }
    if (path === '/local/reevaluate' && request.method === 'POST') {
      await reevaluate();
      writeJson(response, 200, { ok: true });
      return;
    }
    if (path === '/health' || path === '/') {
      writeJson(response, 200, { status: 'ok', queueDepth: queue?.depth ?? 0, deadLetters: queue?.deadLetters.length ?? 0 });
      return;
    }
    writeJson(response, 404, { error: 'not_found', message: `no route for ${request.method} ${path}` });
  }

  const every = options.reevaluateEveryMs ?? 60_000;
  const timer = every > 0 ? setInterval(() => void reevaluate().catch(() => undefined), every) : undefined;
  timer?.unref();

  return {
    url: api.url,
    port: api.port,
    writeKey,
    adminKey,
    queue,
    drain: () => (queue as LocalQueue).drain(),
    reevaluate,
    stop: async () => {
      if (timer) clearInterval(timer);
      await queue?.drain();
      queue?.close();
      await Promise.all([api.close(), emulators.close()]);
      await dynamo.stop();
    },
  };
}

function hasKey(request: IncomingMessage, key: string): boolean {
  const header = request.headers.authorization ?? '';
  const [scheme, value = ''] = header.split(' ');
  if (/^bearer$/i.test(scheme)) return value === key;
  if (/^basic$/i.test(scheme)) return Buffer.from(value, 'base64').toString('utf8').split(':')[0] === key;
  return false;
}

function scheduledEvent(): ScheduledEvent {
  return {
    version: '0', id: 'local', 'detail-type': 'Scheduled Event', source: 'aws.events', account: '000000000000',
    time: new Date().toISOString(), region: 'local', resources: [], detail: {},
  };
}

async function listen(server: Server, port: number): Promise<{ url: string; port: number; close(): Promise<void> }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
