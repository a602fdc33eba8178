import type { JourneyDefinition, Step } from '../lib/core/journeys/definition';

/**
 * The comparison point for the journey costs: the same journey compiled the naive way a state
 * machine is often drawn by hand (or by a visual designer): a Pass state that marks each step, a
 * Choice per decision, and a separate Lambda Task for each check and action. A send becomes
 * load profile -> check consent -> check frequency caps -> check quiet hours -> render -> send ->
 * write back, each its own Lambda, with a Choice after each check; a branch loads the profile and
 * evaluates each path's condition in its own Lambda followed by a Choice; a run ends in a Pass, a
 * Task that records the outcome and a Succeed.
 *
 * It is a cost model, not a runnable machine: states carry only what counting needs (type, routes,
 * the step they belong to). `walkNaive` follows it along the route a real run took, so both are
 * priced for the same customer journey.
 */

export type NaiveStateType = 'Pass' | 'Task' | 'Choice' | 'Wait' | 'Succeed';

export interface NaiveState {
  readonly type: NaiveStateType;
  /** Where it goes next (Choice: its Default). */
  readonly next?: string;
  /** Choice rules, and a Task's catch routes (the waitForEvent timeout). */
  readonly routes?: readonly string[];
  /** The definition step this state belongs to. */
  readonly stepId: string;
}

export interface NaiveMachine {
  readonly startAt: string;
  readonly states: Record<string, NaiveState>;
  /** The state each step starts at (its marking Pass state), by step id; exits by `exit:<outcome>`. */
  readonly entries: Record<string, string>;
}

const HOLDOUT_EXIT = 'exit:holdout';

/**
 * Compile a journey the naive way.
 *
 * @example
 * const naive = compileNaive(cartAbandonment);
 * walkNaive(naive, ['wait-1h', 'reachable-by-push', 'remind-email', 'exit:completed']); // { transitions: 23, invocations: 10 }
 */
export function compileNaive(definition: JourneyDefinition): NaiveMachine {
  const states: Record<string, NaiveState> = {};
  const entries: Record<string, string> = {};
  const byId = new Map(definition.steps.map((s) => [s.id, s]));
  const entry = (stepId: string): string => (byId.get(stepId)?.type === 'exit' ? `exit:completed` : `${stepId}`);
  const add = (name: string, state: NaiveState) => {
    states[name] = state;
  };

  for (const step of definition.steps) {
    if (step.type === 'exit') continue;
    entries[step.id] = step.id;
    addStep(step, entry, add);
  }
  // One end for every exit step (they are alike), and one for the holdout.
  for (const [outcome, name] of [['completed', 'exit:completed'], ['holdout', HOLDOUT_EXIT]] as const) {
    entries[name] = name;
    add(name, { type: 'Pass', next: `${name}.record`, stepId: name });
    add(`${name}.record`, { type: 'Task', next: `${name}.end`, stepId: name });
    add(`${name}.end`, { type: 'Succeed', stepId: name });
    void outcome;
  }
  add('Start', { type: 'Pass', next: entry(definition.startAt), stepId: 'Start' });
  return { startAt: 'Start', states, entries };
}

function addStep(step: Exclude<Step, { type: 'exit' }>, to: (stepId: string) => string, add: (name: string, state: NaiveState) => void): void {
  const id = step.id;
  const pass = (next: string) => add(id, { type: 'Pass', next, stepId: id });
  const task = (name: string, next: string) => add(`${id}.${name}`, { type: 'Task', next, stepId: id });
  const choice = (name: string, routes: string[], otherwise: string) => add(`${id}.${name}`, { type: 'Choice', routes, next: otherwise, stepId: id });
  switch (step.type) {
    case 'wait':
      pass(`${id}.wait`);
      add(`${id}.wait`, { type: 'Wait', next: to(step.next), stepId: id });
      return;
    case 'waitUntilTime':
      pass(`${id}.load`);
      task('load', `${id}.compute`);
      task('compute', `${id}.wait`);
      add(`${id}.wait`, { type: 'Wait', next: to(step.next), stepId: id });
      return;
    case 'waitUntilDate':
      pass(`${id}.load`);
      task('load', `${id}.compute`);
      task('compute', `${id}.missing?`);
      choice('missing?', [to(step.ifMissing)], `${id}.wait`);
      add(`${id}.wait`, { type: 'Wait', next: to(step.next), stepId: id });
      return;
    case 'waitForEvent':
      pass(`${id}.register`);
      // The task-token Task; its timeout is caught and routed by the Choice that follows.
      task('register', `${id}.outcome?`);
      choice('outcome?', [to(step.onTimeout)], to(step.onEvent));
      return;
    case 'branch': {
      pass(`${id}.load`);
      task('load', `${id}.check-0`);
      step.paths.forEach((path, i) => {
        const otherwise = i + 1 < step.paths.length ? `${id}.check-${i + 1}` : to(step.otherwise);
        task(`check-${i}`, `${id}.check-${i}?`);
        choice(`check-${i}?`, [to(path.next)], otherwise);
      });
      return;
    }
    case 'split': {
      pass(`${id}.load`);
      task('load', `${id}.assign`);
      task('assign', `${id}.record`);
      task('record', `${id}.variant?`);
      const targets = step.variants.map((v) => to(v.next));
      choice('variant?', [...targets.slice(0, -1), ...(step.holdout ? [HOLDOUT_EXIT] : [])], targets[targets.length - 1]);
      return;
    }
    case 'send': {
      pass(`${id}.load`);
      task('load', `${id}.consent`);
      task('consent', `${id}.consent?`);
      choice('consent?', [`${id}.suppressed`], `${id}.caps`);
      task('caps', `${id}.caps?`);
      choice('caps?', [`${id}.suppressed`], `${id}.quiet`);
      task('quiet', `${id}.quiet?`);
      choice('quiet?', [`${id}.defer`], `${id}.render`);
      add(`${id}.defer`, { type: 'Wait', next: id, stepId: id });
      task('render', `${id}.send`);
      task('send', `${id}.writeback`);
      task('writeback', to(step.next));
      task('suppressed', to(step.next));
      return;
    }
    case 'updateProfile':
      pass(`${id}.load`);
      task('load', `${id}.update`);
      task('update', `${id}.writeback`);
      task('writeback', to(step.next));
      return;
    default: {
      const unexpected: never = step;
      throw new Error(`unknown step ${JSON.stringify(unexpected)}`);
    }
  }
}

export interface NaiveCount {
  /** States entered: what Step Functions Standard bills. */
  readonly transitions: number;
  /** Task states entered: one Lambda invocation each. */
  readonly invocations: number;
  readonly states: readonly string[];
}

/**
 * Follow the naive machine along a route: the steps a real run entered, in order (a step entered
 * twice was deferred), ending in `exit:completed` or `exit:holdout`. At a Choice the walker takes
 * the first route that leads (through non-Choice states) to the next step of the route, else the
 * Default: checks pass, a branch's paths are tried in order (the first path leading to the step the
 * run took), a deferred send goes round its quiet-hours loop.
 *
 * @throws {Error} when the route cannot be followed (a step the machine does not reach).
 */
export function walkNaive(machine: NaiveMachine, route: readonly string[]): NaiveCount {
  const visited: string[] = [];
  let position = -1;
  let name: string | undefined = machine.startAt;
  const entryStates = new Set(Object.values(machine.entries));
  /** Whether following Next / Default from `from` reaches `target` before any other step starts. */
  const reaches = (from: string, target: string): boolean => {
    let current: string | undefined = from;
    for (let hops = 0; current !== undefined && hops < 50; hops++) {
      if (current === target) return true;
      if (entryStates.has(current)) return false;
      current = machine.states[current]?.next;
    }
    return false;
  };
  while (name !== undefined) {
    const state: NaiveState = machine.states[name];
    if (state === undefined) throw new Error(`naive machine: no state "${name}"`);
    if (machine.entries[state.stepId] === name) {
      position += 1;
      if (route[position] !== state.stepId) throw new Error(`naive walk: reached ${state.stepId}, the route says ${route[position] ?? '(end)'} (${route.join(' > ')})`);
    }
    visited.push(name);
    if (visited.length > 1000) throw new Error('naive walk: loop');
    const target = route[position + 1] === undefined ? undefined : machine.entries[route[position + 1]];
    if (state.type === 'Choice') {
      // Checks pass and Defaults are taken unless the route went elsewhere.
      const next = state.next as string;
      name = target === undefined || reaches(next, target) ? next : state.routes?.find((r) => reaches(r, target)) ?? next;
    } else {
      name = state.next;
    }
  }
  if (position !== route.length - 1) throw new Error(`naive walk ended at step ${position + 1} of ${route.length} (${route.join(' > ')})`);
  return {
    transitions: visited.length,
    invocations: visited.filter((n) => machine.states[n].type === 'Task').length,
    states: visited,
  };
}

/**
 * The route (steps entered, then the exit) of a real run, from the states it entered: step ids
 * are state names; helper states (`<id>.choice`, `.wait`, `.defer`) are skipped; `Complete.<outcome>`
 * ends it.
 *
 * @example
 * routeOf(['wait-1h', 'reachable-by-push', 'reachable-by-push.choice', 'remind-email', 'remind-email.choice', 'Complete.completed'], journey);
 * // ['wait-1h', 'reachable-by-push', 'remind-email', 'exit:completed']
 */
export function routeOf(path: readonly string[], definition: JourneyDefinition): string[] {
  const ids = new Set(definition.steps.map((s) => s.id));
  const route: string[] = [];
  for (const state of path) {
    if (ids.has(state)) route.push(state);
    else if (state.startsWith('Complete.')) route.push(`exit:${state.slice('Complete.'.length)}`);
  }
  return route;
}
