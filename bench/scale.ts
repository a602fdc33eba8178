import type { SQSClient } from '@aws-sdk/client-sqs';
import { indonesiaConfig } from '../examples/indonesia';
import { MemoryJourneyStore } from '../lib/adapters/memory-journey-store';
import { MemoryProfileStore } from '../lib/adapters/memory-profile-store';
import { SqsStartQueue } from '../lib/adapters/sqs-start-queue';
import { processEvents } from '../lib/app/process-events';
import { startRuns } from '../lib/app/start-runs';
import type { CustomerEvent } from '../lib/core/events';
import { paceStarts, TokenBucket } from '../lib/core/journeys/pacing';
import type { JourneyRunner, StartRequest } from '../lib/core/ports';
import { startPacing } from '../lib/infrastructure/journey-engine';
import { CountingJourneyStore, CountingProfileStore } from './counting';
import { QUICK, measure, report, round } from './support';

/**
 * Scale bench: a segment of customers entering a segment-triggered journey
 * (`loyalty-reward-reminder`, on entering `loyalty-near-reward`).
 *
 * `plan` (100,000 customers): their identify events (loyalty points 900) through `processEvents`
 *   on the in-memory store in messages of 100, which folds them, evaluates the segments, plans the
 *   entries and enqueues the starts through the real SqsStartQueue (its SQS client a counting
 *   stub); then every start through the real `startRuns` of the starter, split over the fleet the
 *   CDK deploys by default (maxStartsPerSecond 100: 5 starters with a 20/s token bucket each, SQS
 *   batches of 10), on a virtual clock, against an in-memory runner. It reports the local time and
 *   CPU for each part, and the time the pacing takes on AWS (the buckets' virtual time) next to
 *   `paceStarts` and the StartExecution quota.
 * `local` (2,000 customers): the same entry end to end on the local runtime (ingest API, processor,
 *   start queue, starter, local Step Functions, journey task, dynalite), then the 14:00 send.
 */

const JOURNEY = 'loyalty-reward-reminder';
const PLAN_CUSTOMERS = QUICK ? 5_000 : 100_000;
const LOCAL_CUSTOMERS = QUICK ? 200 : 2_000;
const QUOTA_PER_SECOND = 300;

function identify(user: number, at: string): CustomerEvent {
  return {
    type: 'identify', messageId: `scale-${user}`, userId: `scale-user-${user}`, properties: {},
    traits: { loyaltyPoints: 900, firstName: 'Dewi', email: `scale${user}@example.co.id` },
    context: { timezone: 'Asia/Jakarta', device: { token: `token-${user}`, type: 'android' } },
    timestamp: at, receivedAt: at, source: 'bench',
  };
}

async function plan(): Promise<void> {
  const now = new Date('2026-11-23T01:00:00Z');
  const store = new CountingProfileStore(new MemoryProfileStore());
  const journeyStore = new CountingJourneyStore(new MemoryJourneyStore());
  const bodies: string[] = [];
  let sqsRequests = 0;
  const sqs = { send: async (command: { input: { Entries?: { MessageBody?: string }[] } }) => {
    sqsRequests += 1;
    for (const entry of command.input.Entries ?? []) bodies.push(entry.MessageBody ?? '');
    return { Failed: [] };
  } } as unknown as SQSClient;
  const startQueue = new SqsStartQueue({ client: sqs, queueUrl: 'https://sqs.local/000000000000/starts' });
  const idle: JourneyRunner = { start: async () => undefined, stop: async () => undefined, resume: async () => true };
  const deps = { store, config: indonesiaConfig, now: () => now, journeys: { startQueue, runner: idle, journeyStore } };

  const at = now.toISOString();
  const planning = await measure(async () => {
    for (let first = 0; first < PLAN_CUSTOMERS; first += 100) {
      const events = Array.from({ length: Math.min(100, PLAN_CUSTOMERS - first) }, (_, i) => identify(first + i, at));
      await processEvents(events, deps);
    }
  });
  const requests = bodies.map((body) => JSON.parse(body) as StartRequest).filter((r) => r.journeyId === JOURNEY);
  process.stderr.write(`  scale: planned ${requests.length} starts in ${round(planning.wallMs / 1000, 1)} s\n`);

  // The starter fleet: CDK defaults, each instance its own token bucket on its own virtual clock.
  const { maxConcurrency, ratePerSecond } = startPacing(100);
  const started = new Set<string>();
  const runner: JourneyRunner = { start: async (request) => void started.add(request.runId), stop: async () => undefined, resume: async () => true };
  const clocks = Array.from({ length: maxConcurrency }, () => 0);
  const buckets = clocks.map(() => new TokenBucket(ratePerSecond, Math.max(1, ratePerSecond), 0));
  let throttled = 0;
  let invocations = 0;
  const starting = await measure(async () => {
    for (let i = 0; i < bodies.length; i += 10) {
      const instance = (i / 10) % maxConcurrency;
      // As the starter handler: parse each SQS record body, then startRuns.
      const batch = bodies.slice(i, i + 10).map((body, n) => ({ id: `${i + n}`, request: JSON.parse(body) as StartRequest }));
      invocations += 1;
      const outcomes = await startRuns(batch, {
        runner,
        bucket: buckets[instance],
        nowMs: () => clocks[instance],
        sleep: async (ms) => {
          clocks[instance] += ms;
        },
      });
      throttled += outcomes.filter((o) => o.status !== 'started').length;
    }
  });
  const pacedSeconds = Math.max(...clocks) / 1000;
  const paced = paceStarts(requests.length, { ratePerSecond, concurrency: maxConcurrency, quotaPerSecond: QUOTA_PER_SECOND });
  const million = paceStarts(1_000_000, { ratePerSecond, concurrency: maxConcurrency, quotaPerSecond: QUOTA_PER_SECOND });
  report({
    customers: PLAN_CUSTOMERS,
    journey: JOURNEY,
    planning: {
      wallSeconds: round(planning.wallMs / 1000, 2),
      cpuSeconds: round(planning.cpuMs / 1000, 2),
      customersPerSecond: round((PLAN_CUSTOMERS / planning.wallMs) * 1000, 0),
      startsEnqueued: requests.length,
      sqsSendMessageBatch: sqsRequests,
      dynamoRequestsPerCustomer: round((store.tally.readRequests + store.tally.writeRequests + journeyStore.tally.readRequests + journeyStore.tally.writeRequests) / PLAN_CUSTOMERS, 2),
    },
    starter: {
      wallSeconds: round(starting.wallMs / 1000, 2),
      cpuSeconds: round(starting.cpuMs / 1000, 2),
      startsPerSecondLocally: round((started.size / starting.wallMs) * 1000, 0),
      started: started.size,
      throttled,
      invocations,
      fleet: { instances: maxConcurrency, ratePerInstance: ratePerSecond, maxStartsPerSecond: 100 },
      pacedSecondsOnAws: round(pacedSeconds, 1),
      paceStartsSeconds: round(paced.seconds, 1),
      fleetRatePerSecond: paced.ratePerSecond,
      quotaPerSecond: QUOTA_PER_SECOND,
      secondsAtQuota: round((requests.length - 1) / QUOTA_PER_SECOND, 1),
      oneMillionSeconds: round(million.seconds, 0),
    },
  });
}

async function local(): Promise<void> {
  const { startLocalRuntime } = await import('../local/runtime');
  const runtime = await startLocalRuntime({ config: indonesiaConfig, port: 0, clock: 'manual', startAt: '2026-11-23T01:00:00Z', reevaluateEveryMs: 0 });
  const auth = `Basic ${Buffer.from(`${runtime.writeKey}:`).toString('base64')}`;
  const at = runtime.clock.now().toISOString();
  const entering = await measure(async () => {
    for (let first = 0; first < LOCAL_CUSTOMERS; first += 50) {
      const batch = [];
      for (let user = first; user < Math.min(first + 50, LOCAL_CUSTOMERS); user++) {
        const { type: _type, receivedAt: _r, source: _s, ...event } = identify(user, at);
        batch.push({ type: 'track', userId: event.userId, messageId: `consent-${user}`, event: 'Consent Granted', properties: { channel: 'push' }, timestamp: at, context: event.context });
        batch.push({ type: 'identify', ...event });
      }
      const response = await fetch(`${runtime.url}/v1/batch`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
      if (response.status !== 200) throw new Error(`batch answered ${response.status}`);
    }
    await runtime.drain();
  });
  const running = runtime.stepFunctions.list({ stateMachine: JOURNEY, status: 'RUNNING' }).length;
  process.stderr.write(`  scale (local): ${running} runs waiting for 14:00 after ${round(entering.wallMs / 1000, 1)} s\n`);
  const sending = await measure(async () => {
    await runtime.clock.advance('6h');
    await runtime.drain();
  });
  const runs = runtime.stepFunctions.list({ stateMachine: JOURNEY });
  const statuses: Record<string, number> = {};
  for (const run of runs) statuses[run.status] = (statuses[run.status] ?? 0) + 1;
  const sent = runtime.outbox.list({ journeyId: JOURNEY }).length;
  await runtime.stop();
  report({
    customers: LOCAL_CUSTOMERS,
    journey: JOURNEY,
    enterAndStart: { wallSeconds: round(entering.wallMs / 1000, 2), cpuSeconds: round(entering.cpuMs / 1000, 2), runsStarted: runs.length, runsPerSecond: round((runs.length / entering.wallMs) * 1000, 0) },
    sendAt14: { wallSeconds: round(sending.wallMs / 1000, 2), cpuSeconds: round(sending.cpuMs / 1000, 2), runsPerSecond: round((runs.length / sending.wallMs) * 1000, 0) },
    statuses,
    pushesSent: sent,
  });
}

if (require.main === module) {
  (process.argv[2] === 'local' ? local() : plan()).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
