import { randomBytes, randomUUID } from 'node:crypto';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { toLocalDefinition, type AslDefinition, type Json, type LocalDefinition, type LocalTaskSpec } from './local-asl';
import {
  ExecutionAlreadyExistsError,
  ExecutionDoesNotExistError,
  InvalidExecutionInputError,
  InvalidNameError,
  InvalidTokenError,
  LocalTimeoutError,
  ExecutionClosedError,
  MissingLocalHandlerError,
  StateMachineDoesNotExistError,
  TaskTimedOutError,
} from './sfn-errors';
import type { TimerId, VirtualClock } from './virtual-clock';

// aws-local-stepfunctions 3 needs Node 22's Promise.withResolvers; this lets `tsx` on Node 20 run it too.
const promiseStatics = Promise as unknown as { withResolvers?: () => unknown };
promiseStatics.withResolvers ??= () => {
  let resolve!: (value: unknown) => void;
  let reject!: (reason?: unknown) => void;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

/** What `$$.Task.Token` resolves to inside the library; each token task swaps it for a real token. */
export const TASK_TOKEN_PLACEHOLDER = 'local-task-token-placeholder';
const MAX_INPUT_BYTES = 256 * 1024;
const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';

/** A Lambda handler called in-process with the payload a Task sends, as Lambda would. */
export type LocalFunction = (payload: any) => Promise<unknown> | unknown;

export interface LocalStepFunctionsProps {
  /** Waits, task-token timeouts and execution timeouts run on this clock; event times read it. */
  readonly clock: VirtualClock;
  /** In-process Lambda handlers, by function ARN or name: every Task must resolve to one. */
  readonly functions?: Readonly<Record<string, LocalFunction>>;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly accountId?: string;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionDescription {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  /** JSON text, as Step Functions returns it. */
  readonly input: string;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly startDate: Date;
  readonly stopDate?: Date;
}

/** One entry of an execution's event log (virtual-clock time; `stateType` of the original machine). */
export interface ExecutionEvent {
  readonly type: string;
  readonly timestamp: Date;
  readonly stateName?: string;
  readonly stateType?: string;
  readonly error?: string;
  readonly cause?: string;
}

/** State transitions of one execution: what Step Functions Standard bills. */
export interface TransitionCount {
  /** States entered (a Wait, a Choice, a Task: one each). */
  readonly statesEntered: number;
  /** Retries of a state (AWS bills each attempt as a transition). */
  readonly retries: number;
  /** statesEntered + retries. */
  readonly billed: number;
}

interface RegisteredMachine {
  readonly arn: string;
  readonly name: string;
  readonly local: LocalDefinition;
  readonly machine: StateMachine;
}

interface Execution {
  description: ExecutionDescription;
  readonly machine: RegisteredMachine;
  readonly events: ExecutionEvent[];
  readonly timers: Set<TimerId>;
  readonly tokens: Set<string>;
  /** Branches waiting on the clock or on a token: the execution is idle while this is > 0. */
  parked: number;
  /** Fail the parked branches once the execution closed, so the library clears its own timers. */
  readonly release: Set<(error: Error) => void>;
  abort(): void;
}

interface PendingToken {
  readonly execution: Execution;
  outcome?: { ok: true; output: Json } | { ok: false; error: Error };
  settle?: (outcome: NonNullable<PendingToken['outcome']>) => void;
}

/**
 * A local Step Functions service on aws-local-stepfunctions that runs the same compiled state
 * machines as AWS, with time on the virtual clock (see `local-asl.ts` for the documented rewrite):
 * named executions started idempotently, stopped, described and listed; task tokens issued to
 * `waitForTaskToken` Tasks and answered by SendTaskSuccess/SendTaskFailure or timed out on the
 * virtual clock; an event log per execution with its billed transition count. `idle()` resolves
 * when every running execution waits on the clock or on a token, which is what `drain` awaits.
 *
 * Differences from AWS: Retry intervals run in real time, 1 s divided by the clock's factor (at
 * once on a manual clock), without back-off; a Parallel state counts as busy until all its
 * branches wait; `$$.Execution.StartTime` is real time. As on AWS, a closed execution's name is
 * never reused.
 *
 * @example
 * const sfn = new LocalStepFunctions({ clock, functions: { [taskArn]: taskHandler } });
 * sfn.register('cart-abandonment', compileJourney(journey, { taskFunctionArn: taskArn }));
 * const { executionArn } = sfn.start('cart-abandonment', 'run-1', JSON.stringify({ run }));
 * await clock.advance('1h');
 * sfn.describe(executionArn).status; // 'SUCCEEDED'
 */
export class LocalStepFunctions {
  public readonly region: string;
  public readonly accountId: string;
  private readonly clock: VirtualClock;
  private readonly functions: Map<string, LocalFunction>;
  private readonly machines = new Map<string, RegisteredMachine>();
  private readonly executions = new Map<string, Execution>();
  private readonly tokens = new Map<string, PendingToken>();
  private readonly closedTokens = new Set<string>();
  private idleWaiters: (() => void)[] = [];

  public constructor(props: LocalStepFunctionsProps) {
    this.clock = props.clock;
    this.region = props.region ?? 'us-east-1';
    this.accountId = props.accountId ?? '000000000000';
    this.functions = new Map(Object.entries(props.functions ?? {}));
  }

  /** `arn:aws:states:<region>:<account>:stateMachine:` — the prefix handlers add a journey id to. */
  public get stateMachineArnPrefix(): string {
    return `arn:aws:states:${this.region}:${this.accountId}:stateMachine:`;
  }

  /** Add or replace an in-process Lambda handler (by ARN or name). */
  public addFunction(nameOrArn: string, fn: LocalFunction): void {
    this.functions.set(nameOrArn, fn);
  }

  /**
   * Register (or replace) a state machine; returns its ARN. Throws at once when a Task has no
   * local handler, so a wiring mistake never waits for a run to reach it.
   */
  public register(name: string, definition: object): string {
    const local = toLocalDefinition(definition as AslDefinition);
    for (const [stateName, spec] of local.tasks) {
      if (spec.kind === 'task' && spec.functionName !== undefined) this.resolveFunction(stateName, spec.resource, spec.functionName);
      if (spec.kind === 'task' && spec.functionName === undefined && !spec.resource.startsWith(LAMBDA_INVOKE)) {
        this.resolveFunction(stateName, spec.resource, spec.resource);
      }
    }
    const machine = new StateMachine(local.definition as unknown as StateMachineDefinition, { validationOptions: { checkArn: false } });
    const arn = `${this.stateMachineArnPrefix}${name}`;
    this.machines.set(arn, { arn, name, local, machine });
    return arn;
  }

  public get stateMachineArns(): string[] {
    return [...this.machines.keys()];
  }

  /**
   * StartExecution. Idempotent as on AWS: the same name and input as a running execution returns
   * that execution; a closed one, or other input, throws {@link ExecutionAlreadyExistsError}.
   */
  public start(stateMachine: string, name: string = randomUUID(), input = '{}'): { executionArn: string; startDate: Date } {
    const machine = this.machine(stateMachine);
    if (!/^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/.test(name)) throw new InvalidNameError(name);
    const executionArn = `arn:aws:states:${this.region}:${this.accountId}:execution:${machine.name}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.description.status === 'RUNNING' && existing.description.input === input) {
        return { executionArn, startDate: existing.description.startDate };
      }
      throw new ExecutionAlreadyExistsError(executionArn);
    }
    if (Buffer.byteLength(input) > MAX_INPUT_BYTES) throw new InvalidExecutionInputError('over 256 KB');
    let parsed: Json;
    try {
      parsed = JSON.parse(input) as Json;
    } catch (error) {
      throw new InvalidExecutionInputError(`not JSON (${(error as Error).message})`);
    }
    const execution = this.run(machine, executionArn, name, input, parsed);
    return { executionArn, startDate: execution.description.startDate };
  }

  /** StopExecution: abort a running execution; stopping a closed one changes nothing. */
  public stop(executionArn: string, details: { error?: string; cause?: string } = {}): { stopDate: Date } {
    const execution = this.execution(executionArn);
    if (execution.description.status === 'RUNNING') {
      this.finish(execution, { status: 'ABORTED', error: details.error, cause: details.cause });
      execution.abort();
    }
    return { stopDate: execution.description.stopDate ?? this.clock.now() };
  }

  /** SendTaskSuccess: resume the task waiting on `token` with `output` (JSON text). */
  public sendTaskSuccess(token: string, output: string): void {
    let parsed: Json;
    try {
      parsed = JSON.parse(output) as Json;
    } catch (error) {
      throw new InvalidExecutionInputError(`task output is not JSON (${(error as Error).message})`);
    }
    this.answer(token, { ok: true, output: parsed });
  }

  /** SendTaskFailure: fail the task waiting on `token` with `error` (matched by Retry/Catch). */
  public sendTaskFailure(token: string, error?: string, cause?: string): void {
    const failure = new Error(cause ?? '');
    failure.name = error ?? 'States.TaskFailed';
    this.answer(token, { ok: false, error: failure });
  }

  public describe(executionArn: string): ExecutionDescription {
    return this.execution(executionArn).description;
  }

  /** Newest first, as ListExecutions. */
  public list(filter: { stateMachine?: string; status?: ExecutionStatus } = {}): ExecutionDescription[] {
    const machineArn = filter.stateMachine === undefined ? undefined : this.machine(filter.stateMachine).arn;
    return [...this.executions.values()]
      .map((e) => e.description)
      .filter((d) => (machineArn === undefined || d.stateMachineArn === machineArn) && (filter.status === undefined || d.status === filter.status))
      .reverse();
  }

  /** The event log of an execution, oldest first. */
  public history(executionArn: string): readonly ExecutionEvent[] {
    return this.execution(executionArn).events;
  }

  /** Billed state transitions of an execution, from its event log. */
  public transitions(executionArn: string): TransitionCount {
    const events = this.history(executionArn);
    const statesEntered = events.filter((e) => e.type === 'StateEntered').length;
    const retries = events.filter((e) => e.type === 'StateRetried').length;
    return { statesEntered, retries, billed: statesEntered + retries };
  }

  /** Executions doing work now (not waiting on the clock or a token). */
  public get busy(): number {
    let count = 0;
    for (const e of this.executions.values()) if (e.description.status === 'RUNNING' && e.parked === 0) count += 1;
    return count;
  }

  /** Resolves once every running execution waits on the virtual clock or on a task token. */
  public async idle(): Promise<void> {
    for (;;) {
      if (this.busy > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      // One more turn: work resumed in a microtask shows up as busy again.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.busy === 0) return;
    }
  }

  /** Abort every running execution (the runtime's stop). */
  public close(): void {
    for (const execution of this.executions.values()) {
      if (execution.description.status === 'RUNNING') this.stop(execution.description.executionArn, { error: 'LocalShutdown' });
    }
  }

  private run(machine: RegisteredMachine, executionArn: string, name: string, input: string, parsed: Json): Execution {
    const execution: Execution = {
      description: { executionArn, stateMachineArn: machine.arn, name, status: 'RUNNING', input, startDate: this.clock.now() },
      machine,
      events: [],
      timers: new Set(),
      tokens: new Set(),
      parked: 0,
      release: new Set(),
      abort: () => undefined,
    };
    this.executions.set(executionArn, execution);
    const handlers = Object.fromEntries(
      [...machine.local.tasks].map(([stateName, spec]) => [stateName, (stateInput: Json) => this.runTask(execution, stateName, spec, stateInput)]),
    );
    const retryIntervalOverrides = Object.fromEntries(
      [...machine.local.tasks.keys()].map((stateName) => [stateName, this.clock.mode === 'manual' ? 0 : 1000 / this.clock.factor]),
    );
    const run = machine.machine.run(parsed, {
      noThrowOnAbort: true,
      overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides },
      context: {
        Execution: { Id: executionArn, Name: name, RoleArn: `arn:aws:iam::${this.accountId}:role/local` },
        StateMachine: { Id: machine.arn, Name: machine.name },
        Task: { Token: TASK_TOKEN_PLACEHOLDER },
      },
    });
    execution.abort = run.abort;
    void this.recordEvents(execution, run.eventLogs);
    if (machine.local.timeoutSeconds !== undefined) {
      this.setTimer(execution, machine.local.timeoutSeconds * 1000, () => {
        if (execution.description.status !== 'RUNNING') return;
        this.finish(execution, { status: 'TIMED_OUT', error: 'States.Timeout', cause: `execution ran over its TimeoutSeconds (${machine.local.timeoutSeconds})` });
        execution.abort();
      });
    }
    run.result.then(
      (output) => {
        if (execution.description.status === 'RUNNING') this.finish(execution, { status: 'SUCCEEDED', output: JSON.stringify(output) });
      },
      (error: Error) => {
        const cause = (error.cause ?? error) as Error;
        if (execution.description.status === 'RUNNING') this.finish(execution, { status: 'FAILED', error: cause.name, cause: cause.message });
      },
    );
    return execution;
  }

  private async recordEvents(execution: Execution, log: AsyncGenerator<any>): Promise<void> {
    for await (const event of log) {
      const stateName = event.state?.name as string | undefined;
      execution.events.push({
        type: event.type,
        timestamp: this.clock.now(),
        ...(stateName ? { stateName, stateType: execution.machine.local.stateTypes.get(stateName) ?? event.state.type } : {}),
        ...(event.Error !== undefined ? { error: String(event.Error), cause: typeof event.Cause === 'string' ? event.Cause : JSON.stringify(event.Cause) } : {}),
      });
    }
  }

  private finish(execution: Execution, result: Partial<ExecutionDescription> & { status: ExecutionStatus }): void {
    execution.description = { ...execution.description, ...result, stopDate: this.clock.now() };
    for (const timer of execution.timers) this.clock.cancel(timer);
    execution.timers.clear();
    for (const token of execution.tokens) {
      this.tokens.delete(token);
      this.closedTokens.add(token);
    }
    execution.tokens.clear();
    const release = [...execution.release];
    execution.release.clear();
    this.changed();
    // After the abort (the caller aborts next, synchronously): the library sees a closed run and stops.
    queueMicrotask(() => {
      for (const fail of release) fail(new ExecutionClosedError());
    });
  }

  private async runTask(execution: Execution, stateName: string, spec: LocalTaskSpec, input: Json): Promise<Json> {
    if (spec.kind === 'wait') {
      const until = waitEnd(spec, input, this.clock.nowMs());
      if (until > this.clock.nowMs()) await this.park(execution, (wake) => this.setTimer(execution, until - this.clock.nowMs(), () => wake(undefined)));
      return input;
    }
    if (!spec.resource.startsWith(LAMBDA_INVOKE)) return (await this.resolveFunction(stateName, spec.resource, spec.resource)(input)) as Json;
    const request = input as { FunctionName?: string; Payload?: Json };
    const fn = this.resolveFunction(stateName, spec.resource, String(request.FunctionName));
    if (!spec.waitForTaskToken) {
      const payload = (await fn(request.Payload ?? null)) as Json;
      return { ExecutedVersion: '$LATEST', Payload: payload ?? null, StatusCode: 200, SdkHttpMetadata: { HttpStatusCode: 200 }, SdkResponseMetadata: { RequestId: randomUUID() } };
    }
    return this.runTokenTask(execution, stateName, spec, fn, request.Payload ?? null, input);
  }

  private async runTokenTask(execution: Execution, stateName: string, spec: Extract<LocalTaskSpec, { kind: 'task' }>, fn: LocalFunction, payload: Json, input: Json): Promise<Json> {
    const token = randomBytes(48).toString('base64url');
    const pending: PendingToken = { execution };
    this.tokens.set(token, pending);
    execution.tokens.add(token);
    const timeoutSeconds = spec.timeoutSeconds ?? (spec.timeoutSecondsPath ? Number(readPath(input, spec.timeoutSecondsPath)) : undefined);
    if (timeoutSeconds !== undefined) {
      this.setTimer(execution, timeoutSeconds * 1000, () => {
        this.answer(token, { ok: false, error: new LocalTimeoutError(spec.timeoutRetryable, spec.timeoutCatchable, `state "${stateName}" got no task token answer within ${timeoutSeconds} s`) }, false);
      });
    }
    try {
      await fn(replaceString(payload, TASK_TOKEN_PLACEHOLDER, token));
    } catch (error) {
      this.retireToken(token);
      throw error;
    }
    const outcome = pending.outcome ?? (await this.park<NonNullable<PendingToken['outcome']>>(execution, (wake) => {
      pending.settle = wake;
    }));
    if (!outcome.ok) throw outcome.error;
    return outcome.output;
  }

  private answer(token: string, outcome: NonNullable<PendingToken['outcome']>, strict = true): void {
    const pending = this.tokens.get(token);
    if (!pending) {
      if (!strict) return;
      throw this.closedTokens.has(token) ? new TaskTimedOutError() : new InvalidTokenError();
    }
    this.retireToken(token);
    if (pending.settle) pending.settle(outcome);
    else pending.outcome = outcome;
  }

  private retireToken(token: string): void {
    const pending = this.tokens.get(token);
    this.tokens.delete(token);
    this.closedTokens.add(token);
    pending?.execution.tokens.delete(token);
  }

  /**
   * Wait for `register`'s wake-up while counted as idle. The count drops back synchronously in
   * `wake`, before the resumed work runs, so `idle()` can never slip between the two.
   */
  private park<T>(execution: Execution, register: (wake: (value: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let woken = false;
      const settle = (outcome: () => void) => {
        if (woken) return;
        woken = true;
        execution.parked -= 1;
        execution.release.delete(fail);
        outcome();
      };
      const fail = (error: Error) => settle(() => reject(error));
      execution.parked += 1;
      execution.release.add(fail);
      this.changed();
      register((value) => settle(() => resolve(value)));
    });
  }

  private setTimer(execution: Execution, delayMs: number, fn: () => void): void {
    const id = this.clock.setTimer(new Date(this.clock.nowMs() + delayMs), () => {
      execution.timers.delete(id);
      fn();
    });
    execution.timers.add(id);
  }

  private changed(): void {
    if (this.busy > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private resolveFunction(stateName: string, resource: string, functionName: string): LocalFunction {
    const unqualified = functionName.replace(/^(arn:aws:lambda:[^:]+:\d+:function:[^:]+):[^:]+$/, '$1');
    const shortName = unqualified.split(':').pop() as string;
    const fn = this.functions.get(functionName) ?? this.functions.get(unqualified) ?? this.functions.get(shortName);
    if (!fn) throw new MissingLocalHandlerError(stateName, functionName === resource ? resource : `${resource} (FunctionName ${functionName})`);
    return fn;
  }

  private machine(nameOrArn: string): RegisteredMachine {
    const machine = this.machines.get(nameOrArn) ?? this.machines.get(`${this.stateMachineArnPrefix}${nameOrArn}`);
    if (!machine) throw new StateMachineDoesNotExistError(nameOrArn, [...this.machines.values()].map((m) => m.name));
    return machine;
  }

  private execution(executionArn: string): Execution {
    const execution = this.executions.get(executionArn);
    if (!execution) throw new ExecutionDoesNotExistError(executionArn);
    return execution;
  }
}

/** The virtual instant a Wait ends, from its field and its effective input. */
function waitEnd(spec: Extract<LocalTaskSpec, { kind: 'wait' }>, input: Json, now: number): number {
  if (spec.seconds !== undefined) return now + spec.seconds * 1000;
  if (spec.timestamp !== undefined) return parseTimestamp(spec.timestamp, 'Timestamp');
  if (spec.secondsPath !== undefined) {
    const seconds = readPath(input, spec.secondsPath);
    if (typeof seconds !== 'number' || seconds < 0) throw runtimeError(`SecondsPath ${spec.secondsPath} is not a non-negative number: ${JSON.stringify(seconds)}`);
    return now + seconds * 1000;
  }
  if (spec.timestampPath !== undefined) return parseTimestamp(readPath(input, spec.timestampPath), `TimestampPath ${spec.timestampPath}`);
  return now;
}

function parseTimestamp(value: unknown, field: string): number {
  const ms = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw runtimeError(`${field} is not an ISO 8601 timestamp: ${JSON.stringify(value)}`);
  return ms;
}

function runtimeError(message: string): Error {
  const error = new Error(message);
  error.name = 'States.Runtime';
  return error;
}

/** Read a JSONPath reference (`$`, `$.a.b`, `$.a[0]`, `$['a']`) as reference paths allow. */
export function readPath(input: Json, path: string): unknown {
  if (!path.startsWith('$')) throw runtimeError(`not a reference path: ${path}`);
  const segments = [...path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]|\['([^']+)'\]/g)].map((m) => m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3]));
  let value: unknown = input;
  for (const segment of segments) {
    if (value === null || typeof value !== 'object') throw runtimeError(`path ${path} not found in the state input`);
    value = (value as Record<string | number, unknown>)[segment];
    if (value === undefined) throw runtimeError(`path ${path} not found in the state input`);
  }
  return value;
}

function replaceString(value: Json, from: string, to: string): Json {
  if (value === from) return to;
  if (Array.isArray(value)) return value.map((item) => replaceString(item, from, to));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceString(v, from, to)]));
  return value;
}
