/**
 * The documented rewrite that lets aws-local-stepfunctions run a state machine on the virtual clock.
 * Applied to a copy; state names, transitions, paths, Retry and Catch are kept, so the event log
 * and the transition count are those of the real machine:
 *
 * - A `Wait` becomes a `Task` on {@link LOCAL_WAIT_RESOURCE} with the same InputPath, OutputPath
 *   and Next/End. Its local handler waits on the virtual clock until the instant the Wait would
 *   end (Seconds, SecondsPath, Timestamp or TimestampPath, read from the state's effective input)
 *   and returns that input unchanged, which is exactly what a Wait outputs.
 * - A `waitForTaskToken` Task loses its TimeoutSeconds/TimeoutSecondsPath/HeartbeatSeconds (kept
 *   in {@link LocalTaskSpec}): the timeout runs on the virtual clock instead, and fails the task
 *   with `States.Timeout`. Because the library only treats its own timeout class as exempt from
 *   `States.TaskFailed`, a Retry or Catch entry for `States.Timeout` (or `States.ALL`) that comes
 *   after a `States.TaskFailed` entry is copied, restricted to `States.Timeout`, in front of it.
 * - Every Task (and the machine itself) gets a timeout that fits in `setTimeout`: longer ones
 *   overflow and fire after 1 ms. The machine-level TimeoutSeconds is enforced on the virtual clock.
 * - `Parallel` branches and `Map` processors are rewritten the same way.
 */

export const LOCAL_WAIT_RESOURCE = 'arn:aws:lambda:us-east-1:000000000000:function:local-virtual-wait';
/** The longest real-time timeout the library can arm (setTimeout's limit, in seconds). */
export const MAX_REAL_TIMEOUT_SECONDS = 2_147_483;
const WAIT_FOR_TOKEN_SUFFIX = '.waitForTaskToken';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type State = Record<string, any>;
export interface AslDefinition {
  readonly StartAt: string;
  readonly States: Record<string, State>;
  readonly TimeoutSeconds?: number;
  readonly [key: string]: unknown;
}

/** What a rewritten state needs from its local handler. */
export type LocalTaskSpec =
  | { readonly kind: 'wait'; readonly seconds?: number; readonly secondsPath?: string; readonly timestamp?: string; readonly timestampPath?: string }
  | {
      readonly kind: 'task';
      readonly resource: string;
      /** `lambda:invoke` integrations: the static `Parameters.FunctionName`, when there is one. */
      readonly functionName?: string;
      readonly waitForTaskToken: boolean;
      readonly timeoutSeconds?: number;
      readonly timeoutSecondsPath?: string;
      /** Whether some Retry entry would retry `States.Timeout` on AWS. */
      readonly timeoutRetryable: boolean;
      /** Whether some Catch entry would catch `States.Timeout` on AWS. */
      readonly timeoutCatchable: boolean;
    };

export interface LocalDefinition {
  readonly definition: AslDefinition;
  /** By state name (over every nested branch): how to run each Task. */
  readonly tasks: ReadonlyMap<string, LocalTaskSpec>;
  /** The state types of the original machine (a rewritten Wait is still a `Wait` here). */
  readonly stateTypes: ReadonlyMap<string, string>;
  /** The machine's own TimeoutSeconds, for the virtual clock to enforce. */
  readonly timeoutSeconds?: number;
}

/**
 * Rewrite `definition` for local execution (see the file comment).
 *
 * @example
 * const local = toLocalDefinition(compileJourney(journey, { taskFunctionArn }));
 * local.tasks.get('wait-1h'); // { kind: 'wait', seconds: 3600 }
 */
export function toLocalDefinition(definition: AslDefinition): LocalDefinition {
  const tasks = new Map<string, LocalTaskSpec>();
  const stateTypes = new Map<string, string>();
  const { TimeoutSeconds, ...rest } = JSON.parse(JSON.stringify(definition)) as AslDefinition & Record<string, unknown>;
  const rewritten = rewriteMachine(rest as unknown as AslDefinition, tasks, stateTypes);
  return { definition: rewritten, tasks, stateTypes, timeoutSeconds: TimeoutSeconds };
}

function rewriteMachine(machine: AslDefinition, tasks: Map<string, LocalTaskSpec>, stateTypes: Map<string, string>): AslDefinition {
  const states: Record<string, State> = {};
  for (const [name, state] of Object.entries(machine.States)) {
    if (stateTypes.has(name)) throw new Error(`state name "${name}" is used twice: local mode needs unique state names across branches`);
    stateTypes.set(name, state.Type as string);
    states[name] = rewriteState(name, state, tasks, stateTypes);
  }
  return { ...machine, States: states };
}

function rewriteState(name: string, state: State, tasks: Map<string, LocalTaskSpec>, stateTypes: Map<string, string>): State {
  switch (state.Type) {
    case 'Wait': {
      const { Type: _type, Seconds, SecondsPath, Timestamp, TimestampPath, ...kept } = state;
      tasks.set(name, { kind: 'wait', seconds: Seconds, secondsPath: SecondsPath, timestamp: Timestamp, timestampPath: TimestampPath });
      return { Type: 'Task', Resource: LOCAL_WAIT_RESOURCE, ...kept, TimeoutSeconds: MAX_REAL_TIMEOUT_SECONDS };
    }
    case 'Task':
      return rewriteTask(name, state, tasks);
    case 'Parallel':
      return { ...state, Branches: (state.Branches as AslDefinition[]).map((branch) => rewriteMachine(branch, tasks, stateTypes)) };
    case 'Map':
      return {
        ...state,
        ...(state.ItemProcessor ? { ItemProcessor: rewriteMachine(state.ItemProcessor, tasks, stateTypes) } : {}),
        ...(state.Iterator ? { Iterator: rewriteMachine(state.Iterator, tasks, stateTypes) } : {}),
      };
    default:
      return state;
  }
}

function rewriteTask(name: string, state: State, tasks: Map<string, LocalTaskSpec>): State {
  const resource = String(state.Resource);
  const waitForTaskToken = resource.endsWith(WAIT_FOR_TOKEN_SUFFIX);
  const retry = state.Retry as Entry[] | undefined;
  const catchers = state.Catch as Entry[] | undefined;
  tasks.set(name, {
    kind: 'task',
    resource,
    functionName: typeof state.Parameters?.FunctionName === 'string' ? state.Parameters.FunctionName : undefined,
    waitForTaskToken,
    timeoutSeconds: waitForTaskToken ? state.TimeoutSeconds : undefined,
    timeoutSecondsPath: waitForTaskToken ? state.TimeoutSecondsPath : undefined,
    timeoutRetryable: (retry ?? []).some(matchesTimeout),
    timeoutCatchable: (catchers ?? []).some(matchesTimeout),
  });
  if (!waitForTaskToken) {
    return state.TimeoutSeconds > MAX_REAL_TIMEOUT_SECONDS ? { ...state, TimeoutSeconds: MAX_REAL_TIMEOUT_SECONDS } : state;
  }
  const { TimeoutSeconds: _t, TimeoutSecondsPath: _p, HeartbeatSeconds: _h, HeartbeatSecondsPath: _hp, ...kept } = state;
  return {
    ...kept,
    TimeoutSeconds: MAX_REAL_TIMEOUT_SECONDS,
    ...(retry ? { Retry: guardTimeout(retry) } : {}),
    ...(catchers ? { Catch: guardTimeout(catchers) } : {}),
  };
}

interface Entry {
  readonly ErrorEquals: string[];
  readonly [key: string]: Json | string[] | undefined;
}

const matchesTimeout = (entry: Entry) => entry.ErrorEquals.includes('States.Timeout') || entry.ErrorEquals.includes('States.ALL');

/** Put a `States.Timeout`-only copy of the entry AWS would pick in front of a `States.TaskFailed` entry that would shadow it. */
function guardTimeout(entries: Entry[]): Entry[] {
  const shadowing = entries.findIndex((e) => e.ErrorEquals.includes('States.TaskFailed') && !matchesTimeout(e));
  const matching = entries.findIndex(matchesTimeout);
  if (shadowing === -1 || matching === -1 || matching < shadowing) return entries;
  return [...entries.slice(0, shadowing), { ...entries[matching], ErrorEquals: ['States.Timeout'] }, ...entries.slice(shadowing)];
}

export type { Json };
