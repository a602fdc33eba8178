import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { compileJourney } from '../core/journeys/compiler';
import type { JourneyDefinition } from '../core/journeys/definition';

export interface JourneyProps {
  /** The journey, already validated (`parseJourneys`): its `id` names the state machine. */
  readonly definition: JourneyDefinition;
  /** The journey-task function that every Task state of the compiled definition invokes. */
  readonly taskFunction: IFunction;
  /** Prepended to the journey id to form the state machine name, e.g. `JourneyEngine-`. */
  readonly stateMachineNamePrefix: string;
  /**
   * What the state machine logs to CloudWatch Logs (never the execution data: profiles, e-mail
   * addresses and phone numbers stay out of the logs; the execution history keeps them for 90 days).
   *
   * @default LogLevel.ALL
   */
  readonly logLevel?: LogLevel;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/** Where the compiled definition names the task function; CloudFormation substitutes the real ARN. */
export const TASK_FUNCTION_ARN_SUBSTITUTION = 'TaskFunctionArn';

/** State machine names: 1 to 80 characters (Step Functions); ours are `<prefix><journey id>`. */
const STATE_MACHINE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * One journey as one Step Functions Standard state machine named `<prefix><journey id>`, running
 * the definition that `compileJourney` produces (JSONPath), with X-Ray tracing and its own log
 * group. Its role may invoke the journey-task function and nothing else besides what logging and
 * tracing themselves require.
 *
 * Logging defaults to `ALL` without execution data: the level cdk-nag (AwsSolutions-SF1) asks for,
 * at a small cost next to the transitions themselves (a Standard transition costs $0.000025; its two
 * or three log events of a few hundred bytes each cost about 1/50th of that), and the only way to see
 * from CloudWatch which step a run is in, or how long its waits and tasks took, without opening each
 * execution's history. `ERROR` logs failed and aborted runs only.
 *
 * @example
 * new Journey(this, 'CartAbandonment', {
 *   definition: cartAbandonment, taskFunction, stateMachineNamePrefix: 'JourneyEngine-',
 * });
 */
export class Journey extends Construct {
  public readonly stateMachine: StateMachine;
  public readonly logGroup: LogGroup;

  public constructor(scope: Construct, id: string, props: JourneyProps) {
    super(scope, id);
    const stateMachineName = `${props.stateMachineNamePrefix}${props.definition.id}`;
    const logLevel = props.logLevel ?? LogLevel.ALL;
    if (!STATE_MACHINE_NAME.test(stateMachineName)) {
      throw new Error(
        `Journey "${props.definition.id}": state machine name "${stateMachineName}" must be 1-80 letters, digits, "-" or "_": shorten stateMachineNamePrefix or the journey id`,
      );
    }

    // Step Functions writes through CloudWatch Logs vended delivery: under /aws/vendedlogs/ the
    // groups need no entry each in the account's 5,120-character logs resource policy, which a few
    // dozen journeys would otherwise exhaust. Named groups cannot be retained: a retained group
    // would block the same journey from being deployed again after the stack is deleted.
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${stateMachineName}`,
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // The compiler emits plain ASL; the function ARN is left to CloudFormation (DefinitionSubstitutions),
    // so the definition string stays a literal that tests and local mode can read.
    const definition = compileJourney(props.definition, { taskFunctionArn: `\${${TASK_FUNCTION_ARN_SUBSTITUTION}}` });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(JSON.stringify(definition)),
      definitionSubstitutions: { [TASK_FUNCTION_ARN_SUBSTITUTION]: props.taskFunction.functionArn },
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: logLevel, includeExecutionData: false },
    });
    // The definition names the unqualified ARN only: no version or alias wildcard.
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.taskFunction.functionArn] }),
    );

    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the statements Step Functions needs for its own logging and tracing: log delivery (logs:CreateLogDelivery and the other vended-log actions) and X-Ray (xray:PutTraceSegments, GetSamplingRules...) support no resource-level permissions. The one statement that reaches a resource, lambda:InvokeFunction, names the journey-task function.',
    });
    if (logLevel !== LogLevel.ALL) {
      Validations.of(this.stateMachine).acknowledge({
        id: 'AwsSolutions-SF1',
        reason: `Logging level ${logLevel} chosen through the journeyLogLevel prop: failed, timed-out and aborted runs are still logged, and every run keeps its full execution history in Step Functions for 90 days.`,
      });
    }
  }
}
