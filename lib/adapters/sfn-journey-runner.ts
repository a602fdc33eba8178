import { SendTaskSuccessCommand, StartExecutionCommand, StopExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { JourneyRunner, StartRequest } from '../core/ports';

export interface SfnJourneyRunnerOptions {
  readonly client: SFNClient;
  /**
   * The ARN of every journey's state machine without the journey id, e.g.
   * `arn:aws:states:ap-southeast-3:123456789012:stateMachine:JourneyEngine-` (env `STATE_MACHINE_ARN_PREFIX`).
   */
  readonly stateMachineArnPrefix: string;
}

/** SFN errors that mean "already done": the call is idempotent, not failed. */
const ALREADY_STARTED = 'ExecutionAlreadyExists';
const NOT_RUNNING = 'ExecutionDoesNotExist';
const TOKEN_GONE = new Set(['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist']);

/**
 * The {@link JourneyRunner} on Step Functions Standard: one execution per run, named by its runId,
 * so a start repeated after a crash or a redelivery is harmless. The execution input is the state
 * data the compiled state machine expects: `{ run: RunInput }`. Throttling and other errors are
 * thrown (the starter reports the record as a batch item failure, SQS retries it).
 *
 * @example
 * const runner = new SfnJourneyRunner({ client: new SFNClient({}), stateMachineArnPrefix: process.env.STATE_MACHINE_ARN_PREFIX! });
 * await runner.start({ journeyId: 'welcome', runId, input });
 */
export class SfnJourneyRunner implements JourneyRunner {
  private readonly client: SFNClient;
  private readonly prefix: string;

  public constructor(options: SfnJourneyRunnerOptions) {
    if (!options.stateMachineArnPrefix.includes(':stateMachine:')) {
      throw new Error(`stateMachineArnPrefix ${options.stateMachineArnPrefix}: expected arn:aws:states:<region>:<account>:stateMachine:<name prefix>`);
    }
    this.client = options.client;
    this.prefix = options.stateMachineArnPrefix;
  }

  public async start(request: StartRequest): Promise<void> {
    try {
      await this.client.send(new StartExecutionCommand({
        stateMachineArn: this.stateMachineArn(request.journeyId),
        name: request.runId,
        input: JSON.stringify({ run: request.input }),
      }));
    } catch (error) {
      if (errorName(error) !== ALREADY_STARTED) throw error;
    }
  }

  public async stop(journeyId: string, runId: string, cause: string): Promise<void> {
    try {
      await this.client.send(new StopExecutionCommand({ executionArn: this.executionArn(journeyId, runId), error: 'JourneyExited', cause }));
    } catch (error) {
      if (errorName(error) !== NOT_RUNNING) throw error;
    }
  }

  public async resume(taskToken: string, output: unknown): Promise<boolean> {
    try {
      await this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
      return true;
    } catch (error) {
      if (TOKEN_GONE.has(errorName(error))) return false;
      throw error;
    }
  }

  /** @example runner.stateMachineArn('welcome'); // '...:stateMachine:JourneyEngine-welcome' */
  public stateMachineArn(journeyId: string): string {
    return `${this.prefix}${journeyId}`;
  }

  /** @example runner.executionArn('welcome', 'welcome-ab12'); // '...:execution:JourneyEngine-welcome:welcome-ab12' */
  public executionArn(journeyId: string, runId: string): string {
    return `${this.prefix.replace(':stateMachine:', ':execution:')}${journeyId}:${runId}`;
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}
