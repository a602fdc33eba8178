import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { SFNClient, SendTaskSuccessCommand, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoJourneyStore } from '../../lib/adapters/dynamo-journey-store';
import { DynamoProfileStore } from '../../lib/adapters/dynamo-profile-store';
import { SesEmailSender } from '../../lib/adapters/ses-email-sender';
import { SfnJourneyRunner } from '../../lib/adapters/sfn-journey-runner';
import { SqsStartQueue } from '../../lib/adapters/sqs-start-queue';
import { handleAdminRequest } from '../../lib/app/admin-api';
import { runJourneyTask, type JourneyTaskDeps } from '../../lib/app/journey-task';
import { processEvents, type ProcessEventsDeps } from '../../lib/app/process-events';
import { findProfile } from '../../lib/app/profile-admin';
import type { EngineConfig } from '../../lib/core/config';
import type { CustomerEvent } from '../../lib/core/events';
import type { JourneyDefinition } from '../../lib/core/journeys/definition';
import type { RunInput } from '../../lib/core/journeys/protocol';
import type { StartRequest } from '../../lib/core/ports';
import type { Profile } from '../../lib/core/profile';
import { startDynalite, type LocalTable } from '../support/dynalite';

const NOW = new Date('2026-11-05T03:00:00.000Z'); // 10:00 in Jakarta: no quiet hours
const PREFIX = 'arn:aws:states:ap-southeast-3:123456789012:stateMachine:JourneyEngine-';

const welcome: JourneyDefinition = {
  id: 'welcome',
  name: 'Welcome',
  entry: { type: 'event', event: 'Signed Up' },
  startAt: 'hello',
  steps: [
    { id: 'hello', type: 'send', channel: 'email', template: 'welcome-email', next: 'wait-order' },
    { id: 'wait-order', type: 'waitForEvent', event: 'Order Completed', timeoutSeconds: 86_400, onEvent: 'done', onTimeout: 'done' },
    { id: 'done', type: 'exit' },
  ],
};
const cart: JourneyDefinition = {
  id: 'cart',
  name: 'Cart abandonment',
  entry: { type: 'event', event: 'Cart Abandoned' },
  entryKey: 'cartId',
  reentry: { type: 'maxTimes', times: 50 },
  exitCriteria: { events: [{ event: 'Order Completed', matchEntryKey: true }] },
  startAt: 'done',
  steps: [{ id: 'done', type: 'exit' }],
};
const config: EngineConfig = {
  segments: [],
  journeys: [welcome, cart],
  templates: [{ id: 'welcome-email', channel: 'email', defaultLocale: 'id', locales: { id: { subject: 'Halo {{ traits.name }}', text: 'Selamat datang, {{ traits.name }}' } } }],
  messaging: { email: { from: 'halo@tokokita.co.id' } },
};

const sfn = mockClient(SFNClient);
const sqs = mockClient(SQSClient);
const ses = mockClient(SESv2Client);
let table: LocalTable;
let store: DynamoProfileStore;
let journeyStore: DynamoJourneyStore;
let processDeps: ProcessEventsDeps;
let taskDeps: JourneyTaskDeps;

beforeAll(async () => {
  table = await startDynalite();
  store = new DynamoProfileStore({ client: table.client, tableName: table.tableName });
  journeyStore = new DynamoJourneyStore({ client: table.client, tableName: table.tableName, now: () => NOW });
  const journeys = {
    startQueue: new SqsStartQueue({ client: new SQSClient({}), queueUrl: 'https://sqs.ap-southeast-3.amazonaws.com/123456789012/starts' }),
    runner: new SfnJourneyRunner({ client: new SFNClient({}), stateMachineArnPrefix: PREFIX }),
    journeyStore,
  };
  processDeps = { store, config, now: () => NOW, journeys };
  taskDeps = { store, journeyStore, config, now: () => NOW, senders: { email: new SesEmailSender(new SESv2Client({}), { from: 'halo@tokokita.co.id', maxAttempts: 1 }) } };
});
afterAll(async () => table.stop());
beforeEach(() => {
  sfn.reset();
  sqs.reset();
  ses.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  sfn.resolves({});
  ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
});

let seq = 0;
function event(userId: string, name: string, properties: Record<string, unknown> = {}, type: CustomerEvent['type'] = 'track', traits: Record<string, unknown> = {}): CustomerEvent {
  seq++;
  const at = new Date(NOW.getTime() - 60_000 + seq).toISOString();
  return { type, ...(type === 'track' && { event: name }), messageId: `m-${seq}-${Math.random().toString(36).slice(2, 8)}`, userId, properties, traits, context: {}, timestamp: at, receivedAt: at, source: 'web' };
}
const uid = (prefix: string) => `${prefix}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;
/** The start requests enqueued so far. */
const enqueued = (): StartRequest[] =>
  sqs.commandCalls(SendMessageBatchCommand).flatMap((call) => (call.args[0].input.Entries ?? []).map((entry) => JSON.parse(entry.MessageBody as string) as StartRequest));
async function profileOf(userId: string): Promise<Profile> {
  const found = await findProfile(store, { kind: 'user', id: userId });
  if (!found.found) throw new Error('no profile');
  return found.profile;
}
/** A customer with an email address and email consent who signed up: one welcome run enqueued. */
async function signedUp(userId: string): Promise<RunInput> {
  await processEvents([
    event(userId, 'identify', {}, 'identify', { name: 'Sari', email: `${userId}@example.com` }),
    event(userId, 'Consent Granted', { channel: 'email' }),
    event(userId, 'Signed Up'),
  ], processDeps);
  const profileId = (await profileOf(userId)).profileId;
  const run = enqueued().find((start) => start.journeyId === 'welcome' && start.input.profileId === profileId)?.input;
  if (run === undefined) throw new Error('not entered');
  return run;
}
const counter = async (journeyId: string, stepId: string, metric: string) =>
  (await journeyStore.readCounters(journeyId)).find((c) => c.stepId === stepId && c.metric === metric)?.by ?? 0;

describe('journey runtime on DynamoDB', () => {
  it('enters a journey on its event once, and re-issues the same start on a redelivery', async () => {
    // Prepare
    const userId = uid('u');
    const signUp = event(userId, 'Signed Up');
    // Act
    const first = await processEvents([signUp], processDeps);
    const redelivery = await processEvents([signUp], processDeps);
    // Assess
    const starts = enqueued();
    expect(starts).toHaveLength(2);
    expect(starts[1]).toEqual(starts[0]);
    expect(starts[0]).toMatchObject({ journeyId: 'welcome', input: { journeyId: 'welcome', entryEvent: { messageId: signUp.messageId } } });
    expect(first.journeys.started).toBe(1);
    expect(redelivery).toMatchObject({ applied: 0, duplicates: 1 });
    const profile = await profileOf(userId);
    expect(profile.journeys?.welcome).toMatchObject({ entries: 1, active: { _: { runId: starts[0].runId, entryMessageId: signUp.messageId } } });
  });

  it('starts exactly one run when 20 triggering events for one customer are processed at once', async () => {
    // Prepare
    const userId = uid('u');
    await processEvents([event(userId, 'identify', {}, 'identify', { name: 'Budi' })], processDeps);
    const before = await counter('welcome', '*', 'entered');
    // Act
    await Promise.all(Array.from({ length: 20 }, () => processEvents([event(userId, 'Signed Up')], processDeps)));
    // Assess
    const starts = enqueued().filter((start) => start.journeyId === 'welcome');
    expect(new Set(starts.map((start) => start.runId)).size).toBe(1);
    expect(starts).toHaveLength(1);
    expect((await profileOf(userId)).journeys?.welcome.entries).toBe(1);
    expect((await counter('welcome', '*', 'entered')) - before).toBe(1);
  });

  it('stops the run of the cart that was bought, not the other cart', async () => {
    // Prepare
    const userId = uid('u');
    await processEvents([event(userId, 'Cart Abandoned', { cartId: 'c1' }), event(userId, 'Cart Abandoned', { cartId: 'c2' })], processDeps);
    const [c1, c2] = enqueued().map((start) => start.input);
    // Act
    const result = await processEvents([event(userId, 'Order Completed', { cartId: c2.entryKey })], processDeps);
    // Assess
    expect(result.journeys.stopped).toBe(1);
    const stops = sfn.commandCalls(StopExecutionCommand).map((call) => call.args[0].input.executionArn);
    expect(stops).toEqual([`arn:aws:states:ap-southeast-3:123456789012:execution:JourneyEngine-cart:${c2.runId}`]);
    const state = (await profileOf(userId)).journeys?.cart;
    expect(Object.values(state?.active ?? {}).map((run) => run.runId)).toEqual([c1.runId]);
    expect(state?.lastOutcome).toMatchObject({ runId: c2.runId, outcome: 'exited' });
  });

  it('registers a waitForEvent and resumes it with SendTaskSuccess when the event arrives, also on a redelivery', async () => {
    // Prepare
    const userId = uid('u');
    const run = await signedUp(userId);
    await runJourneyTask({ action: 'waitForEvent', stepId: 'wait-order', run, taskToken: 'token-abc' }, taskDeps);
    expect((await profileOf(userId)).waiting).toEqual([expect.objectContaining({ runId: run.runId, stepId: 'wait-order', taskToken: 'token-abc', event: 'Order Completed' })]);
    const order = event(userId, 'Order Completed', { revenue: 10 });
    // Act
    const result = await processEvents([order], processDeps);
    await processEvents([order], processDeps);
    // Assess
    expect(result.journeys.resumed).toBe(1);
    const calls = sfn.commandCalls(SendTaskSuccessCommand).map((call) => call.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[0].taskToken).toBe('token-abc');
    expect(JSON.parse(calls[0].output as string)).toEqual({ event: 'Order Completed', messageId: order.messageId, properties: { revenue: 10 }, timestamp: order.timestamp });
    // A later order resumes nothing more.
    await processEvents([event(userId, 'Order Completed', { revenue: 20 })], processDeps);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(2);
  });

  it('sends exactly once when a send task is retried after a successful send', async () => {
    // Prepare
    const userId = uid('u');
    const run = await signedUp(userId);
    // Act
    const first = await runJourneyTask({ action: 'send', stepId: 'hello', run }, taskDeps);
    const retry = await runJourneyTask({ action: 'send', stepId: 'hello', run }, taskDeps);
    // Assess
    expect(first).toEqual({ outcome: 'sent', providerMessageId: 'ses-1' });
    expect(retry).toEqual({ outcome: 'suppressed', reason: 'duplicate' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    const input = ses.commandCalls(SendEmailCommand)[0].args[0].input;
    expect(input.Destination?.ToAddresses).toEqual([`${userId}@example.com`]);
    expect(input.Content?.Simple?.Subject?.Data).toBe('Halo Sari');
    const messages = (await profileOf(userId)).messages ?? [];
    expect(messages).toEqual([expect.objectContaining({ runId: run.runId, stepId: 'hello', outcome: 'sent', providerMessageId: 'ses-1', channel: 'email', template: 'welcome-email' })]);
    const found = await journeyStore.findMessage('ses-1');
    expect(found?.entry).toMatchObject({ runId: run.runId, outcome: 'sent' });
  });

  it('releases the claim and throws on a transient SES failure, so the retry sends', async () => {
    // Prepare
    const userId = uid('u');
    const run = await signedUp(userId);
    ses.on(SendEmailCommand).rejectsOnce(Object.assign(new Error('slow down'), { name: 'TooManyRequestsException' })).resolves({ MessageId: 'ses-2' });
    // Act
    const failed = runJourneyTask({ action: 'send', stepId: 'hello', run }, taskDeps);
    // Assess
    await expect(failed).rejects.toMatchObject({ name: 'TransientError' });
    expect((await profileOf(userId)).messages ?? []).toEqual([]);
    await expect(runJourneyTask({ action: 'send', stepId: 'hello', run }, taskDeps)).resolves.toEqual({ outcome: 'sent', providerMessageId: 'ses-2' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2);
  });

  it('records a permanent rejection as failed, without retrying it', async () => {
    // Prepare
    const userId = uid('u');
    const run = await signedUp(userId);
    const failedBefore = await counter('welcome', 'hello', 'failed');
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('Email address is not verified'), { name: 'MessageRejected' }));
    // Act
    const result = await runJourneyTask({ action: 'send', stepId: 'hello', run }, taskDeps);
    // Assess
    expect(result).toMatchObject({ outcome: 'failed' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect((await profileOf(userId)).messages).toEqual([expect.objectContaining({ outcome: 'failed', runId: run.runId })]);
    expect((await counter('welcome', 'hello', 'failed')) - failedBefore).toBe(1);
  });

  it('counts entries, sends, suppressions and completions that add up', async () => {
    // Prepare
    const journeyId = 'welcome';
    const before = await journeyStore.readCounters(journeyId);
    const of = (list: typeof before, stepId: string, metric: string) => list.find((c) => c.stepId === stepId && c.metric === metric)?.by ?? 0;
    const users = [uid('u'), uid('u'), uid('u')];
    const runs = [];
    for (const user of users) runs.push(await signedUp(user));
    // Act: two sends (one retried), one customer who revoked consent, then all complete (twice: idempotent).
    await processEvents([event(users[2], 'Consent Revoked', { channel: 'email' })], processDeps);
    for (const run of runs) await runJourneyTask({ action: 'send', stepId: 'hello', run }, taskDeps);
    await runJourneyTask({ action: 'send', stepId: 'hello', run: runs[0] }, taskDeps);
    for (const run of runs) {
      await runJourneyTask({ action: 'complete', stepId: 'done', run, outcome: 'completed' }, taskDeps);
      await runJourneyTask({ action: 'complete', stepId: 'done', run, outcome: 'completed' }, taskDeps);
    }
    // Assess
    const after = await journeyStore.readCounters(journeyId);
    const delta = (stepId: string, metric: string) => of(after, stepId, metric) - of(before, stepId, metric);
    expect(delta('*', 'entered')).toBe(3);
    expect(delta('hello', 'sent')).toBe(2);
    expect(delta('hello', 'suppressed:unsubscribed')).toBe(1);
    expect(delta('hello', 'suppressed:duplicate')).toBe(1);
    expect(delta('*', 'completed')).toBe(3);
    expect(delta('hello', 'sent') + delta('hello', 'suppressed:unsubscribed')).toBe(delta('*', 'entered'));
    const profile = await profileOf(users[0]);
    expect(profile.journeys?.welcome.active).toEqual({});
    expect(profile.journeys?.welcome.lastOutcome).toMatchObject({ runId: runs[0].runId, outcome: 'completed' });
  });

  it('enters a customer through the admin API once per idempotency key, with the same runId on a retry', async () => {
    // Prepare
    const userId = uid('u');
    await processEvents([event(userId, 'identify', {}, 'identify', { name: 'Dewi' })], processDeps);
    const offer: JourneyDefinition = { ...cart, id: 'offer', entry: { type: 'api' }, entryKey: undefined, exitCriteria: undefined, reentry: { type: 'maxTimes', times: 2 } };
    const deps = { store, writeKeys: { findByHash: async () => undefined, put: async () => undefined }, journeys: [offer, welcome], startQueue: processDeps.journeys!.startQueue, journeyStore, now: () => NOW };
    const enter = (body: unknown, journeyId = 'offer') => handleAdminRequest({ method: 'POST', path: `journeys/${journeyId}/entries`, query: {}, body }, deps);
    // Act
    const first = await enter({ userId, context: { voucher: 'KOPI50' }, idempotencyKey: 'promo-7' });
    const retry = await enter({ userId, context: { voucher: 'KOPI50' }, idempotencyKey: 'promo-7' });
    const another = await enter({ userId, idempotencyKey: 'promo-8' });
    const notApi = await enter({ userId }, 'welcome');
    const unknown = await enter({ userId: uid('nobody') });
    // Assess
    expect(first.status).toBe(202);
    expect(retry).toEqual(first);
    expect(another.status).toBe(409);
    expect(notApi.status).toBe(409);
    expect(unknown.status).toBe(404);
    const starts = enqueued();
    expect(starts.map((s) => s.runId)).toEqual([(first.body as { runId: string }).runId, (first.body as { runId: string }).runId]);
    expect(starts[0].input.context).toEqual({ voucher: 'KOPI50' });
    expect((await profileOf(userId)).journeys?.offer.entries).toBe(1);
    // Exposure per group, as for event entries (this customer is not in a control group: share 0).
    const counters = (await journeyStore.readCounters('offer')).filter((c) => c.metric === 'entered');
    expect(counters.map((c) => [c.stepId, c.variant, c.by]).sort()).toEqual([['*', '*', 1], ['*', 'group:treatment', 1]]);
  });

  it('the runner starts executions by runId and treats ExecutionAlreadyExists as started', async () => {
    // Prepare
    const runner = new SfnJourneyRunner({ client: new SFNClient({}), stateMachineArnPrefix: PREFIX });
    const input = { journeyId: 'welcome', runId: 'welcome-abc', profileId: 'p_1', enteredAt: NOW.toISOString() };
    sfn.on(StartExecutionCommand).rejectsOnce(Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' }));
    // Act
    await runner.start({ journeyId: 'welcome', runId: 'welcome-abc', input });
    // Assess
    expect(sfn.commandCalls(StartExecutionCommand)[0].args[0].input).toEqual({ stateMachineArn: `${PREFIX}welcome`, name: 'welcome-abc', input: JSON.stringify({ run: input }) });
  });
});
