import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  InvalidToken,
  ListExecutionsCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { handleSfnRequest } from '../../local/sfn-endpoint';
import { ExecutionAlreadyExistsError, TaskTimedOutError } from '../../local/sfn-errors';
import { LocalStepFunctions, TASK_TOKEN_PLACEHOLDER } from '../../local/stepfunctions';
import { VirtualClock } from '../../local/virtual-clock';

const TASK_ARN = 'arn:aws:lambda:local:000000000000:function:journey-task';
const START = '2026-11-23T01:00:00.000Z';

/** A hand-written machine in the shape the journey compiler emits: Wait, Task, Choice, Wait until, waitForTaskToken + Catch. */
const definition = {
  StartAt: 'wait-1h',
  States: {
    'wait-1h': { Type: 'Wait', Seconds: 3600, Next: 'send-reminder' },
    'send-reminder': {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: TASK_ARN, Payload: { action: 'send', stepId: 'send-reminder', 'run.$': '$.run' } },
      ResultSelector: { 'outcome.$': '$.Payload.outcome' },
      ResultPath: '$.last',
      Retry: [{ ErrorEquals: ['TransientError'], IntervalSeconds: 2, MaxAttempts: 2 }],
      Next: 'was-sent',
    },
    'was-sent': { Type: 'Choice', Choices: [{ Variable: '$.last.outcome', StringEquals: 'sent', Next: 'wait-until-morning' }], Default: 'not-sent' },
    'wait-until-morning': { Type: 'Wait', TimestampPath: '$.run.morning', Next: 'wait-for-order' },
    'wait-for-order': {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: TASK_ARN, Payload: { action: 'waitForEvent', stepId: 'wait-for-order', 'run.$': '$.run', 'taskToken.$': '$$.Task.Token' } },
      ResultPath: '$.last',
      TimeoutSeconds: 3 * 86400,
      // States.TaskFailed first: on AWS it never matches a timeout, so the timeout must still reach its own catcher.
      Catch: [
        { ErrorEquals: ['States.TaskFailed'], Next: 'task-failed', ResultPath: '$.last' },
        { ErrorEquals: ['States.Timeout'], Next: 'timed-out', ResultPath: '$.last' },
      ],
      Next: 'ordered',
    },
    ordered: { Type: 'Pass', Result: 'ordered', ResultPath: '$.path', End: true },
    'timed-out': { Type: 'Pass', Result: 'timeout', ResultPath: '$.path', End: true },
    'task-failed': { Type: 'Fail', Error: 'TaskFailed' },
    'not-sent': { Type: 'Succeed' },
  },
};

const input = (runId = 'run-1', morning = '2026-11-24T01:00:00Z') => JSON.stringify({ run: { runId, morning } });

interface Call {
  readonly action: string;
  readonly at: string;
  readonly taskToken?: string;
}

const opened: LocalStepFunctions[] = [];
afterEach(() => {
  for (const sfn of opened.splice(0)) sfn.close();
});

function setup(options: { failFirstSend?: number; outcome?: string } = {}) {
  const clock = new VirtualClock({ mode: 'manual', startAt: START });
  const calls: Call[] = [];
  let failures = options.failFirstSend ?? 0;
  const sfn = new LocalStepFunctions({
    clock,
    functions: {
      [TASK_ARN]: async (payload: { action: string; taskToken?: string }) => {
        calls.push({ action: payload.action, at: clock.now().toISOString(), taskToken: payload.taskToken });
        if (payload.action === 'send' && failures > 0) {
          failures -= 1;
          throw Object.assign(new Error('throttled'), { name: 'TransientError' });
        }
        return { outcome: options.outcome ?? 'sent' };
      },
    },
  });
  clock.settleWith(() => sfn.idle());
  opened.push(sfn);
  const arn = sfn.register('cart-abandonment', definition);
  return { clock, sfn, calls, arn };
}

describe('LocalStepFunctions', () => {
  it('runs Waits on the virtual clock: nothing happens before the instant, the Task runs exactly at it', async () => {
    // Prepare
    const { clock, sfn, calls, arn } = setup();

    // Act
    const { executionArn } = sfn.start(arn, 'run-1', input());
    await sfn.idle();
    await clock.advance('59m');
    const before = calls.length;
    await clock.advance('1m');

    // Assess
    expect(before).toBe(0);
    expect(calls).toEqual([{ action: 'send', at: '2026-11-23T02:00:00.000Z' }]);
    expect(sfn.describe(executionArn).status).toBe('RUNNING');
    expect(executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:cart-abandonment:run-1');
  });

  it('waits until a TimestampPath instant, then issues a real task token and resumes on SendTaskSuccess', async () => {
    // Prepare
    const { clock, sfn, calls, arn } = setup();
    const { executionArn } = sfn.start(arn, 'run-1', input());

    // Act
    await clock.advanceTo('2026-11-24T00:59:59Z');
    const beforeMorning = calls.length;
    await clock.advance('1s');
    const token = calls[1]?.taskToken as string;
    sfn.sendTaskSuccess(token, JSON.stringify({ event: 'Order Completed' }));
    await sfn.idle();

    // Assess
    expect(beforeMorning).toBe(1);
    expect(calls[1]).toMatchObject({ action: 'waitForEvent', at: '2026-11-24T01:00:00.000Z' });
    expect(token).not.toBe(TASK_TOKEN_PLACEHOLDER);
    expect(token.length).toBeGreaterThan(40);
    const done = sfn.describe(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output as string)).toMatchObject({ path: 'ordered', last: { event: 'Order Completed' } });
    expect(() => sfn.sendTaskSuccess(token, '{}')).toThrow(TaskTimedOutError);
  });

  it('times a token task out on the virtual clock with States.Timeout, routed by the Catch past States.TaskFailed', async () => {
    // Prepare
    const { clock, sfn, arn } = setup();
    const { executionArn } = sfn.start(arn, 'run-1', input());
    await clock.advanceTo('2026-11-24T01:00:00Z');

    // Act
    await clock.advance('3d');

    // Assess
    const done = sfn.describe(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output as string)).toMatchObject({ path: 'timeout', last: { Error: 'States.Timeout' } });
    expect(done.stopDate?.toISOString()).toBe('2026-11-27T01:00:00.000Z');
  });

  it('routes SendTaskFailure through States.TaskFailed', async () => {
    // Prepare
    const { clock, sfn, calls, arn } = setup();
    const { executionArn } = sfn.start(arn, 'run-1', input());
    await clock.advanceTo('2026-11-24T01:00:00Z');

    // Act
    sfn.sendTaskFailure(calls[1].taskToken as string, 'ProfileDeleted', 'gone');
    await sfn.idle();

    // Assess
    expect(sfn.describe(executionArn)).toMatchObject({ status: 'FAILED', error: 'TaskFailed' });
  });

  it('starts idempotently by name: same input returns the running execution, other input throws ExecutionAlreadyExists', async () => {
    // Prepare
    const { clock, sfn, calls, arn } = setup();

    // Act
    const first = sfn.start(arn, 'run-1', input());
    const again = sfn.start(arn, 'run-1', input());
    await clock.advance('1h');

    // Assess
    expect(again).toEqual(first);
    expect(calls).toHaveLength(1);
    expect(sfn.list({ stateMachine: arn })).toHaveLength(1);
    expect(() => sfn.start(arn, 'run-1', input('run-1', '2027-01-01T00:00:00Z'))).toThrow(ExecutionAlreadyExistsError);
  });

  it('stops an execution: ABORTED, its timers and tokens gone, nothing runs afterwards', async () => {
    // Prepare
    const { clock, sfn, calls, arn } = setup();
    const { executionArn } = sfn.start(arn, 'run-1', input());
    await clock.advanceTo('2026-11-24T01:00:00Z');

    // Act
    sfn.stop(executionArn, { error: 'ExitCriteria', cause: 'Order Completed' });
    await clock.advance('5d');

    // Assess
    expect(sfn.describe(executionArn)).toMatchObject({ status: 'ABORTED', error: 'ExitCriteria' });
    expect(calls).toHaveLength(2);
    expect(clock.pendingTimers).toBe(0);
    expect(() => sfn.sendTaskSuccess(calls[1].taskToken as string, '{}')).toThrow(TaskTimedOutError);
    expect(sfn.list({ status: 'RUNNING' })).toEqual([]);
  });

  it('retries a failed Task and counts billed transitions (states entered + retries) from the event log', async () => {
    // Prepare
    const { clock, sfn, calls, arn } = setup({ failFirstSend: 1 });
    const { executionArn } = sfn.start(arn, 'run-1', input());

    // Act
    await clock.advanceTo('2026-11-24T01:00:00Z');
    sfn.sendTaskSuccess(calls[calls.length - 1].taskToken as string, '{}');
    await sfn.idle();

    // Assess: wait-1h, send-reminder, was-sent, wait-until-morning, wait-for-order, ordered.
    expect(calls.map((c) => c.action)).toEqual(['send', 'send', 'waitForEvent']);
    expect(sfn.transitions(executionArn)).toEqual({ statesEntered: 6, retries: 1, billed: 7 });
    const entered = sfn.history(executionArn).filter((e) => e.type === 'StateEntered');
    expect(entered.map((e) => `${e.stateName}:${e.stateType}`)).toEqual([
      'wait-1h:Wait', 'send-reminder:Task', 'was-sent:Choice', 'wait-until-morning:Wait', 'wait-for-order:Task', 'ordered:Pass',
    ]);
    expect(entered[1].timestamp.toISOString()).toBe('2026-11-23T02:00:00.000Z');
  });

  it('continues at once past a Timestamp already gone, and a 60-day Wait does not overflow setTimeout', async () => {
    // Prepare
    const { clock, sfn } = setup();
    const arn = sfn.register('long-wait', {
      StartAt: 'past',
      States: {
        past: { Type: 'Wait', Timestamp: '2020-01-01T00:00:00Z', Next: 'sixty-days' },
        'sixty-days': { Type: 'Wait', Seconds: 60 * 86400, End: true },
      },
    });
    const { executionArn } = sfn.start(arn, 'long', '{}');

    // Act
    await sfn.idle();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const statusBefore = sfn.describe(executionArn).status;
    await clock.advance('60d');

    // Assess
    expect(statusBefore).toBe('RUNNING');
    expect(sfn.describe(executionArn).status).toBe('SUCCEEDED');
  });

  it('refuses a Task with no local handler when the machine is registered (never calls real AWS)', () => {
    // Prepare
    const { sfn } = setup();
    const machine = { StartAt: 'x', States: { x: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:elsewhere', End: true } } };

    // Act / Assess
    expect(() => sfn.register('bad', machine)).toThrow(/has no local handler/);
  });

  describe('through the SDK SFNClient and the local endpoint', () => {
    let server: Server;
    let client: SFNClient;
    const ctx = setup();

    beforeAll(async () => {
      server = createServer((request, response) => void handleSfnRequest(request, response, ctx.sfn));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      client = new SFNClient({
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
    });
    afterAll(async () => {
      ctx.sfn.close();
      client.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('starts, describes, lists, resumes and stops executions, raising the named SDK exceptions', async () => {
      // Act
      const started = await client.send(new StartExecutionCommand({ stateMachineArn: ctx.arn, name: 'sdk-1', input: input('sdk-1') }));
      const duplicate = await client.send(new StartExecutionCommand({ stateMachineArn: ctx.arn, name: 'sdk-1', input: input('sdk-1') }));
      const conflict = await client.send(new StartExecutionCommand({ stateMachineArn: ctx.arn, name: 'sdk-1', input: '{}' })).catch((e: unknown) => e);
      await ctx.clock.advanceTo('2026-11-24T01:00:00Z');
      const token = ctx.calls.find((c) => c.action === 'waitForEvent')?.taskToken as string;
      await client.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ event: 'Order Completed' }) }));
      const reused = await client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })).catch((e: unknown) => e);
      const unknown = await client.send(new SendTaskSuccessCommand({ taskToken: 'never-issued', output: '{}' })).catch((e: unknown) => e);
      await ctx.sfn.idle();
      const described = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
      const other = await client.send(new StartExecutionCommand({ stateMachineArn: ctx.arn, name: 'sdk-2', input: input('sdk-2') }));
      await client.send(new StopExecutionCommand({ executionArn: other.executionArn, error: 'ExitCriteria' }));
      const listed = await client.send(new ListExecutionsCommand({ stateMachineArn: ctx.arn }));
      const history = await client.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));

      // Assess
      expect(duplicate.executionArn).toBe(started.executionArn);
      expect(started.startDate?.toISOString()).toBe(START);
      expect(conflict).toBeInstanceOf(ExecutionAlreadyExists);
      expect(reused).toBeInstanceOf(TaskTimedOut);
      expect(unknown).toBeInstanceOf(InvalidToken);
      expect(described.status).toBe('SUCCEEDED');
      expect(JSON.parse(described.output as string).path).toBe('ordered');
      expect(listed.executions?.map((e) => `${e.name}:${e.status}`)).toEqual(['sdk-2:ABORTED', 'sdk-1:SUCCEEDED']);
      expect(history.events?.filter((e) => e.type?.endsWith('StateEntered'))).toHaveLength(6);
      expect(history.events?.[1]).toMatchObject({ type: 'WaitStateEntered', stateEnteredEventDetails: { name: 'wait-1h' } });
    });
  });
});
