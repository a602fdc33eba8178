import * as path from 'node:path';
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, IAlarm, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { ConfigurationSet, EmailSendingEvent, EventDestination } from 'aws-cdk-lib/aws-ses';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ITopic } from 'aws-cdk-lib/aws-sns';
import { IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { LogLevel } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { EVAL_INDEX, WRITE_KEY_PREFIX } from '../adapters/table-keys';
import type { EngineConfig, MessagingConfig } from '../core/config';
import { checkEngineConfig } from '../app/engine-config';
import { EngineAlarms, EngineAlarmThresholds, thresholdProblems } from './alarms';
import { EngineDashboard } from './dashboard';
import { EngineData, IEngineData } from './engine-data';
import { EngineFunction, EngineLogLevel } from './engine-function';
import { EngineMetrics } from './engine-metrics';
import { Journey } from './journey';
import { SERVICE } from './metrics';

export interface JourneyEngineProps {
  /** Segments and metric settings, compiled into every function bundle. */
  readonly config: EngineConfig;
  /**
   * The profiles table and its key, typically from a stateful stack (`EngineDataStack`).
   *
   * @default - an `EngineData` (table and key, retained on delete) is created inside this construct
   */
  readonly data?: IEngineData;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** @default 'INFO' */
  readonly logLevel?: EngineLogLevel;
  /**
   * SQS messages per processor invocation (each message packs up to a whole Segment batch).
   *
   * @default 10
   */
  readonly processorBatchSize?: number;
  /**
   * Receives before a message that keeps failing moves to the dead-letter queue.
   *
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * When the re-evaluator looks for profiles whose time-based segments are due.
   *
   * @default Schedule.rate(Duration.hours(1))
   */
  readonly reevaluationSchedule?: Schedule;
  /**
   * Steady-state requests per second and burst for every route of the HTTP API stage.
   *
   * @default { rateLimit: 500, burstLimit: 1000 }
   */
  readonly throttle?: ThrottleSettings;
  /**
   * Where every alarm (dead letters, journey failures and throttles, send failure rate, processor
   * errors, Lambda and start throttles, API 5xx rate) notifies, when it fires and when it clears.
   *
   * @default - the alarms change state without notifying anyone
   */
  readonly alarmTopic?: ITopic;
  /**
   * When the operational alarms fire (see `EngineAlarms`).
   *
   * @default - the defaults of `EngineAlarmThresholds`
   */
  readonly alarmThresholds?: EngineAlarmThresholds;
  /**
   * Whether to create the CloudWatch dashboard (`EngineDashboard`).
   *
   * @default true
   */
  readonly dashboard?: boolean;
  /** @default 'JourneyEngine' */
  readonly metricsNamespace?: string;
  /**
   * Ceiling on StartExecution calls per second across the whole starter fleet. Step Functions
   * refills the StartExecution bucket at 300 per second in the large regions and 150 in the
   * others (account-wide, shared with everything else that starts executions): a segment entry of
   * a million customers is queued on the starts queue and started at this pace instead.
   *
   * @default 100
   */
  readonly maxStartsPerSecond?: number;
  /**
   * Prepended to each journey id to name its state machine (`<prefix><journey id>`, at most 80
   * characters); the processor and starter find a journey's machine by this prefix.
   *
   * @default - the stack name and a hyphen, e.g. `JourneyEngine-`
   */
  readonly stateMachineNamePrefix?: string;
  /**
   * What the journey state machines log to CloudWatch Logs (never execution data).
   *
   * @default LogLevel.ALL - see `Journey` for the cost and the reason
   */
  readonly journeyLogLevel?: LogLevel;
}

/** The Segment HTTP tracking API routes, all served by the ingest function. */
export const INGEST_PATHS = ['/v1/batch', '/v1/track', '/v1/identify', '/v1/page', '/v1/screen', '/v1/group', '/v1/alias'] as const;
export const ADMIN_PATH = '/admin/{proxy+}';

const DEFAULT_THROTTLE: ThrottleSettings = { rateLimit: 500, burstLimit: 1000 };
const PROCESSOR_TIMEOUT = Duration.seconds(60);
const STARTER_TIMEOUT = Duration.seconds(30);
const DEFAULT_MAX_STARTS_PER_SECOND = 100;
/** Journey runs a starter invocation starts per second at most: one StartExecution every 50 ms. */
const STARTS_PER_STARTER = 20;
/** Start requests per starter invocation: at 1 start per second (the slowest pace) 10 s of a 30 s timeout. */
const STARTER_BATCH_SIZE = 10;
/** The SES events the feedback function folds into profiles, message logs and counters. */
const EMAIL_FEEDBACK_EVENTS = [
  EmailSendingEvent.SEND,
  EmailSendingEvent.DELIVERY,
  EmailSendingEvent.BOUNCE,
  EmailSendingEvent.COMPLAINT,
  EmailSendingEvent.OPEN,
  EmailSendingEvent.CLICK,
  EmailSendingEvent.SUBSCRIPTION,
  EmailSendingEvent.REJECT,
  EmailSendingEvent.RENDERING_FAILURE,
];
/** esbuild's `define` travels on one command line; Linux caps one argument at 128 KiB. */
const MAX_CONFIG_CHARS = 100_000;
const LAMBDAS = path.join(__dirname, '..', '..', 'lambdas');

/** Item-level access of the functions that read and write profiles, events and write keys: no Scan. */
const PROFILE_READ_WRITE = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:Query',
];

/**
 * How the starter fleet stays under `maxStartsPerSecond`: the SQS event source runs at most
 * `maxConcurrency` starter invocations at once (2 is the least an SQS event source allows), and
 * each one paces itself to `ratePerSecond` StartExecution calls (`START_RATE_PER_SECOND`), so the
 * fleet never exceeds maxConcurrency x ratePerSecond <= maxStartsPerSecond. The default 100/s runs
 * 5 starters at 20/s each.
 *
 * @example
 * startPacing(100); // { maxConcurrency: 5, ratePerSecond: 20 }
 * startPacing(7); // { maxConcurrency: 2, ratePerSecond: 3 }
 */
export function startPacing(maxStartsPerSecond: number): { maxConcurrency: number; ratePerSecond: number } {
  const maxConcurrency = Math.min(1000, Math.max(2, Math.ceil(maxStartsPerSecond / STARTS_PER_STARTER)));
  return { maxConcurrency, ratePerSecond: Math.floor(maxStartsPerSecond / maxConcurrency) };
}

/** JSON, one line per request; only variables that HTTP APIs define. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    caller: '$context.identity.userArn',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
  }),
);

/**
 * The journey engine's stateless half: the Segment-compatible ingest API, the events queue and its
 * dead-letter queue, the processor that folds events into profiles, the IAM-protected admin API,
 * the hourly re-evaluation of time-based segments, and the journeys: one Standard state machine per
 * journey driven by the journey-task function, a paced starts queue and its starter, and the
 * feedback function that turns SES and SMS delivery events into engine events. Each function is
 * granted only the items and actions it uses.
 *
 * @example
 * const data = new EngineDataStack(app, 'Data').data;
 * new JourneyEngine(stack, 'Engine', { config: { segments: [] }, data, alarmTopic });
 */
export class JourneyEngine extends Construct {
  public readonly apiUrl: string;
  public readonly api: HttpApi;
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  /** Failed re-evaluation runs (from the Lambda retries and from EventBridge delivery). */
  public readonly reevaluationDeadLetterQueue: Queue;
  public readonly table: ITable;
  public readonly key: IKey;
  public readonly ingestFunction: EngineFunction;
  public readonly processorFunction: EngineFunction;
  public readonly adminFunction: EngineFunction;
  public readonly reevaluateFunction: EngineFunction;
  /** Journey runs waiting to be started, fed by the processor, the re-evaluator and the admin API, drained at a steady pace. */
  public readonly startQueue: Queue;
  public readonly startDeadLetterQueue: Queue;
  /** SES and SMS events that still failed after EventBridge's and Lambda's retries. */
  public readonly feedbackDeadLetterQueue: Queue;
  public readonly journeyTaskFunction: EngineFunction;
  public readonly starterFunction: EngineFunction;
  public readonly feedbackFunction: EngineFunction;
  /** One per journey of the configuration, by journey id. */
  public readonly journeys: Readonly<Record<string, Journey>>;
  /** `arn:...:stateMachine:<prefix>`: a journey's state machine ARN is this followed by its id. */
  public readonly stateMachineArnPrefix: string;
  /** The SES configuration set that publishes e-mail events, when `config.messaging.email` is set. */
  public readonly emailConfigurationSet?: ConfigurationSet;
  /** One alarm per dead-letter queue: its first message. */
  public readonly deadLetterAlarms: readonly IAlarm[];
  /** Journey failures and throttles, send failure rate, processor errors, throttles, API 5xx rate. */
  public readonly alarms: EngineAlarms;
  /** Absent when the `dashboard` prop is false. */
  public readonly dashboard?: EngineDashboard;

  public constructor(scope: Construct, id: string, props: JourneyEngineProps) {
    super(scope, id);
    const stateMachineNamePrefix = props.stateMachineNamePrefix ?? `${Stack.of(this).stackName}-`;
    checkProps(props, stateMachineNamePrefix);

    // Build.
    const data = props.data ?? new EngineData(this, 'Data');
    this.table = data.table;
    this.key = data.key;
    const common = {
      config: props.config,
      logRetention: props.logRetention,
      logLevel: props.logLevel,
      metricsNamespace: props.metricsNamespace,
      environment: { TABLE_NAME: this.table.tableName },
    };

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Events', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(PROCESSOR_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
    this.startDeadLetterQueue = new Queue(this, 'StartDeadLetterQueue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.startQueue = new Queue(this, 'Starts', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(STARTER_TIMEOUT.toSeconds() * 6),
      // A segment entry can queue a million starts; at 100/s they drain in under three hours.
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.startDeadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
    // SQS-managed encryption: EventBridge can deliver to them without a key policy on the data key,
    // which lives in another stack. They hold scheduler events, and SES/SMS delivery events that did
    // not go through (message ids and the recipient's address or number, never profiles).
    this.reevaluationDeadLetterQueue = new Queue(this, 'ReevaluationDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.feedbackDeadLetterQueue = new Queue(this, 'FeedbackDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    for (const deadLetterQueue of [this.deadLetterQueue, this.reevaluationDeadLetterQueue, this.startDeadLetterQueue, this.feedbackDeadLetterQueue]) {
      Validations.of(deadLetterQueue).acknowledge({
        id: 'Serverless-SQSRedrivePolicy',
        reason:
          'This queue is itself a dead-letter queue, the end of the line: nothing consumes it automatically, an alarm fires on its first message and operators redrive after fixing the cause. A redrive policy here would only move the same messages to yet another queue.',
      });
    }

    this.ingestFunction = new EngineFunction(this, 'Ingest', {
      ...common,
      entry: path.join(LAMBDAS, 'ingest.ts'),
      description: 'Segment-compatible ingest: validate, stamp and enqueue events',
      serviceName: SERVICE.ingest,
      timeout: Duration.seconds(10),
      environment: { ...common.environment, QUEUE_URL: this.queue.queueUrl },
    });
    this.stateMachineArnPrefix = Stack.of(this).formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineNamePrefix,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.processorFunction = new EngineFunction(this, 'Processor', {
      ...common,
      entry: path.join(LAMBDAS, 'processor.ts'),
      description: 'Fold queued events into profiles, evaluate segments, enter, resume and exit journeys',
      serviceName: SERVICE.processor,
      timeout: PROCESSOR_TIMEOUT,
      environment: {
        ...common.environment,
        START_QUEUE_URL: this.startQueue.queueUrl,
        STATE_MACHINE_ARN_PREFIX: this.stateMachineArnPrefix,
      },
    });
    this.adminFunction = new EngineFunction(this, 'Admin', {
      ...common,
      entry: path.join(LAMBDAS, 'admin.ts'),
      description: 'Admin API: write keys, profiles, events, journey entries',
      serviceName: SERVICE.admin,
      timeout: Duration.seconds(29),
      environment: { ...common.environment, START_QUEUE_URL: this.startQueue.queueUrl },
    });
    this.reevaluateFunction = new EngineFunction(this, 'Reevaluate', {
      ...common,
      entry: path.join(LAMBDAS, 'reevaluate.ts'),
      description: 'Re-evaluate time-based segments of profiles that are due; segment entries and exits start and stop journeys',
      serviceName: SERVICE.reevaluate,
      timeout: Duration.minutes(5),
      deadLetterQueue: this.reevaluationDeadLetterQueue,
      environment: {
        ...common.environment,
        START_QUEUE_URL: this.startQueue.queueUrl,
        STATE_MACHINE_ARN_PREFIX: this.stateMachineArnPrefix,
      },
    });

    this.processorFunction.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: props.processorBatchSize ?? 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
      }),
    );

    this.journeyTaskFunction = new EngineFunction(this, 'JourneyTask', {
      ...common,
      entry: path.join(LAMBDAS, 'journey-task.ts'),
      description: 'Journey steps: send (suppression, rendering, SES / SMS / push), branch, split, waits, profile updates',
      serviceName: SERVICE.journeyTask,
      timeout: Duration.seconds(60),
    });
    const journeys: Record<string, Journey> = {};
    for (const definition of props.config.journeys ?? []) {
      journeys[definition.id] = new Journey(this, `Journey-${definition.id}`, {
        definition,
        taskFunction: this.journeyTaskFunction.function,
        stateMachineNamePrefix,
        logLevel: props.journeyLogLevel,
        logRetention: props.logRetention,
      });
    }
    this.journeys = journeys;

    const pacing = startPacing(props.maxStartsPerSecond ?? DEFAULT_MAX_STARTS_PER_SECOND);
    this.starterFunction = new EngineFunction(this, 'Starter', {
      ...common,
      entry: path.join(LAMBDAS, 'starter.ts'),
      description: 'Start queued journey runs at a steady pace',
      serviceName: SERVICE.starter,
      timeout: STARTER_TIMEOUT,
      environment: {
        ...common.environment,
        STATE_MACHINE_ARN_PREFIX: this.stateMachineArnPrefix,
        START_RATE_PER_SECOND: String(pacing.ratePerSecond),
      },
    });
    // maxConcurrency x START_RATE_PER_SECOND <= maxStartsPerSecond: see startPacing.
    this.starterFunction.function.addEventSource(
      new SqsEventSource(this.startQueue, {
        batchSize: STARTER_BATCH_SIZE,
        maxConcurrency: pacing.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );

    this.feedbackFunction = new EngineFunction(this, 'Feedback', {
      ...common,
      entry: path.join(LAMBDAS, 'feedback.ts'),
      description: 'Fold SES and SMS delivery events into suppression flags, message logs and counters',
      serviceName: SERVICE.feedback,
      timeout: Duration.seconds(30),
      environment: { ...common.environment, QUEUE_URL: this.queue.queueUrl },
      deadLetterQueue: this.feedbackDeadLetterQueue,
    });
    this.emailConfigurationSet = this.buildFeedbackRules(props.config);

    new Rule(this, 'ReevaluationSchedule', {
      description: 'Re-evaluate profiles whose time-based segments are due',
      schedule: props.reevaluationSchedule ?? Schedule.rate(Duration.hours(1)),
      targets: [
        new LambdaFunction(this.reevaluateFunction.function, {
          deadLetterQueue: this.reevaluationDeadLetterQueue,
          retryAttempts: 2,
        }),
      ],
    });

    const { api, stage } = this.buildApi(props);
    this.api = api;
    this.apiUrl = stage.url;

    this.deadLetterAlarms = [
      this.alarmOnDeadLetters('DeadLetterAlarm', this.deadLetterQueue, 'Events failed processing maxReceiveCount times', props.alarmTopic),
      this.alarmOnDeadLetters('ReevaluationDeadLetterAlarm', this.reevaluationDeadLetterQueue, 'A segment re-evaluation run failed', props.alarmTopic),
      this.alarmOnDeadLetters('StartDeadLetterAlarm', this.startDeadLetterQueue, 'Journey runs failed to start maxReceiveCount times', props.alarmTopic),
      this.alarmOnDeadLetters('FeedbackDeadLetterAlarm', this.feedbackDeadLetterQueue, 'SES or SMS delivery events failed processing', props.alarmTopic),
    ];
    const metrics = new EngineMetrics(props.metricsNamespace);
    const functions = {
      ingest: this.ingestFunction.function,
      processor: this.processorFunction.function,
      admin: this.adminFunction.function,
      reevaluate: this.reevaluateFunction.function,
      journeyTask: this.journeyTaskFunction.function,
      starter: this.starterFunction.function,
      feedback: this.feedbackFunction.function,
    };
    const stateMachines = Object.fromEntries(Object.entries(this.journeys).map(([journeyId, journey]) => [journeyId, journey.stateMachine]));
    this.alarms = new EngineAlarms(this, 'Alarms', {
      metrics,
      api: this.api,
      functions,
      stateMachines,
      thresholds: props.alarmThresholds,
      alarmTopic: props.alarmTopic,
    });
    if (props.dashboard ?? true) {
      this.dashboard = new EngineDashboard(this, 'Dashboard', {
        metrics,
        api: this.api,
        eventsQueue: this.queue,
        startQueue: this.startQueue,
        deadLetterQueues: {
          events: this.deadLetterQueue,
          starts: this.startDeadLetterQueue,
          reevaluation: this.reevaluationDeadLetterQueue,
          feedback: this.feedbackDeadLetterQueue,
        },
        functions,
        stateMachines,
        email: props.config.messaging?.email !== undefined,
        alarms: [...this.deadLetterAlarms, ...this.alarms.alarms],
      });
    }

    // Grant.
    this.grantAccess(props, stateMachineNamePrefix);
  }

  /**
   * SES publishes the events of its configuration set, and End User Messaging SMS its delivery
   * status updates, to the default event bus; a rule per channel forwards them to the feedback
   * function, with retries and a dead-letter queue.
   */
  private buildFeedbackRules(config: EngineConfig): ConfigurationSet | undefined {
    const { messaging } = config;
    const target = new LambdaFunction(this.feedbackFunction.function, { deadLetterQueue: this.feedbackDeadLetterQueue, retryAttempts: 8 });
    let configurationSet: ConfigurationSet | undefined;
    if (messaging?.email?.configurationSet) {
      configurationSet = new ConfigurationSet(this, 'EmailConfigurationSet', {
        configurationSetName: messaging.email.configurationSet,
        reputationMetrics: true,
      });
      configurationSet.addEventDestination('ToEventBridge', {
        destination: EventDestination.eventBus(EventBus.fromEventBusName(this, 'DefaultEventBus', 'default')),
        events: EMAIL_FEEDBACK_EVENTS,
      });
      new Rule(this, 'EmailFeedback', {
        description: `SES events of configuration set ${messaging.email.configurationSet} to the feedback function`,
        eventPattern: { source: ['aws.ses'], detail: { mail: { tags: { 'ses:configuration-set': [messaging.email.configurationSet] } } } },
        targets: [target],
      });
    }
    if (smsSettings(config)) {
      new Rule(this, 'SmsFeedback', {
        description: 'End User Messaging SMS delivery status to the feedback function',
        eventPattern: { source: ['aws.sms-voice'], detailType: ['Text Message Delivery Status Updated'] },
        targets: [target],
      });
    }
    return configurationSet;
  }

  private buildApi(props: JourneyEngineProps): { api: HttpApi; stage: HttpStage } {
    const api = new HttpApi(this, 'Api', {
      description: 'Journey engine: Segment-compatible ingest and admin API',
      createDefaultStage: false,
      // Browser SDKs (RudderStack, Segment analytics.js) post cross-origin with the write key in a header.
      corsPreflight: {
        allowOrigins: ['*'],
        allowMethods: [CorsHttpMethod.POST],
        allowHeaders: ['authorization', 'content-type', 'anonymousid'],
        maxAge: Duration.days(1),
      },
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: props.logRetention ?? RetentionDays.ONE_MONTH });
    const stage = new HttpStage(this, 'ApiStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? DEFAULT_THROTTLE,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
    });

    const ingest = new HttpLambdaIntegration('Ingest', this.ingestFunction.function);
    for (const ingestPath of INGEST_PATHS) {
      for (const route of api.addRoutes({ path: ingestPath, methods: [HttpMethod.POST], integration: ingest })) {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'Segment tracking spec: the ingest function authenticates the write key itself (HTTP Basic user name or bearer token, SHA-256 looked up in the table) and answers 401. An API Gateway authorizer would break unmodified Segment and RudderStack SDKs and add a second lookup per request.',
        });
      }
    }
    api.addRoutes({
      path: ADMIN_PATH,
      methods: [HttpMethod.ANY],
      integration: new HttpLambdaIntegration('Admin', this.adminFunction.function),
      authorizer: new HttpIamAuthorizer(),
    });
    return { api, stage };
  }

  private alarmOnDeadLetters(id: string, queue: IQueue, what: string, topic: ITopic | undefined): IAlarm {
    const alarm = new Alarm(this, id, {
      alarmDescription: `${what}: inspect the dead-letter queue, fix the cause, then redrive.`,
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (topic) {
      alarm.addAlarmAction(new SnsAction(topic));
      alarm.addOkAction(new SnsAction(topic));
    }
    return alarm;
  }

  private grantAccess(props: JourneyEngineProps, stateMachineNamePrefix: string): void {
    const tableArn = this.table.tableArn;
    const region = Stack.of(this).region;
    // The key serves only the table and the queues: deny its direct use by the functions.
    const viaServices = { StringEquals: { 'kms:ViaService': [`dynamodb.${region}.amazonaws.com`, `sqs.${region}.amazonaws.com`] } };
    const keyStatement = (...actions: string[]) =>
      new PolicyStatement({ actions, resources: [this.key.keyArn], conditions: viaServices });
    const writerKeyActions = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'];

    // Ingest reads write-key items only, and enqueues.
    this.ingestFunction.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem'],
        resources: [tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${WRITE_KEY_PREFIX}*`] } },
      }),
    );
    this.ingestFunction.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }));
    this.ingestFunction.role.addToPrincipalPolicy(keyStatement('kms:Decrypt', 'kms:GenerateDataKey'));

    // Processor, admin, journey task and feedback work item by item on the table (profiles, runs,
    // claims, message logs, provider message ids, counters); event sources grant their queues.
    for (const fn of [this.processorFunction, this.adminFunction, this.journeyTaskFunction, this.feedbackFunction]) {
      fn.role.addToPrincipalPolicy(new PolicyStatement({ actions: PROFILE_READ_WRITE, resources: [tableArn] }));
      fn.role.addToPrincipalPolicy(keyStatement(...writerKeyActions));
    }

    // Journey runs enter through the starts queue; only the starter calls StartExecution.
    for (const fn of [this.processorFunction, this.adminFunction, this.reevaluateFunction]) {
      fn.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.startQueue.queueArn] }));
    }
    // Without journeys there is nothing to start, stop or resume.
    const stateMachineArns = Object.values(this.journeys).map((journey) => journey.stateMachine.stateMachineArn);
    if (stateMachineArns.length > 0) {
      this.starterFunction.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['states:StartExecution'], resources: stateMachineArns }));
      // The processor and the re-evaluator carry out the same journey decisions (lib/app/journey-effects):
      // stop runs whose exit criteria matched, resume runs waiting for an event that arrived.
      for (const fn of [this.processorFunction, this.reevaluateFunction]) {
        fn.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['states:StopExecution'], resources: [this.executionArnPattern(stateMachineNamePrefix)] }));
        // Step Functions authorizes a task token against the state machine of the waiting execution.
        fn.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['states:SendTaskSuccess'], resources: stateMachineArns }));
        Validations.of(fn.role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${stateMachineNamePrefix}*]`,
          reason:
            'Exit criteria stop a run by its execution ARN, <state machine>:<run id>, and run ids are made per customer and entry: the wildcard covers the executions of this engine\'s journey state machines (the name prefix) and nothing else, for states:StopExecution only.',
        });
      }
    }

    // Feedback turns delivery events into engine events on the events queue.
    this.feedbackFunction.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }));

    this.grantMessaging(props.config);

    // The re-evaluator finds due profiles through the index, then reads and writes them.
    const reevaluate = this.reevaluateFunction.role;
    reevaluate.addToPrincipalPolicy(new PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${tableArn}/index/${EVAL_INDEX}`] }));
    // UpdateItem: the journey counters (entered, exited) of segment entries and exits.
    reevaluate.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'], resources: [tableArn] }),
    );
    reevaluate.addToPrincipalPolicy(keyStatement(...writerKeyActions));

    this.acknowledgeInvocationModel(props);
  }

  /** Executions of the journeys' machines: `execution:<prefix>*` (execution names are per run). */
  private executionArnPattern(stateMachineNamePrefix: string): string {
    return Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${stateMachineNamePrefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /** The journey task sends through the identities, configuration sets and apps of `config.messaging`, and no other. */
  private grantMessaging(config: EngineConfig): void {
    const { messaging } = config;
    const stack = Stack.of(this);
    const role = this.journeyTaskFunction.role;
    const email = messaging?.email;
    if (email) {
      const address = emailAddressOf(email.from);
      const domain = address.slice(address.lastIndexOf('@') + 1);
      // SES authorizes against the address identity when it is verified itself, else its domain's.
      const resources = [address, domain].map((name) => stack.formatArn({ service: 'ses', resource: 'identity', resourceName: name }));
      if (email.configurationSet) {
        resources.push(stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: email.configurationSet }));
      }
      // ListManagementOptions (one-click unsubscribe) makes SendEmail act on the contact list too.
      if (email.contactList) {
        resources.push(stack.formatArn({ service: 'ses', resource: 'contact-list', resourceName: email.contactList }));
      }
      role.addToPrincipalPolicy(new PolicyStatement({ actions: ['ses:SendEmail'], resources }));
    }
    const sms = smsSettings(config);
    if (sms) {
      const smsArn = (resource: string, resourceName: string) => stack.formatArn({ service: 'sms-voice', resource, resourceName });
      // A phone number, sender id or pool given by number or id has an ARN we cannot derive
      // (phone-number/<phone id>): then any origination identity of this account and region.
      const origination = sms.originationIdentity?.startsWith('arn:')
        ? [sms.originationIdentity]
        : [smsArn('phone-number', '*'), smsArn('sender-id', '*'), smsArn('pool', '*')];
      const resources = sms.configurationSet ? [...origination, smsArn('configuration-set', sms.configurationSet)] : origination;
      role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sms-voice:SendTextMessage'], resources }));
      if (!sms.originationIdentity?.startsWith('arn:')) {
        Validations.of(role).acknowledge(
          ...['phone-number', 'sender-id', 'pool'].map((resource) => ({
            id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sms-voice:<AWS::Region>:<AWS::AccountId>:${resource}/*]`,
            reason:
              'config.messaging.sms.originationIdentity is a phone number, sender id or pool id, not an ARN, or absent: the ARN of a phone number carries its generated id (phone-number/phone-...), unknown at synth. The grant is only sms-voice:SendTextMessage, within this account and region; give the identity as an ARN to narrow it.',
          })),
        );
      }
    }
    if (messaging?.push) {
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['mobiletargeting:SendMessages'],
          resources: [stack.formatArn({ service: 'mobiletargeting', resource: 'apps', resourceName: `${messaging.push.applicationId}/messages` })],
        }),
      );
    }
  }

  /** Serverless-pack findings that do not apply to how each function is invoked. */
  private acknowledgeInvocationModel(props: JourneyEngineProps): void {
    for (const fn of [this.ingestFunction, this.adminFunction]) {
      Validations.of(fn.function).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason:
          'Invoked synchronously by API Gateway: a Lambda dead-letter queue only receives failed asynchronous invocations. Errors return to the caller as 5xx, and Segment/RudderStack clients retry.',
      });
    }
    const queueConsumers: Array<[EngineFunction, string]> = [
      [this.processorFunction, 'events queue'],
      [this.starterFunction, 'starts queue'],
    ];
    for (const [fn, queue] of queueConsumers) {
      Validations.of(fn.function).acknowledge(
        {
          id: 'Serverless-LambdaDLQ',
          reason: `Invoked synchronously by an SQS event source mapping: failed messages move to the ${queue}'s own dead-letter queue after ${props.maxReceiveCount ?? 5} receives (redrive policy), which is alarmed.`,
        },
        {
          id: 'Serverless-LambdaEventSourceMappingDestination',
          reason:
            "On-failure destinations exist only for stream and Kafka event sources; for an SQS source the queue's redrive policy to the dead-letter queue is the failure destination.",
        },
      );
    }
    Validations.of(this.journeyTaskFunction.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        "Invoked synchronously by the journey state machines: a failed task returns its error to the execution, whose Retry policies back off on transient errors and whose Catch records the run as failed. A Lambda dead-letter queue only receives failed asynchronous invocations.",
    });
  }
}

function checkProps(props: JourneyEngineProps, stateMachineNamePrefix: string): void {
  const problems: string[] = [];
  const { processorBatchSize, maxReceiveCount, throttle, maxStartsPerSecond } = props;
  if (!Array.isArray(props.config?.segments)) {
    problems.push('config.segments must be an array of segment definitions (use [] for none)');
  } else {
    const chars = JSON.stringify(props.config).length;
    if (chars > MAX_CONFIG_CHARS) {
      problems.push(`config is ${chars} characters of JSON; at most ${MAX_CONFIG_CHARS} fit in the bundler's command line: move large data out of the config`);
    }
  }
  if (Array.isArray(props.config?.segments)) {
    // The same checks the functions run at cold start: what synthesises also starts.
    const { config, problems: configProblems } = checkEngineConfig(props.config);
    const journeys = config.journeys ?? [];
    problems.push(...configProblems);
    if (!/^[A-Za-z0-9_-]*$/.test(stateMachineNamePrefix)) {
      problems.push(`stateMachineNamePrefix may hold only letters, digits, "-" and "_", got "${stateMachineNamePrefix}"`);
    }
    for (const journey of journeys) {
      const name = `${stateMachineNamePrefix}${journey.id}`;
      if (name.length > 80) {
        problems.push(`journey "${journey.id}": state machine name "${name}" is ${name.length} characters, at most 80: shorten stateMachineNamePrefix (default: the stack name and "-") or the journey id`);
      }
    }
    const email = props.config.messaging?.email;
    if (email && !email.configurationSet) {
      problems.push('config.messaging.email.configurationSet is required: bounces, complaints and unsubscribes reach the engine only through the configuration set\'s events, and no one may be e-mailed again after one');
    }
  }
  if (maxStartsPerSecond !== undefined && !isIntegerIn(maxStartsPerSecond, 2, 10_000)) {
    problems.push(`maxStartsPerSecond must be an integer from 2 to 10000 (StartExecution calls per second across the starters), got ${maxStartsPerSecond}`);
  }
  if (processorBatchSize !== undefined && !isIntegerIn(processorBatchSize, 1, 10_000)) {
    problems.push(`processorBatchSize must be an integer from 1 to 10000, got ${processorBatchSize}`);
  }
  if (maxReceiveCount !== undefined && !isIntegerIn(maxReceiveCount, 1, 1000)) {
    problems.push(`maxReceiveCount must be an integer from 1 to 1000, got ${maxReceiveCount}`);
  }
  if (throttle !== undefined) {
    if (throttle.rateLimit === undefined || !(throttle.rateLimit > 0)) {
      problems.push(`throttle.rateLimit must be a positive number of requests per second, got ${throttle.rateLimit}`);
    }
    if (throttle.burstLimit === undefined || !isIntegerIn(throttle.burstLimit, 1, Number.MAX_SAFE_INTEGER)) {
      problems.push(`throttle.burstLimit must be a positive integer, got ${throttle.burstLimit}`);
    }
  }
  problems.push(...thresholdProblems(props.alarmThresholds));
  if (problems.length > 0) {
    throw new Error(`Invalid JourneyEngineProps:\n  - ${problems.join('\n  - ')}`);
  }
}

/**
 * SMS needs no settings (End User Messaging then picks an origination identity itself): a journey
 * that texts is enough to send, and to want the delivery events.
 */
function smsSettings(config: EngineConfig): MessagingConfig['sms'] {
  const textsSomeone = (config.journeys ?? []).some((journey) => journey.steps.some((step) => step.type === 'send' && step.channel === 'sms'));
  return config.messaging?.sms ?? (textsSomeone ? {} : undefined);
}


/** `halo@tokokita.co.id` from `"Toko Kita" <halo@tokokita.co.id>` or from a bare address. */
function emailAddressOf(from: string): string {
  const match = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(from);
  return (match ? match[1] : from).trim();
}

function isIntegerIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}
