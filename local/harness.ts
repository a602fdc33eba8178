import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoJourneyStore } from '../lib/adapters/dynamo-journey-store';
import type { EngineConfig } from '../lib/core/config';
import type { CounterIncrement } from '../lib/core/ports';
import type { Channel, MessageLogEntry, Profile } from '../lib/core/profile';
import type { ProviderFault } from './messaging-endpoints';
import type { OutboxMessage } from './outbox';
import { startLocalRuntime, type LocalRuntime, type TaskFault } from './runtime';
import type { ExecutionStatus, TransitionCount } from './stepfunctions';

export interface JourneyHarnessOptions {
  readonly config: EngineConfig;
  /** The virtual instant the test starts at. @default '2026-01-05T01:00:00Z' (a Monday, 08:00 in Jakarta) */
  readonly startAt?: Date | string;
  /** Segment re-evaluation on the virtual clock, as the hourly schedule on AWS. @default 3_600_000 (0: only `reevaluate()`) */
  readonly reevaluateEveryMs?: number;
}

export interface SentFilter {
  readonly userId?: string;
  readonly channel?: Channel;
  readonly journeyId?: string;
  readonly stepId?: string;
}

export interface RunSummary {
  readonly journeyId: string;
  readonly runId: string;
  readonly profileId: string;
  /** Keyed journeys: the run's entry key (e.g. the cartId). */
  readonly entryKey?: string;
  readonly status: ExecutionStatus;
  readonly startedAt: string;
  readonly stoppedAt?: string;
  /** The run's final state data (`{ run, last }`), once it ended. */
  readonly output?: unknown;
  readonly error?: string;
  readonly transitions: TransitionCount;
}

interface EventOptions {
  /** Reuse a messageId to send the same event twice (duplicates are processed once). */
  readonly messageId?: string;
  /** Segment `context` (e.g. `{ timezone, locale, device: { token, type } }`). */
  readonly context?: Record<string, unknown>;
}

const DEFAULT_START = '2026-01-05T01:00:00Z';

/**
 * The journey test harness: the whole engine in this process (the local runtime on a manual
 * clock, in memory, on a free port), driven as customers and providers would drive it. Events go
 * through the real ingest API with the write key; `advance` moves the virtual clock through every
 * due wait, timeout, task and send, in order, and drains; what was sent is read from the outbox,
 * why something was not sent from the profile's message log.
 *
 * One configuration per test file: the handlers read it once, at import.
 *
 * @example
 * const h = await JourneyHarness.start({ config, startAt: '2026-11-23T01:00:00Z' });
 * await h.identify('u-1', { email: 'a@b.co' }, { context: { timezone: 'Asia/Jakarta' } });
 * await h.consent('u-1', 'email');
 * await h.track('u-1', 'Cart Abandoned', { cartId: 'c-1', total: 250000 });
 * await h.advance('1h');
 * expect(h.sent({ userId: 'u-1' })).toHaveLength(1);
 * await h.stop();
 */
export class JourneyHarness {
  private readonly profileIds = new Map<string, string>();

  private constructor(public readonly runtime: LocalRuntime) {}

  public static async start(options: JourneyHarnessOptions): Promise<JourneyHarness> {
    const runtime = await startLocalRuntime({
      config: options.config,
      port: 0,
      clock: 'manual',
      startAt: options.startAt ?? DEFAULT_START,
      reevaluateEveryMs: options.reevaluateEveryMs,
    });
    return new JourneyHarness(runtime);
  }

  /** The virtual time. */
  public get now(): Date {
    return this.runtime.clock.now();
  }

  public async identify(userId: string, traits: Record<string, unknown>, options: EventOptions = {}): Promise<void> {
    await this.ingest('identify', { userId, traits }, options);
  }

  public async track(userId: string, event: string, properties: Record<string, unknown> = {}, options: EventOptions = {}): Promise<void> {
    await this.ingest('track', { userId, event, properties }, options);
  }

  /** Grant (or with `granted: false` revoke) consent to a channel, as the app's consent screen would. */
  public async consent(userId: string, channel: Channel, options: { granted?: boolean; topic?: string } = {}): Promise<void> {
    const event = options.granted === false ? 'Consent Revoked' : 'Consent Granted';
    await this.track(userId, event, { channel, ...(options.topic && { topic: options.topic }) });
  }

  /** Enter a customer into an API-entry journey (`POST /admin/journeys/{id}/entries`); returns the runId. */
  public async enter(journeyId: string, userId: string, options: { context?: Record<string, unknown>; idempotencyKey?: string } = {}): Promise<string> {
    const response = await fetch(`${this.runtime.url}/admin/journeys/${encodeURIComponent(journeyId)}/entries`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.runtime.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userId, ...options }),
    });
    const body = (await response.json()) as { runId?: string; message?: string };
    if (response.status !== 202) throw new Error(`entering ${userId} into ${journeyId} failed (${response.status}): ${body.message ?? JSON.stringify(body)}`);
    await this.drain();
    return body.runId as string;
  }

  /** Move virtual time forward (`'1h'`, `'3d'`, ms), running every due timer and what it sets off. */
  public async advance(by: number | string): Promise<void> {
    await this.runtime.clock.advance(by);
    await this.drain();
  }

  public async advanceTo(date: Date | string): Promise<void> {
    await this.runtime.clock.advanceTo(date);
    await this.drain();
  }

  /** Wait until events, starts and journey steps in flight are done (the clock stays put). */
  public async drain(): Promise<void> {
    await this.runtime.drain();
    for (const userId of this.profileIds.keys()) {
      const profileId = await this.runtime.profileIdOf(userId);
      if (profileId) this.profileIds.set(userId, profileId);
    }
  }

  /** Run the segment re-evaluation now (it also runs every virtual hour). */
  public async reevaluate(): Promise<void> {
    await this.runtime.reevaluate();
    await this.drain();
  }

  /** Messages sent, oldest first. */
  public sent(filter: SentFilter = {}): OutboxMessage[] {
    const profileId = filter.userId === undefined ? undefined : this.profileIds.get(filter.userId);
    if (filter.userId !== undefined && profileId === undefined) return [];
    return this.runtime.outbox.list({
      channel: filter.channel,
      journeyId: filter.journeyId,
      stepId: filter.stepId,
      ...(profileId !== undefined && { profileIds: [profileId] }),
    });
  }

  /** The profile's message log: every send decision (`sent`, `suppressed` with its reason, `deferred`...). */
  public async decisions(userId: string, filter: { journeyId?: string; outcome?: string } = {}): Promise<MessageLogEntry[]> {
    const profile = await this.profile(userId);
    return (profile?.messages ?? []).filter(
      (m) => (filter.journeyId === undefined || m.journeyId === filter.journeyId) && (filter.outcome === undefined || m.outcome === filter.outcome),
    );
  }

  /** The stored profile (through the admin API). */
  public async profile(userId: string): Promise<Profile | undefined> {
    const response = await fetch(`${this.runtime.url}/admin/profiles?userId=${encodeURIComponent(userId)}`, {
      headers: { authorization: `Bearer ${this.runtime.adminKey}` },
    });
    if (response.status === 404) return undefined;
    return ((await response.json()) as { profile: Profile }).profile;
  }

  /**
   * A journey's counters as the engine wrote them (per step, variant and metric: the vocabulary of
   * `lib/core/measurement/counters.ts`), summed over shards; `filter` keeps matching ones.
   *
   * @example
   * await h.counters('welcome', { variant: 'group:global-control' }); // [{ stepId: '*', variant: 'group:global-control', metric: 'entered', by: 1 }, ...]
   */
  public async counters(journeyId: string, filter: { stepId?: string; variant?: string; metric?: string } = {}): Promise<CounterIncrement[]> {
    // Built per call: the local runtime points the SDK at dynalite through the environment.
    const store = new DynamoJourneyStore({ client: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName: process.env.TABLE_NAME as string });
    return (await store.readCounters(journeyId)).filter(
      (c) => (filter.stepId === undefined || c.stepId === filter.stepId) && (filter.variant === undefined || c.variant === filter.variant) && (filter.metric === undefined || c.metric === filter.metric),
    );
  }

  /** Journey runs (executions), oldest first; one journey's when named, one customer's when `userId` is given. */
  public runs(journeyId?: string, filter: { userId?: string } = {}): RunSummary[] {
    const sfn = this.runtime.stepFunctions;
    const executions = sfn.list(journeyId === undefined ? {} : { stateMachine: journeyId }).reverse();
    const profileId = filter.userId === undefined ? undefined : this.profileIds.get(filter.userId);
    return executions.map((e) => {
      const { run } = JSON.parse(e.input) as { run: { profileId: string; entryKey?: string } };
      return { e, run };
    }).filter(({ run }) => filter.userId === undefined || run.profileId === profileId).map(({ e, run }) => ({
      journeyId: e.stateMachineArn.split(':').pop() as string,
      runId: e.name,
      profileId: run.profileId,
      ...(run.entryKey !== undefined && { entryKey: run.entryKey }),
      status: e.status,
      startedAt: e.startDate.toISOString(),
      ...(e.stopDate && { stoppedAt: e.stopDate.toISOString() }),
      ...(e.output !== undefined && { output: JSON.parse(e.output) as unknown }),
      ...(e.error !== undefined && { error: e.error }),
      transitions: sfn.transitions(e.executionArn),
    }));
  }

  /** The states a run entered, in order (e.g. `['wait-1h', 'bought', 'reachable-by-push', ...]`). */
  public path(journeyId: string, runId: string): string[] {
    return this.runtime.stepFunctions
      .history(`arn:aws:states:us-east-1:000000000000:execution:${journeyId}:${runId}`)
      .filter((e) => e.type === 'StateEntered')
      .map((e) => e.stateName as string);
  }

  /**
   * An SES event about a sent email, delivered to the feedback handler as EventBridge would:
   * `Bounce` (hard by default), `Complaint`, `Delivery`, `Open`, `Click`.
   */
  public async emailEvent(message: OutboxMessage, eventType: 'Bounce' | 'Complaint' | 'Delivery' | 'Open' | 'Click', options: { bounceType?: 'Permanent' | 'Transient' } = {}): Promise<void> {
    const timestamp = this.now.toISOString();
    const details: Record<string, unknown> = {
      Bounce: { bounce: { bounceType: options.bounceType ?? 'Permanent', bounceSubType: 'General', timestamp } },
      Complaint: { complaint: { complaintFeedbackType: 'abuse', timestamp } },
      Delivery: { delivery: { timestamp } },
      Open: { open: { timestamp } },
      Click: { click: { timestamp, link: 'https://example.com' } },
    };
    const detailType = { Bounce: 'Email Bounced', Complaint: 'Email Complaint Received', Delivery: 'Email Delivered', Open: 'Email Opened', Click: 'Email Clicked' }[eventType];
    await this.runtime.feedback({
      version: '0', id: randomUUID(), 'detail-type': detailType, source: 'aws.ses', account: '000000000000', time: timestamp, region: 'us-east-1', resources: [],
      detail: {
        eventType,
        mail: { messageId: message.messageId, timestamp: message.sentAt, tags: Object.fromEntries(Object.entries(message.tags).map(([k, v]) => [k, [v]])) },
        ...(details[eventType] as object),
      },
    });
    await this.drain();
  }

  /** Make journey task calls fail (see {@link TaskFault}): `when: 'after'` loses the response of a task that ran. */
  public failTask(fault: TaskFault): void {
    this.runtime.taskFaults.push(fault);
  }

  /** Make the next send on a channel fail at the provider with an AWS error. */
  public failProvider(fault: ProviderFault): void {
    this.runtime.providerFaults.push(fault);
  }

  public async stop(): Promise<void> {
    await this.runtime.stop();
  }

  private async ingest(type: 'identify' | 'track', fields: Record<string, unknown>, options: EventOptions): Promise<void> {
    const userId = fields.userId as string;
    if (!this.profileIds.has(userId)) this.profileIds.set(userId, '');
    const now = this.now.toISOString();
    const response = await fetch(`${this.runtime.url}/v1/${type}`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${this.runtime.writeKey}:`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...fields, messageId: options.messageId ?? randomUUID(), timestamp: now, sentAt: now, ...(options.context && { context: options.context }) }),
    });
    if (response.status >= 300) throw new Error(`ingest ${type} answered ${response.status}: ${await response.text()}`);
    await this.drain();
  }
}
