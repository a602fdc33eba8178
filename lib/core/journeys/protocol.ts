/**
 * The contract between a compiled journey state machine and the journey task Lambda, and the
 * execution input. The compiler writes these shapes into `Parameters`; the task handler parses them.
 *
 * State data of a run: `{ run: RunInput, last?: TaskResult }` — every Task writes `ResultPath: $.last`.
 */

/** The execution input: who, which journey, why. The execution name is `runId`. */
export interface RunInput {
  readonly journeyId: string;
  /** Deterministic (journey, profile, entry event or request): the same entry never starts twice. */
  readonly runId: string;
  readonly profileId: string;
  /** Keyed journeys: the entry event's value of the journey's `entryKey` property. */
  readonly entryKey?: string;
  /** The event that started the run (absent for API entries). */
  readonly entryEvent?: {
    readonly messageId: string;
    readonly event: string;
    readonly properties: Record<string, unknown>;
    readonly timestamp: string;
  };
  /** Extra context of an API entry, available to templates as `journey.context`. */
  readonly context?: Record<string, unknown>;
  readonly enteredAt: string;
}

export type TaskAction = 'send' | 'branch' | 'split' | 'waitUntilTime' | 'waitUntilDate' | 'waitForEvent' | 'updateProfile' | 'complete';

/** How a run ended: what `complete` records (exit criteria stops are recorded by the processor). */
export type RunOutcome = 'completed' | 'exited' | 'holdout' | 'failed';

/** The Lambda payload of every journey Task state. */
export interface TaskRequest {
  readonly action: TaskAction;
  readonly stepId: string;
  readonly run: RunInput;
  /** `waitForEvent` only: `$$.Task.Token`. */
  readonly taskToken?: string;
  /** `complete` only. */
  readonly outcome?: RunOutcome;
  /** `complete` with outcome `failed`: the caught error (`$.last` of a Catch). */
  readonly error?: { readonly Error?: string; readonly Cause?: string };
}

/** What each action returns (into `$.last`); the compiled Choice states read these fields. */
export type SendTaskResult =
  | { readonly outcome: 'sent'; readonly providerMessageId: string }
  | { readonly outcome: 'suppressed'; readonly reason: string }
  | { readonly outcome: 'deferred'; readonly until: string; readonly reason: string }
  | { readonly outcome: 'failed'; readonly reason: string };
export interface BranchTaskResult { readonly path: string }
export interface SplitTaskResult { readonly variant: string }
export interface WaitUntilTaskResult { readonly until: string }
/** The output sent with SendTaskSuccess when a waited-for event arrives. */
export interface EventArrivedResult { readonly event: string; readonly messageId: string; readonly properties: Record<string, unknown>; readonly timestamp: string }

/** `$.last.path` / `$.last.variant` value of the holdout group and of "everyone else". */
export const HOLDOUT = 'holdout';
export const OTHERWISE = 'otherwise';

/** Errors the task Lambda throws for Step Functions to retry with backoff (throttling, 5xx). */
export const TRANSIENT_ERROR = 'TransientError';
