import { Duration } from 'aws-cdk-lib';
import { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, AlarmProps, ComparisonOperator, IAlarm, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { IFunction } from 'aws-cdk-lib/aws-lambda';
import { ITopic } from 'aws-cdk-lib/aws-sns';
import { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { EngineMetrics } from './engine-metrics';
import { METRIC, SERVICE } from './metrics';

/** When the engine's alarms fire. Every threshold has a default that suits a small production engine. */
export interface EngineAlarmThresholds {
  /**
   * Failed plus timed-out executions of one journey's state machine in 5 minutes. Aborted runs are
   * not counted: exit criteria stop runs on purpose.
   *
   * @default 1
   */
  readonly journeyFailures?: number;
  /**
   * Percent of sends that failed (`failed / (sent + failed)`) over 15 minutes; suppressed and
   * deferred sends are decisions, not failures, and are left out.
   *
   * @default 5
   */
  readonly sendFailureRatePercent?: number;
  /**
   * Sends (sent + failed) in 15 minutes below which the send failure rate is not judged: two
   * failures out of three sends are noise, not an outage.
   *
   * @default 20
   */
  readonly sendFailureMinVolume?: number;
  /**
   * Percent of HTTP API requests answered 5xx over 5 minutes.
   *
   * @default 5
   */
  readonly apiServerErrorRatePercent?: number;
  /**
   * HTTP API requests in 5 minutes below which the 5xx rate is not judged.
   *
   * @default 20
   */
  readonly apiMinRequests?: number;
  /**
   * Failed processor invocations in 5 minutes: crashes, timeouts, and batches whose every message
   * failed (a single failed message is a partial batch failure, not an invocation error).
   *
   * @default 1
   */
  readonly processorErrors?: number;
  /**
   * Lambda throttles, summed over every engine function, in 5 minutes.
   *
   * @default 1
   */
  readonly functionThrottles?: number;
  /**
   * Throttled state transitions (ExecutionThrottled) of one journey's state machine in 5 minutes.
   *
   * @default 1
   */
  readonly journeyThrottles?: number;
  /**
   * Starts that Step Functions throttled, in each of three 5-minute periods in a row (the starter's
   * own pacing is not counted).
   *
   * @default 1
   */
  readonly startThrottles?: number;
}

/** The engine functions by role: the keys name them in the alarms' metric math. */
export type EngineFunctions = Readonly<Record<keyof typeof SERVICE, IFunction>>;

export interface EngineAlarmsProps {
  readonly metrics: EngineMetrics;
  readonly api: IHttpApi;
  readonly functions: EngineFunctions;
  /** The journeys' state machines, by journey id. */
  readonly stateMachines: Readonly<Record<string, IStateMachine>>;
  /** @default - the defaults of `EngineAlarmThresholds` */
  readonly thresholds?: EngineAlarmThresholds;
  /** @default - the alarms change state without notifying anyone */
  readonly alarmTopic?: ITopic;
}

const DEFAULTS: Required<EngineAlarmThresholds> = {
  journeyFailures: 1,
  sendFailureRatePercent: 5,
  sendFailureMinVolume: 20,
  apiServerErrorRatePercent: 5,
  apiMinRequests: 20,
  processorErrors: 1,
  functionThrottles: 1,
  journeyThrottles: 1,
  startThrottles: 1,
};

/**
 * Every problem with `thresholds`, for the caller to report with its other prop problems.
 *
 * @example
 * thresholdProblems({ sendFailureRatePercent: 0 }); // ['alarmThresholds.sendFailureRatePercent must be ...']
 */
export function thresholdProblems(thresholds: EngineAlarmThresholds = {}): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(thresholds) as Array<[keyof EngineAlarmThresholds, number | undefined]>) {
    if (value === undefined) continue;
    if (!(name in DEFAULTS)) problems.push(`alarmThresholds.${name} is not a threshold; known: ${Object.keys(DEFAULTS).join(', ')}`);
    else if (name.endsWith('Percent') ? !(value > 0 && value <= 100) : !(Number.isInteger(value) && value >= 1)) {
      problems.push(`alarmThresholds.${name} must be ${name.endsWith('Percent') ? 'a percentage above 0 and at most 100' : 'a positive integer'}, got ${value}`);
    }
  }
  return problems;
}

/**
 * The engine's operational alarms besides the dead-letter ones: journey failures and throttles
 * (per state machine), the send failure rate, processor errors, Lambda and start throttles, and the
 * API's 5xx rate. Each notifies `alarmTopic` when it fires and when it clears.
 *
 * Every alarm treats missing data as not breaching: its metrics are published only when something
 * happens (a request, an invocation, a send, a finished execution), so no data means nothing
 * failed, not that monitoring broke; and the rate alarms return 0 below their minimum volume.
 *
 * @example
 * new EngineAlarms(this, 'Alarms', { metrics: new EngineMetrics(), api, functions, stateMachines, alarmTopic });
 */
export class EngineAlarms extends Construct {
  /** Every alarm of this construct, e.g. for a dashboard's alarm status widget. */
  public readonly alarms: IAlarm[] = [];
  private readonly topic?: ITopic;

  public constructor(scope: Construct, id: string, props: EngineAlarmsProps) {
    super(scope, id);
    const t = { ...DEFAULTS, ...withoutUndefined(props.thresholds ?? {}) };
    const { metrics, functions } = props;
    this.topic = props.alarmTopic;
    const fiveMinutes = Duration.minutes(5);

    for (const [journeyId, stateMachine] of Object.entries(props.stateMachines)) {
      this.alarm(`JourneyFailures-${journeyId}`, {
        alarmDescription: `Journey "${journeyId}": executions failed or timed out. Open the failed executions in Step Functions for the error; aborted runs (exit criteria) are not counted.`,
        metric: new MathExpression({
          label: `${journeyId} failed + timed out`,
          expression: 'FILL(failed, 0) + FILL(timedOut, 0)',
          usingMetrics: {
            failed: stateMachine.metricFailed({ period: fiveMinutes, statistic: 'Sum' }),
            timedOut: stateMachine.metricTimedOut({ period: fiveMinutes, statistic: 'Sum' }),
          },
          period: fiveMinutes,
        }),
        threshold: t.journeyFailures,
      });
      this.alarm(`JourneyThrottles-${journeyId}`, {
        alarmDescription: `Journey "${journeyId}": Step Functions throttled state transitions, so runs are delayed. Check the account's state transition quota and what else spends it.`,
        metric: stateMachine.metricThrottled({ period: fiveMinutes, statistic: 'Sum' }),
        threshold: t.journeyThrottles,
      });
    }

    const fifteenMinutes = Duration.minutes(15);
    this.alarm('SendFailureRate', {
      alarmDescription: `Over ${t.sendFailureRatePercent}% of sends failed in 15 minutes (with at least ${t.sendFailureMinVolume} sends): a provider rejects messages or templates fail to render. The journey-task logs name the reason.`,
      metric: new MathExpression({
        label: 'send failure rate (%)',
        expression: `IF(FILL(sent, 0) + FILL(failed, 0) >= ${t.sendFailureMinVolume}, 100 * FILL(failed, 0) / (FILL(sent, 0) + FILL(failed, 0)), 0)`,
        usingMetrics: {
          sent: metrics.sends({ outcome: 'sent' }, { period: fifteenMinutes }),
          failed: metrics.sends({ outcome: 'failed' }, { period: fifteenMinutes }),
        },
        period: fifteenMinutes,
      }),
      threshold: t.sendFailureRatePercent,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    });

    this.alarm('ApiServerErrorRate', {
      alarmDescription: `Over ${t.apiServerErrorRatePercent}% of HTTP API requests answered 5xx in 5 minutes (with at least ${t.apiMinRequests} requests): SDKs retry, but events wait or are lost. Check the ingest logs (queue or write-key table unreachable).`,
      metric: new MathExpression({
        label: 'API 5xx rate (%)',
        expression: `IF(requests >= ${t.apiMinRequests}, 100 * FILL(errors, 0) / requests, 0)`,
        usingMetrics: {
          requests: props.api.metricCount({ period: fiveMinutes, statistic: 'Sum' }),
          errors: props.api.metricServerError({ period: fiveMinutes, statistic: 'Sum' }),
        },
        period: fiveMinutes,
      }),
      threshold: t.apiServerErrorRatePercent,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    });

    this.alarm('ProcessorErrors', {
      alarmDescription: 'Processor invocations failed (crash, timeout, or every message of a batch failed): events wait on the queue and move to the dead-letter queue after maxReceiveCount receives.',
      metric: functions.processor.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
      threshold: t.processorErrors,
    });

    const throttles = Object.fromEntries(
      Object.entries(functions).map(([name, fn]) => [name, fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' })]),
    );
    this.alarm('FunctionThrottles', {
      alarmDescription: 'Lambda throttled an engine function: the account or function concurrency is exhausted. The dashboard shows which function.',
      metric: new MathExpression({
        label: 'throttles, all engine functions',
        expression: Object.keys(throttles).map((name) => `FILL(${name}, 0)`).join(' + '),
        usingMetrics: throttles,
        period: fiveMinutes,
      }),
      threshold: t.functionThrottles,
    });

    this.alarm('StartThrottles', {
      alarmDescription: 'Step Functions kept throttling StartExecution for 15 minutes: journey starts are delayed and may reach the starts dead-letter queue. Lower maxStartsPerSecond or raise the StartExecution quota.',
      metric: metrics.of(SERVICE.starter, METRIC.journeyStartsThrottled),
      threshold: t.startThrottles,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
    });
  }

  private alarm(
    id: string,
    props: Pick<AlarmProps, 'alarmDescription' | 'metric' | 'threshold'> & Partial<Pick<AlarmProps, 'comparisonOperator' | 'evaluationPeriods' | 'datapointsToAlarm'>>,
  ): void {
    const alarm = new Alarm(this, id, {
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      ...props,
    });
    if (this.topic) {
      alarm.addAlarmAction(new SnsAction(this.topic));
      alarm.addOkAction(new SnsAction(this.topic));
    }
    this.alarms.push(alarm);
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
