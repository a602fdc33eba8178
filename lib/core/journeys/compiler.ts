import type { JourneyDefinition, Step } from './definition';
import { HOLDOUT, TRANSIENT_ERROR, type RunOutcome, type TaskAction } from './protocol';

/**
 * Compiles a journey definition to Amazon States Language (JSONPath only: local mode's
 * aws-local-stepfunctions cannot run JSONata, variables or Arguments/Output). Pure and
 * deterministic: the same definition always renders the same JSON, so a deploy without a journey
 * change leaves the state machine alone.
 *
 * Standard workflows bill every state transition, so each step is one state plus only the helper
 * states it needs (`<id>.choice`, `<id>.wait`, `<id>.defer`); there are no Pass states.
 */

export interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds: number;
  readonly MaxAttempts: number;
  readonly BackoffRate: number;
  readonly JitterStrategy: 'FULL';
}

export interface Catcher {
  readonly ErrorEquals: readonly string[];
  readonly ResultPath: string;
  readonly Next: string;
}

export interface TaskState {
  readonly Type: 'Task';
  readonly Resource: string;
  readonly Parameters: Record<string, unknown>;
  readonly TimeoutSeconds?: number;
  readonly ResultPath: string;
  readonly Retry: readonly Retrier[];
  readonly Catch?: readonly Catcher[];
  readonly Next?: string;
  readonly End?: true;
}

export interface WaitState {
  readonly Type: 'Wait';
  readonly Seconds?: number;
  readonly TimestampPath?: string;
  readonly Next: string;
}

export interface ChoiceRule {
  readonly Variable: string;
  readonly StringEquals?: string;
  readonly IsPresent?: boolean;
  readonly Next: string;
}

export interface ChoiceState {
  readonly Type: 'Choice';
  readonly Choices: readonly ChoiceRule[];
  readonly Default: string;
}

export type State = TaskState | WaitState | ChoiceState;

/** A state machine definition (ASL, JSONPath): `JSON.stringify` it for `DefinitionString`. */
export interface StateMachineDefinition {
  readonly Comment: string;
  readonly StartAt: string;
  readonly States: Record<string, State>;
}

export interface CompileOptions {
  /** The journey task Lambda's ARN (a CDK token in the app, a local ARN in local mode). */
  readonly taskFunctionArn: string;
}

/** The state a run ends in for each outcome; only those a journey can reach are rendered. */
const completeState = (outcome: RunOutcome): string => `Complete.${outcome}`;

const WAIT_FOR_TASK_TOKEN = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
// 'exited' is recorded by the processor when exit criteria stop a run: no state ends that way.
const COMPLETE_ORDER: readonly RunOutcome[] = ['completed', 'holdout', 'failed'];

/**
 * Render a validated journey (see `parseJourneys`) as a state machine. State data is
 * `{ run, last? }`: the execution input is the `RunInput` under `run`, and every Task writes its
 * result to `$.last`, which the helper states read.
 *
 * @example
 * const asl = compileJourney(cartAbandonment, { taskFunctionArn: 'arn:aws:lambda:ap-southeast-3:123456789012:function:journey-task' });
 * asl.StartAt; // 'wait-1h'
 * new CfnStateMachine(scope, 'CartAbandonment', { definitionString: JSON.stringify(asl), ... });
 */
export function compileJourney(definition: JourneyDefinition, options: CompileOptions): StateMachineDefinition {
  const byId = new Map(definition.steps.map((s) => [s.id, s]));
  const used = new Set<RunOutcome>();
  const to = (target: string): string => {
    if (byId.get(target)?.type !== 'exit') return target;
    used.add('completed');
    return completeState('completed');
  };
  const task = (action: TaskAction, step: Step, next: string): TaskState => {
    used.add('failed');
    return lambdaTask(options.taskFunctionArn, { action, stepId: step.id, 'run.$': '$.run' }, next);
  };

  const startAt = to(definition.startAt);
  const states: Record<string, State> = {};
  for (const step of definition.steps) Object.assign(states, stepStates(step, { to, task, arn: options.taskFunctionArn, used }));
  // Rendered last, once every step has said which outcomes it can reach.
  for (const outcome of COMPLETE_ORDER) if (used.has(outcome)) states[completeState(outcome)] = completeTask(options.taskFunctionArn, outcome);
  return { Comment: `Journey "${definition.name}" (${definition.id})`, StartAt: startAt, States: states };
}

interface Helpers {
  readonly to: (target: string) => string;
  readonly task: (action: TaskAction, step: Step, next: string) => TaskState;
  readonly arn: string;
  readonly used: Set<RunOutcome>;
}

/** The states of one step: its main state under the step id, then its helpers. */
function stepStates(step: Step, { to, task, arn, used }: Helpers): Record<string, State> {
  const choice = `${step.id}.choice`;
  const wait = `${step.id}.wait`;
  switch (step.type) {
    case 'wait':
      return { [step.id]: { Type: 'Wait', Seconds: step.seconds, Next: to(step.next) } };
    case 'waitUntilTime':
      return { [step.id]: task('waitUntilTime', step, wait), [wait]: waitUntilLast(to(step.next)) };
    case 'waitUntilDate':
      return {
        [step.id]: task('waitUntilDate', step, choice),
        [choice]: { Type: 'Choice', Choices: [{ Variable: '$.last.missing', IsPresent: true, Next: to(step.ifMissing) }], Default: wait },
        [wait]: waitUntilLast(to(step.next)),
      };
    case 'waitForEvent':
      used.add('failed');
      return { [step.id]: waitForEventTask(arn, step, to) };
    case 'branch':
      return {
        [step.id]: task('branch', step, choice),
        [choice]: {
          Type: 'Choice',
          Choices: step.paths.map((p) => ({ Variable: '$.last.path', StringEquals: p.name, Next: to(p.next) })),
          Default: to(step.otherwise),
        },
      };
    case 'split': {
      // The last variant is the Default: the task only returns known variants, and a Choice without a Default would fail the run on a surprise.
      const [last, ...others] = [...step.variants].reverse();
      const rules: ChoiceRule[] = others.reverse().map((v) => ({ Variable: '$.last.variant', StringEquals: v.name, Next: to(v.next) }));
      if (step.holdout) {
        used.add('holdout');
        rules.push({ Variable: '$.last.variant', StringEquals: HOLDOUT, Next: completeState('holdout') });
      }
      if (rules.length === 0) return { [step.id]: task('split', step, to(last.next)) };
      return { [step.id]: task('split', step, choice), [choice]: { Type: 'Choice', Choices: rules, Default: to(last.next) } };
    }
    case 'send': {
      const defer = `${step.id}.defer`;
      return {
        [step.id]: task('send', step, choice),
        [choice]: { Type: 'Choice', Choices: [{ Variable: '$.last.outcome', StringEquals: 'deferred', Next: defer }], Default: to(step.next) },
        // Back to the same send: the task re-checks quiet hours and caps, and its claim keeps the send exactly-once.
        [defer]: { Type: 'Wait', TimestampPath: '$.last.until', Next: step.id },
      };
    }
    case 'updateProfile':
      return { [step.id]: task('updateProfile', step, to(step.next)) };
    case 'exit':
      return {};
    default: {
      const unexpected: never = step;
      throw new Error(`unknown step ${JSON.stringify(unexpected)}`);
    }
  }
}

function retry(): Retrier[] {
  return [
    {
      ErrorEquals: [TRANSIENT_ERROR, 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
      IntervalSeconds: 2,
      MaxAttempts: 6,
      BackoffRate: 2,
      JitterStrategy: 'FULL',
    },
  ];
}

function failed(): Catcher {
  return { ErrorEquals: ['States.ALL'], ResultPath: '$.last', Next: completeState('failed') };
}

function lambdaTask(arn: string, parameters: Record<string, unknown>, next: string): TaskState {
  return { Type: 'Task', Resource: arn, Parameters: parameters, ResultPath: '$.last', Retry: retry(), Catch: [failed()], Next: next };
}

function waitUntilLast(next: string): WaitState {
  return { Type: 'Wait', TimestampPath: '$.last.until', Next: next };
}

function waitForEventTask(arn: string, step: Extract<Step, { type: 'waitForEvent' }>, to: (target: string) => string): TaskState {
  return {
    Type: 'Task',
    Resource: WAIT_FOR_TASK_TOKEN,
    Parameters: { FunctionName: arn, Payload: { action: 'waitForEvent', stepId: step.id, 'run.$': '$.run', 'taskToken.$': '$$.Task.Token' } },
    TimeoutSeconds: step.timeoutSeconds,
    ResultPath: '$.last',
    Retry: retry(),
    Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.last', Next: to(step.onTimeout) }, failed()],
    Next: to(step.onEvent),
  };
}

/** No Catch: a failing `complete` fails the execution rather than looping back into itself. */
function completeTask(arn: string, outcome: RunOutcome): TaskState {
  const parameters = { action: 'complete', stepId: '$complete', outcome, 'run.$': '$.run', ...(outcome === 'failed' && { 'error.$': '$.last' }) };
  return { Type: 'Task', Resource: arn, Parameters: parameters, ResultPath: '$.last', Retry: retry(), End: true };
}

/**
 * Billed state transitions (states entered) of a run. `mainPath` follows every task succeeding,
 * every Choice at its Default (sent, not deferred; otherwise; the last variant) and every awaited
 * event arriving, except where `via` names the state to go to from a Choice or Task (a Catch
 * target, e.g. a waitForEvent's timeout route). `longestPath` is the longest route but failures
 * and quiet-hours deferrals (each deferral adds 3: the wait, the send again and its choice).
 *
 * @throws {Error} when `via` names a route the state does not have (a test that reads wrong).
 * @example
 * countTransitions(asl); // { mainPath: 3, longestPath: 7 }: the cart was bought
 * countTransitions(asl, { bought: 'reachable-by-push' }); // { mainPath: 7, ... }: it timed out
 */
export function countTransitions(definition: StateMachineDefinition, via: Readonly<Record<string, string>> = {}): { mainPath: number; longestPath: number } {
  let mainPath = 0;
  for (let name: string | undefined = definition.StartAt; name !== undefined; name = nextOnPath(name, definition.States[name], via[name])) mainPath += 1;
  const memo = new Map<string, number>();
  const longest = (name: string): number => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const length = 1 + Math.max(0, ...routes(definition.States[name]).map(longest));
    memo.set(name, length);
    return length;
  };
  return { mainPath, longestPath: longest(definition.StartAt) };
}

function nextOnPath(name: string, state: State, chosen: string | undefined): string | undefined {
  if (chosen === undefined) return state.Type === 'Choice' ? state.Default : state.Next;
  const all = state.Type === 'Choice' ? [...state.Choices.map((c) => c.Next), state.Default] : state.Type === 'Task' ? [state.Next, ...(state.Catch ?? []).map((c) => c.Next)] : [state.Next];
  if (!all.includes(chosen)) throw new Error(`state "${name}" has no route to "${chosen}"; it goes to ${all.filter(Boolean).join(', ')}`);
  return chosen;
}

function routes(state: State): string[] {
  if (state.Type === 'Wait') return [state.Next];
  if (state.Type === 'Choice') return [...state.Choices.map((c) => c.Next).filter((n) => !n.endsWith('.defer')), state.Default];
  const caught = (state.Catch ?? []).map((c) => c.Next).filter((n) => n !== completeState('failed'));
  return [...(state.Next !== undefined ? [state.Next] : []), ...caught];
}
