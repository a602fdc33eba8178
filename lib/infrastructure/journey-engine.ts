import * as path from 'node:path';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
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
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ITopic } from 'aws-cdk-lib/aws-sns';
import { IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVAL_INDEX, WRITE_KEY_PREFIX } from '../adapters/table-keys';
import type { EngineConfig } from '../core/config';
import { EngineData, IEngineData } from './engine-data';
import { EngineFunction, EngineLogLevel } from './engine-function';

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
   * Where the dead-letter alarms notify.
   *
   * @default - the alarms change state without notifying anyone
   */
  readonly alarmTopic?: ITopic;
  /** @default 'JourneyEngine' */
  readonly metricsNamespace?: string;
}

/** The Segment HTTP tracking API routes, all served by the ingest function. */
export const INGEST_PATHS = ['/v1/batch', '/v1/track', '/v1/identify', '/v1/page', '/v1/screen', '/v1/group', '/v1/alias'] as const;
export const ADMIN_PATH = '/admin/{proxy+}';

const DEFAULT_THROTTLE: ThrottleSettings = { rateLimit: 500, burstLimit: 1000 };
const PROCESSOR_TIMEOUT = Duration.seconds(60);
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
 * dead-letter queue, the processor that folds events into profiles, the IAM-protected admin API and
 * the hourly re-evaluation of time-based segments. Each function is granted only the items and
 * actions it uses.
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

  public constructor(scope: Construct, id: string, props: JourneyEngineProps) {
    super(scope, id);
    checkProps(props);

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
    // SQS-managed encryption: EventBridge can deliver to it without a key policy on the data key,
    // which lives in another stack. It holds scheduler events, never customer data.
    this.reevaluationDeadLetterQueue = new Queue(this, 'ReevaluationDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    for (const deadLetterQueue of [this.deadLetterQueue, this.reevaluationDeadLetterQueue]) {
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
      serviceName: 'ingest',
      timeout: Duration.seconds(10),
      environment: { ...common.environment, QUEUE_URL: this.queue.queueUrl },
    });
    this.processorFunction = new EngineFunction(this, 'Processor', {
      ...common,
      entry: path.join(LAMBDAS, 'processor.ts'),
      description: 'Fold queued events into profiles and evaluate segments',
      serviceName: 'processor',
      timeout: PROCESSOR_TIMEOUT,
    });
    this.adminFunction = new EngineFunction(this, 'Admin', {
      ...common,
      entry: path.join(LAMBDAS, 'admin.ts'),
      description: 'Admin API: write keys, profiles, events',
      serviceName: 'admin',
      timeout: Duration.seconds(29),
    });
    this.reevaluateFunction = new EngineFunction(this, 'Reevaluate', {
      ...common,
      entry: path.join(LAMBDAS, 'reevaluate.ts'),
      description: 'Re-evaluate time-based segments of profiles that are due',
      serviceName: 'reevaluate',
      timeout: Duration.minutes(5),
      deadLetterQueue: this.reevaluationDeadLetterQueue,
    });

    this.processorFunction.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: props.processorBatchSize ?? 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
      }),
    );

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

    this.alarmOnDeadLetters('DeadLetterAlarm', this.deadLetterQueue, 'Events failed processing maxReceiveCount times', props.alarmTopic);
    this.alarmOnDeadLetters('ReevaluationDeadLetterAlarm', this.reevaluationDeadLetterQueue, 'A segment re-evaluation run failed', props.alarmTopic);

    // Grant.
    this.grantAccess(props);
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

  private alarmOnDeadLetters(id: string, queue: IQueue, what: string, topic: ITopic | undefined): void {
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
  }

  private grantAccess(props: JourneyEngineProps): void {
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

    // Processor and admin work item by item on the table (the event source grants the queue).
    for (const fn of [this.processorFunction, this.adminFunction]) {
      fn.role.addToPrincipalPolicy(new PolicyStatement({ actions: PROFILE_READ_WRITE, resources: [tableArn] }));
      fn.role.addToPrincipalPolicy(keyStatement(...writerKeyActions));
    }

    // The re-evaluator finds due profiles through the index, then reads and writes them.
    const reevaluate = this.reevaluateFunction.role;
    reevaluate.addToPrincipalPolicy(new PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${tableArn}/index/${EVAL_INDEX}`] }));
    reevaluate.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:BatchWriteItem'], resources: [tableArn] }),
    );
    reevaluate.addToPrincipalPolicy(keyStatement(...writerKeyActions));

    this.acknowledgeInvocationModel(props);
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
    Validations.of(this.processorFunction.function).acknowledge(
      {
        id: 'Serverless-LambdaDLQ',
        reason: `Invoked synchronously by an SQS event source mapping: failed messages move to the events queue's own dead-letter queue after ${props.maxReceiveCount ?? 5} receives (redrive policy), which is alarmed.`,
      },
      {
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          "On-failure destinations exist only for stream and Kafka event sources; for an SQS source the queue's redrive policy to the dead-letter queue is the failure destination.",
      },
    );
  }
}

function checkProps(props: JourneyEngineProps): void {
  const problems: string[] = [];
  const { processorBatchSize, maxReceiveCount, throttle } = props;
  if (!Array.isArray(props.config?.segments)) {
    problems.push('config.segments must be an array of segment definitions (use [] for none)');
  } else {
    const chars = JSON.stringify(props.config).length;
    if (chars > MAX_CONFIG_CHARS) {
      problems.push(`config is ${chars} characters of JSON; at most ${MAX_CONFIG_CHARS} fit in the bundler's command line: move large data out of the config`);
    }
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
  if (problems.length > 0) {
    throw new Error(`Invalid JourneyEngineProps:\n  - ${problems.join('\n  - ')}`);
  }
}

function isIntegerIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}
