/**
 * Errors of the local Step Functions service. Each carries the AWS error `code` the SFN endpoint
 * returns as `__type`, so an unmodified `SFNClient` raises the exception of the same name
 * (`ExecutionAlreadyExists`, `TaskTimedOut`...).
 */
export class LocalSfnError extends Error {
  public constructor(public readonly code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = `${code}Error`;
  }
}

export class ExecutionAlreadyExistsError extends LocalSfnError {
  public constructor(executionArn: string) {
    super('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}' (a closed execution, or one started with other input)`);
  }
}

export class ExecutionDoesNotExistError extends LocalSfnError {
  public constructor(executionArn: string) {
    super('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
  }
}

export class StateMachineDoesNotExistError extends LocalSfnError {
  public constructor(stateMachineArn: string, known: readonly string[]) {
    super('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}' (registered locally: ${known.join(', ') || 'none'})`);
  }
}

/** The token's task ended already (answered, timed out, or its execution stopped). */
export class TaskTimedOutError extends LocalSfnError {
  public constructor() {
    super('TaskTimedOut', 'Task Timed Out: Provided task does not exist anymore');
  }
}

export class InvalidTokenError extends LocalSfnError {
  public constructor() {
    super('InvalidToken', 'Invalid Token: this task token was never issued by the local Step Functions service');
  }
}

export class InvalidNameError extends LocalSfnError {
  public constructor(name: string) {
    super('InvalidName', `Invalid Name: '${name}' (1-80 characters, no whitespace, brackets, wildcards or control characters)`);
  }
}

export class InvalidExecutionInputError extends LocalSfnError {
  public constructor(reason: string) {
    super('InvalidExecutionInput', `Invalid Execution Input: ${reason}`);
  }
}

/**
 * A Task whose Resource has no local handler. Neither retried nor caught (the library reads these
 * flags): local mode must never fall through to real AWS, nor hide a wiring mistake behind a Catch.
 */
export class MissingLocalHandlerError extends Error {
  public readonly isRetryable = false;
  public readonly isCatchable = false;
  public constructor(stateName: string, resource: string) {
    super(`state "${stateName}" calls ${resource}, which has no local handler: pass it in LocalStepFunctionsProps.functions`);
    this.name = 'States.Runtime';
  }
}

/**
 * A waitForTaskToken task or a state whose TimeoutSeconds passed on the virtual clock. Named
 * `States.Timeout` for Retry/Catch matching; the flags say whether AWS would retry/catch it at all
 * (it is never matched by `States.TaskFailed`).
 */
export class LocalTimeoutError extends Error {
  public constructor(private readonly retryable: boolean, private readonly catchable: boolean, message: string) {
    super(message);
    this.name = 'States.Timeout';
  }
  public get isRetryable(): boolean {
    return this.retryable;
  }
  public get isCatchable(): boolean {
    return this.catchable;
  }
}

/** Fails what a closed (stopped, timed out) execution was still waiting for; never retried or caught. */
export class ExecutionClosedError extends Error {
  public readonly isRetryable = false;
  public readonly isCatchable = false;
  public constructor() {
    super('the execution was closed while this state waited');
    this.name = 'States.Runtime';
  }
}
