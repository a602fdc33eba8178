import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { EventBridgeEvent, ScheduledEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { useClock } from '../lib/app/clock';
import type { EngineConfig } from '../lib/core/config';
import { compileJourney } from '../lib/core/journeys/compiler';
import type { TaskRequest } from '../lib/core/journeys/protocol';
import { hashWriteKey } from '../lib/core/write-keys';
import { lambdaContext, readBody, toApiGatewayEvent, writeJson, writeResult, type HttpHandler } from './api-gateway';
import { ensureProfilesTable, startLocalDynamo, type LocalDynamo } from './dynamo';
import { LocalQueue } from './local-queue';
import { handleMessagingRequest, isMessagingRequest, type ProviderFault } from './messaging-endpoints';
import { Outbox, type OutboxFilter } from './outbox';
import { handleSfnRequest, isSfnRequest } from './sfn-endpoint';
import { handleSqsRequest } from './sqs-endpoint';
import { LocalStepFunctions } from './stepfunctions';
import { VirtualClock } from './virtual-clock';

/** Documented local defaults (README): never use them outside local mode. */
export const LOCAL_WRITE_KEY = 'local-write-key';
export const LOCAL_ADMIN_KEY = 'local-admin-key';
export const DEFAULT_PORT = 3000;
const TABLE_NAME = 'journey-engine-local';
const ACCOUNT = '000000000000';
const EVENTS_QUEUE = 'journey-engine-events';
const START_QUEUE = 'journey-engine-starts';
/** The journey task Lambda's ARN inside every compiled state machine run locally. */
export const LOCAL_TASK_FUNCTION_ARN = `arn:aws:lambda:local:${ACCOUNT}:function:journey-task`;
/** Local starts are not paced by a quota: a large segment entry starts at this rate. */
const LOCAL_START_RATE_PER_SECOND = 1000;
const HOUR_MS = 3_600_000;
/**
 * The handlers build their SDK clients once, at import, from AWS_ENDPOINT_URL_*: a second runtime
 * in the same process (a test file starting several) reuses the first one's ports so they still
 * reach it, and must use the same configuration.
 */
const sticky: { dynamoPort?: number; emulatorsPort?: number; config?: string } = {};
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
  /**
   * How often the scheduled segment re-evaluation runs, in virtual-clock milliseconds (as the
   * hourly schedule on AWS). @default 3_600_000 (0 = never; POST /local/reevaluate runs it)
   */
  readonly reevaluateEveryMs?: number;
  /**
   * `accelerated`: virtual time runs `timeFactor` times faster than real time (npm start).
   * `manual`: time moves only by `runtime.clock.advance(...)` (tests, the journey harness).
   * @default 'accelerated'
   */
  readonly clock?: 'accelerated' | 'manual';
  /** Accelerated clock only: how much faster than real time. @default DEFAULT_TIME_FACTOR (60: an hour a minute) */
  readonly timeFactor?: number;
  /** The virtual instant the clock starts at. @default now */
  readonly startAt?: Date | string;
}

/** A failure injected into the next matching journey task call (tests of retries). */
export interface TaskFault {
  readonly journeyId?: string;
  readonly stepId?: string;
  readonly action?: TaskRequest['action'];
  /** `before`: the task fails without running; `after`: it runs (and sends), then its response is lost. */
  readonly when: 'before' | 'after';
  /** The error name Step Functions sees. @default 'TransientError' (retried by the compiled Retry) */
  readonly error?: string;
  /** @default 1 */
  readonly times?: number;
}

export interface LocalRuntime {
  readonly url: string;
  readonly port: number;
  readonly writeKey: string;
  readonly adminKey: string;
  readonly queue: LocalQueue;
  /** The paced start queue the processor and the admin API feed and the starter consumes. */
  readonly startQueue: LocalQueue;
  /** The clock every handler reads (`useClock`), and that waits and timeouts run on. */
  readonly clock: VirtualClock;
  /** The local Step Functions service running every journey of the configuration. */
  readonly stepFunctions: LocalStepFunctions;
  /** Every message sent, as the providers received it. */
  readonly outbox: Outbox;
  /** Provider errors the next sends answer with (FIFO per channel). */
  readonly providerFaults: ProviderFault[];
  /** Failures injected into journey task calls. */
  readonly taskFaults: TaskFault[];
  /** `arn:aws:states:...:stateMachine:<journeyId>` */
  stateMachineArn(journeyId: string): string;
  /**
   * Resolves when every event received so far has been processed, every queued start made, and
   * every journey run waits on the clock or a task token (or has ended).
   */
  drain(): Promise<void>;
  /** Deliver a provider event (SES / End User Messaging, as EventBridge would) to the feedback handler. */
  feedback(event: EventBridgeEvent<string, unknown>): Promise<unknown>;
  /** The profile linked to a userId, if any. */
  profileIdOf(userId: string): Promise<string | undefined>;
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
  const configJson = JSON.stringify(options.config);
  if (sticky.config !== undefined && sticky.config !== configJson) {
    throw new Error('startLocalRuntime: this process already loaded the handlers with another configuration (they read ENGINE_CONFIG once, at import): use one configuration per test file');
  }
  const clock = new VirtualClock({ mode: options.clock ?? 'accelerated', factor: options.timeFactor, startAt: options.startAt });
  useClock(clock);
  const dynamo: LocalDynamo = await startLocalDynamo({ path: options.dataDir ? join(options.dataDir, 'dynamo') : undefined, port: sticky.dynamoPort });
  sticky.dynamoPort = Number(new URL(dynamo.endpoint).port);
  await ensureProfilesTable(dynamo.endpoint, TABLE_NAME);

  const outbox = new Outbox(clock);
  const providerFaults: ProviderFault[] = [];
  const taskFaults: TaskFault[] = [];
  const queues = new Map<string, LocalQueue>();
  const stepFunctions = new LocalStepFunctions({ clock, region: 'us-east-1', accountId: ACCOUNT });
  const emulators = await listen(createServer((request, response) => {
    const handled = isSfnRequest(request)
      ? handleSfnRequest(request, response, stepFunctions)
      : isMessagingRequest(request)
        ? handleMessagingRequest(request, response, outbox, providerFaults)
        : handleSqsRequest(request, response, queues);
    void handled.catch((error: unknown) => writeJson(response, 500, { message: String(error) }));
  }), sticky.emulatorsPort ?? 0);
  sticky.emulatorsPort = emulators.port;

  Object.assign(process.env, {
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SQS: emulators.url,
    AWS_ENDPOINT_URL_SFN: emulators.url,
    AWS_ENDPOINT_URL_SESV2: emulators.url,
    AWS_ENDPOINT_URL_PINPOINT: emulators.url,
    AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2: emulators.url,
    TABLE_NAME,
    QUEUE_URL: `${emulators.url}/${ACCOUNT}/${EVENTS_QUEUE}`,
    START_QUEUE_URL: `${emulators.url}/${ACCOUNT}/${START_QUEUE}`,
    STATE_MACHINE_ARN_PREFIX: stepFunctions.stateMachineArnPrefix,
    START_RATE_PER_SECOND: String(LOCAL_START_RATE_PER_SECOND),
    ENGINE_CONFIG: configJson,
    POWERTOOLS_METRICS_NAMESPACE: 'JourneyEngine',
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? process.env.LOG_LEVEL ?? 'WARN',
  });
  sticky.config = configJson;

  // Loaded only now: the handlers build their clients at module scope from the variables above.
  const ingest = (await import('../lambdas/ingest')).handler as HttpHandler;
  const admin = (await import('../lambdas/admin')).handler as HttpHandler;
  const processor = (await import('../lambdas/processor')).handler as (event: SQSEvent, context: unknown) => Promise<SQSBatchResponse>;
  const reevaluateHandler = (await import('../lambdas/reevaluate')).handler as (event: ScheduledEvent, context: unknown) => Promise<unknown>;
  const hasJourneys = (options.config.journeys ?? []).length > 0;
  const starter = hasJourneys ? ((await import('../lambdas/starter')).handler as (event: SQSEvent) => Promise<SQSBatchResponse>) : undefined;
  const journeyTask = hasJourneys ? ((await import('../lambdas/journey-task')).handler as (event: unknown) => Promise<unknown>) : undefined;
  const feedbackHandler = hasJourneys ? ((await import('../lambdas/feedback')).handler as (event: EventBridgeEvent<string, unknown>) => Promise<unknown>) : undefined;
  const { DynamoWriteKeyStore } = await import('../lib/adapters/dynamo-write-key-store');
  const { DynamoProfileStore } = await import('../lib/adapters/dynamo-profile-store');
  const { DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');

  const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  await new DynamoWriteKeyStore(documentClient, TABLE_NAME).put(hashWriteKey(writeKey), { name: 'local' });
  const profiles = new DynamoProfileStore({ client: documentClient, tableName: TABLE_NAME });

  const queue = new LocalQueue({ consumer: (event) => processor(event, lambdaContext('processor')) });
  // Throttled starts go back to the queue: enough receives that pacing never dead-letters a start.
  const startQueue = new LocalQueue({
    consumer: async (event) => (starter ? starter(event) : undefined),
    maxReceiveCount: 100,
    queueArn: `arn:aws:sqs:local:${ACCOUNT}:${START_QUEUE}`,
  });
  queues.set(EVENTS_QUEUE, queue);
  queues.set(START_QUEUE, startQueue);

  if (journeyTask) stepFunctions.addFunction(LOCAL_TASK_FUNCTION_ARN, withFaults(taskFaults, journeyTask));
  for (const journey of options.config.journeys ?? []) {
    stepFunctions.register(journey.id, compileJourney(journey, { taskFunctionArn: LOCAL_TASK_FUNCTION_ARN }));
  }

  const drain = async (): Promise<void> => {
    for (;;) {
      await queue.drain();
      await startQueue.drain();
      await stepFunctions.idle();
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (queue.depth === 0 && startQueue.depth === 0 && stepFunctions.busy === 0) return;
    }
  };
  clock.settleWith(drain);
  const reevaluate = async () => {
    await reevaluateHandler(scheduledEvent(clock.now()), lambdaContext('reevaluate'));
  };
  const profileIdOf = async (userId: string) => (await profiles.findProfileIds([{ kind: 'user', id: userId }])).get(`user:${userId}`);

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
    if (path === '/local/outbox' && request.method === 'GET') {
      const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
      const userId = query.get('userId') ?? undefined;
      const profileId = userId === undefined ? undefined : await profileIdOf(userId);
      const filter: OutboxFilter = {
        channel: query.get('channel') ?? undefined,
        journeyId: query.get('journeyId') ?? undefined,
        ...(userId !== undefined && { profileIds: profileId ? [profileId] : [] }),
      };
      writeJson(response, 200, { now: clock.now().toISOString(), messages: outbox.list(filter) });
      return;
    }
    if (path === '/local/reevaluate' && request.method === 'POST') {
      await reevaluate();
      writeJson(response, 200, { ok: true });
      return;
    }
    if (path === '/health' || path === '/') {
      writeJson(response, 200, {
        status: 'ok',
        now: clock.now().toISOString(),
        timeFactor: clock.mode === 'manual' ? 0 : clock.factor,
        queueDepth: queue.depth,
        deadLetters: queue.deadLetters.length,
        startQueueDepth: startQueue.depth,
        runningJourneys: stepFunctions.list({ status: 'RUNNING' }).length,
        outbox: outbox.size,
      });
      return;
    }
    writeJson(response, 404, { error: 'not_found', message: `no route for ${request.method} ${path}` });
  }

  // The hourly schedule of AWS, on the virtual clock: an accelerated day re-evaluates 24 times.
  const every = options.reevaluateEveryMs ?? HOUR_MS;
  let stopped = false;
  const scheduleReevaluation = (): void => {
    if (every <= 0 || stopped) return;
    clock.setTimer(new Date(clock.nowMs() + every), async () => {
      await reevaluate().catch((error: unknown) => process.stderr.write(`local runtime: re-evaluation failed: ${String(error)}\n`));
      scheduleReevaluation();
    });
  };
  scheduleReevaluation();

  return {
    url: api.url,
    port: api.port,
    writeKey,
    adminKey,
    queue,
    startQueue,
    clock,
    stepFunctions,
    outbox,
    providerFaults,
    taskFaults,
    stateMachineArn: (journeyId) => `${stepFunctions.stateMachineArnPrefix}${journeyId}`,
    drain,
    feedback: async (event) => {
      if (!feedbackHandler) throw new Error('the configuration has no journeys: no feedback handler runs');
      return feedbackHandler(event);
    },
    profileIdOf,
    reevaluate,
    stop: async () => {
      stopped = true;
      await queue.drain();
      await startQueue.drain();
      stepFunctions.close();
      clock.close();
      queue.close();
      startQueue.close();
      documentClient.destroy();
      await Promise.all([api.close(), emulators.close()]);
      await dynamo.stop();
      useClock(undefined);
    },
  };
}

/** The journey task function, failing where a test injected a fault. */
function withFaults(faults: TaskFault[], handler: (event: unknown) => Promise<unknown>): (payload: TaskRequest) => Promise<unknown> {
  const matches = (fault: TaskFault, request: TaskRequest) =>
    (fault.journeyId === undefined || fault.journeyId === request.run?.journeyId) &&
    (fault.stepId === undefined || fault.stepId === request.stepId) &&
    (fault.action === undefined || fault.action === request.action);
  const take = (request: TaskRequest, when: TaskFault['when']): Error | undefined => {
    const index = faults.findIndex((f) => f.when === when && matches(f, request));
    if (index === -1) return undefined;
    const fault = faults[index];
    const left = (fault.times ?? 1) - 1;
    if (left > 0) faults[index] = { ...fault, times: left };
    else faults.splice(index, 1);
    return Object.assign(new Error(`injected ${when}-task fault`), { name: fault.error ?? 'TransientError' });
  };
  return async (request) => {
    const before = take(request, 'before');
    if (before) throw before;
    // As Lambda: the result crosses the wire as JSON.
    const result = JSON.parse(JSON.stringify((await handler(request)) ?? null)) as unknown;
    const after = take(request, 'after');
    if (after) throw after;
    return result;
  };
}

function hasKey(request: IncomingMessage, key: string): boolean {
  const header = request.headers.authorization ?? '';
  const [scheme, value = ''] = header.split(' ');
  if (/^bearer$/i.test(scheme)) return value === key;
  if (/^basic$/i.test(scheme)) return Buffer.from(value, 'base64').toString('utf8').split(':')[0] === key;
  return false;
}

function scheduledEvent(now: Date): ScheduledEvent {
  return {
    version: '0', id: 'local', 'detail-type': 'Scheduled Event', source: 'aws.events', account: ACCOUNT,
    time: now.toISOString(), region: 'local', resources: [], detail: {},
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
