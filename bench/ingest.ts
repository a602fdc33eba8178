import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { indonesiaConfig } from '../examples/indonesia';
import { CachedWriteKeyStore } from '../lib/adapters/cached-write-key-store';
import { MemoryJourneyStore } from '../lib/adapters/memory-journey-store';
import { MemoryProfileStore } from '../lib/adapters/memory-profile-store';
import { packMessages } from '../lib/adapters/sqs-event-queue';
import { ingest, toHttpResponse } from '../lib/app/ingest';
import { processEvents } from '../lib/app/process-events';
import type { CustomerEvent } from '../lib/core/events';
import type { EventQueue, JourneyRunner, StartQueue, StartRequest, WriteKey, WriteKeyStore } from '../lib/core/ports';
import { parseQueueMessage } from '../lib/core/queue-message';
import { hashWriteKey } from '../lib/core/write-keys';
import { CountingJourneyStore, CountingProfileStore, addTally, emptyTally, installDynamoCounter, type DynamoTally } from './counting';
import { QUICK, measure, processCpuMs, report, round } from './support';
import { batchCall, interleavedSessions, singleCall, type SegmentEvent } from './workload';

/**
 * Ingest bench: Segment requests through the ingest use case, their queue messages through the
 * processor, with the example configuration (its 7 segments and 6 journeys: journey starts are
 * planned and enqueued, not run). Two shapes: single calls (`/v1/track` ...: one SQS message per
 * event) and Segment batches of 100 (`/v1/batch`: one message per batch, 10 customers' sessions
 * each). Customers are returning
 * ones (a warm-up identify created their profile and identity links), each session 10 events.
 *
 * `memory`: the use cases (`ingest`, `processEvents`) with the in-memory adapters, composed as the
 *   handlers compose them; DynamoDB requests are those the DynamoDB adapters would make for the
 *   store calls made (no capacity units: they need item sizes).
 * `dynalite`: the real handlers (`lambdas/ingest.ts`, `lambdas/processor.ts`) with their
 *   Powertools logging and metrics, the real DynamoDB adapters against dynalite running in a child
 *   process (so this process's CPU is the handlers' and the SDK's, not the emulator's), and a stub
 *   SQS endpoint that keeps the messages for the processor phase. Requests and capacity units are
 *   counted by the SDK middleware of `counting.ts`.
 *
 * Run: `npx tsx bench/ingest.ts memory|dynalite`.
 */

type Mode = 'memory' | 'dynalite';
type Shape = 'single' | 'batch100';
const WRITE_KEY = 'bench-write-key';
const SESSIONS = QUICK ? 20 : 200;

interface PhaseResult {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly eventsPerSecond: number;
  readonly cpuMsPerEvent: number;
  readonly dynamo: DynamoTally;
}

export interface ShapeResult {
  readonly shape: Shape;
  readonly events: number;
  readonly requests: number;
  readonly queueMessages: number;
  readonly processorInvocations: number;
  readonly ingest: PhaseResult;
  readonly processor: PhaseResult;
  readonly total: PhaseResult;
  /** Per ingested event, over both phases. */
  readonly perEvent: { readRequests: number; writeRequests: number; readItems: number; writeItems: number; readUnits?: number; writeUnits?: number; errors: number };
  readonly journeyStartsQueued: number;
  /** dynalite's own CPU (its child process) during the shape, dynalite mode only. */
  readonly emulatorCpuMs?: number;
}

interface Engine {
  ingest(path: string, body: string): Promise<number>;
  /** Queue message bodies produced so far, taken (cleared). */
  takeMessages(): string[];
  process(bodies: readonly string[]): Promise<void>;
  tally(): DynamoTally;
  resetTally(): void;
  startsQueued(): number;
  emulatorCpuMs(): number | undefined;
  stop(): Promise<void>;
}

async function main(): Promise<void> {
  const mode = (process.argv[2] ?? 'memory') as Mode;
  const engine = mode === 'memory' ? await memoryEngine() : await dynaliteEngine();
  const shapes: ShapeResult[] = [];
  let firstUser = 0;
  for (const shape of ['single', 'batch100'] as const) {
    // Warm-up: JIT, caches, and the customers of the measured run get their profile and links.
    const warmUsers = 30;
    await runShape(engine, shape, interleavedSessions(1_000_000 + firstUser, warmUsers, 0, new Date()));
    const users = Array.from({ length: SESSIONS }, (_, i) => firstUser + i);
    await runShape(engine, 'batch100', users.map((u) => interleavedSessions(u, 1, 0, new Date())[0]));
    // Single calls: many customers at once, consecutive events from different customers. Batches:
    // a batch of 100 carries the sessions of 10 customers (as a server-side source batches them).
    const events = shape === 'single'
      ? interleavedSessions(firstUser, SESSIONS, 1, new Date())
      : Array.from({ length: SESSIONS / 10 }, (_, g) => interleavedSessions(firstUser + g * 10, 10, 1, new Date())).flat();
    shapes.push(await runShape(engine, shape, events, true));
    firstUser += SESSIONS;
  }
  await engine.stop();
  report({ mode, sessionsPerShape: SESSIONS, eventsPerSession: 10, shapes });
}

async function runShape(engine: Engine, shape: Shape, events: SegmentEvent[], measured = false): Promise<ShapeResult> {
  const calls = shape === 'single' ? events.map(singleCall) : chunk(events, 100).map(batchCall);
  engine.resetTally();
  const startsBefore = engine.startsQueued();
  const emulatorBefore = engine.emulatorCpuMs();
  const ingestPhase = await measure(async () => {
    for (const call of calls) {
      const status = await engine.ingest(call.path, call.body);
      if (status !== 200) throw new Error(`ingest answered ${status}`);
    }
  });
  const ingestTally = structuredClone(engine.tally());
  engine.resetTally();
  const bodies = engine.takeMessages();
  // The SQS event source hands the processor up to 10 messages per invocation.
  const batches = chunk(bodies, 10);
  const processorPhase = await measure(async () => {
    for (const batch of batches) await engine.process(batch);
  });
  const processorTally = structuredClone(engine.tally());
  const emulatorAfter = engine.emulatorCpuMs();
  const total = addTally(addTally(emptyTally(), ingestTally), processorTally);
  const n = events.length;
  const phase = (m: { wallMs: number; cpuMs: number }, dynamo: DynamoTally): PhaseResult => ({
    wallMs: round(m.wallMs),
    cpuMs: round(m.cpuMs),
    eventsPerSecond: round((n / m.wallMs) * 1000, 0),
    cpuMsPerEvent: round(m.cpuMs / n, 3),
    dynamo,
  });
  const hasUnits = total.readUnits + total.writeUnits > 0;
  const result: ShapeResult = {
    shape,
    events: n,
    requests: calls.length,
    queueMessages: bodies.length,
    processorInvocations: batches.length,
    ingest: phase(ingestPhase, ingestTally),
    processor: phase(processorPhase, processorTally),
    total: phase({ wallMs: ingestPhase.wallMs + processorPhase.wallMs, cpuMs: ingestPhase.cpuMs + processorPhase.cpuMs }, total),
    perEvent: {
      readRequests: round(total.readRequests / n, 3),
      writeRequests: round(total.writeRequests / n, 3),
      readItems: round(total.readItems / n, 3),
      writeItems: round(total.writeItems / n, 3),
      ...(hasUnits && { readUnits: round(total.readUnits / n, 3), writeUnits: round(total.writeUnits / n, 3) }),
      errors: round(total.errors / n, 4),
    },
    journeyStartsQueued: engine.startsQueued() - startsBefore,
    ...(emulatorBefore !== undefined && emulatorAfter !== undefined && { emulatorCpuMs: round(emulatorAfter - emulatorBefore) }),
  };
  if (measured) process.stderr.write(`  ingest ${shape}: ${n} events, ${result.total.eventsPerSecond} ev/s\n`);
  return result;
}

// --- in-memory composition -------------------------------------------------------------------

class MemoryWriteKeys implements WriteKeyStore {
  private readonly keys = new Map<string, WriteKey>();
  public async findByHash(sha256Hex: string): Promise<WriteKey | undefined> {
    return this.keys.get(sha256Hex);
  }
  public async put(sha256Hex: string, key: WriteKey): Promise<void> {
    this.keys.set(sha256Hex, key);
  }
}

/** An EventQueue that packs events into message bodies exactly as SqsEventQueue does. */
class PackingQueue implements EventQueue {
  public bodies: string[] = [];
  public async enqueue(events: readonly CustomerEvent[]): Promise<void> {
    for (const message of packMessages(events)) this.bodies.push(message.body);
  }
}

class CountingStartQueue implements StartQueue {
  public count = 0;
  public async enqueue(requests: readonly StartRequest[]): Promise<void> {
    // As SqsStartQueue: each request serialised as a message body.
    for (const request of requests) JSON.stringify(request);
    this.count += requests.length;
  }
}

const idleRunner: JourneyRunner = {
  start: async () => undefined,
  stop: async () => undefined,
  resume: async () => true,
};

async function memoryEngine(): Promise<Engine> {
  const writeKeys = new MemoryWriteKeys();
  await writeKeys.put(hashWriteKey(WRITE_KEY), { name: 'bench' });
  const cached = new CachedWriteKeyStore(writeKeys);
  const queue = new PackingQueue();
  const startQueue = new CountingStartQueue();
  let tally = emptyTally();
  const store = new CountingProfileStore(new MemoryProfileStore(), tally);
  const journeyStore = new CountingJourneyStore(new MemoryJourneyStore(), tally);
  const auth = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;
  const deps = { store, config: indonesiaConfig, now: () => new Date(), journeys: { startQueue, runner: idleRunner, journeyStore } };
  return {
    ingest: async (path, body) => {
      const result = await ingest({ path, method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: Buffer.from(body), now: new Date() }, { writeKeys: cached, queue });
      return toHttpResponse(result).statusCode;
    },
    takeMessages: () => queue.bodies.splice(0),
    // As the processor handler: records of one invocation in parallel (Powertools' default).
    process: async (bodies) => {
      await Promise.all(bodies.map((body) => processEvents(parseQueueMessage(body).events, deps)));
    },
    tally: () => tally,
    resetTally: () => {
      tally = emptyTally();
      Object.assign(store, { tally });
      Object.assign(journeyStore, { tally });
    },
    startsQueued: () => startQueue.count,
    emulatorCpuMs: () => undefined,
    stop: async () => undefined,
  };
}

// --- real handlers on dynalite ----------------------------------------------------------------

async function dynaliteEngine(): Promise<Engine> {
  const dynalite = await startDynaliteProcess();
  const messages: string[] = [];
  let startsQueued = 0;
  const stub = await listen(createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { QueueUrl?: string; MessageBody?: string; Entries?: { Id: string; MessageBody: string }[] };
      const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');
      const isStarts = String(input.QueueUrl ?? '').endsWith('/starts');
      let output: unknown = {};
      if (target === 'AmazonSQS.SendMessage') {
        if (isStarts) startsQueued += 1;
        else messages.push(input.MessageBody ?? '');
        output = { MessageId: `m-${messages.length}`, MD5OfMessageBody: md5(input.MessageBody ?? '') };
      } else if (target === 'AmazonSQS.SendMessageBatch') {
        for (const entry of input.Entries ?? []) if (isStarts) startsQueued += 1; else messages.push(entry.MessageBody);
        output = { Successful: (input.Entries ?? []).map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: md5(e.MessageBody) })), Failed: [] };
      }
      // Step Functions calls (StopExecution, SendTaskSuccess) are answered with an empty success.
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify(output));
    });
  }));
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
    AWS_ENDPOINT_URL_SQS: stub.url,
    AWS_ENDPOINT_URL_SFN: stub.url,
    TABLE_NAME: 'bench-profiles',
    QUEUE_URL: `${stub.url}/000000000000/events`,
    START_QUEUE_URL: `${stub.url}/000000000000/starts`,
    STATE_MACHINE_ARN_PREFIX: 'arn:aws:states:us-east-1:000000000000:stateMachine:',
    ENGINE_CONFIG: JSON.stringify(indonesiaConfig),
    POWERTOOLS_METRICS_NAMESPACE: 'JourneyEngine',
    POWERTOOLS_SERVICE_NAME: 'bench',
  });
  const { ensureProfilesTable } = await import('../local/dynamo');
  await ensureProfilesTable(dynalite.endpoint, 'bench-profiles');
  const counter = installDynamoCounter();
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const { DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
  const { DynamoWriteKeyStore } = await import('../lib/adapters/dynamo-write-key-store');
  const setupClient = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  await new DynamoWriteKeyStore(setupClient, 'bench-profiles').put(hashWriteKey(WRITE_KEY), { name: 'bench' });
  // Loaded now: the handlers build their clients at module scope from the variables above.
  const ingestHandler = (await import('../lambdas/ingest')).handler;
  const processorHandler = (await import('../lambdas/processor')).handler as (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
  const auth = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;
  const context = { functionName: 'processor', awsRequestId: 'bench', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
  let sqsId = 0;
  return {
    ingest: async (path, body) => {
      const event = {
        version: '2.0', routeKey: `POST ${path}`, rawPath: path, rawQueryString: '', isBase64Encoded: false, body,
        headers: { authorization: auth, 'content-type': 'application/json' },
        requestContext: { http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' } },
      } as unknown as APIGatewayProxyEventV2;
      const result = await ingestHandler(event);
      return result.statusCode ?? 0;
    },
    takeMessages: () => messages.splice(0),
    process: async (bodies) => {
      const records = bodies.map((body) => ({
        messageId: `sqs-${++sqsId}`, receiptHandle: 'r', body, attributes: { ApproximateReceiveCount: '1' }, messageAttributes: {},
        md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:events', awsRegion: 'us-east-1',
      }));
      const response = await processorHandler({ Records: records } as unknown as SQSEvent, context);
      if (response.batchItemFailures.length > 0) throw new Error(`processor failed ${response.batchItemFailures.length} record(s)`);
    },
    tally: () => counter.total(),
    resetTally: () => counter.reset(),
    startsQueued: () => startsQueued,
    emulatorCpuMs: () => (dynalite.child.pid === undefined ? undefined : processCpuMs(dynalite.child.pid)),
    stop: async () => {
      setupClient.destroy();
      await stub.close();
      dynalite.child.kill();
    },
  };
}

/** dynalite (in memory) in a child Node process, so its CPU is not this process's. */
export async function startDynaliteProcess(): Promise<{ endpoint: string; child: ChildProcess }> {
  const script = "const s=require('dynalite')({createTableMs:0,deleteTableMs:0,updateTableMs:0});s.listen(0,'127.0.0.1',()=>process.stdout.write(String(s.address().port)+'\\n'))";
  const child = spawn(process.execPath, ['-e', script], { cwd: `${__dirname}/..`, stdio: ['ignore', 'pipe', 'inherit'] });
  // Never outlive the bench, even when it fails.
  process.once('exit', () => child.kill());
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.once('data', (data: Buffer) => resolve(Number(data.toString().trim())));
  });
  return { endpoint: `http://127.0.0.1:${port}`, child };
}

async function listen(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
