import { Duration, Validations } from 'aws-cdk-lib';
import { IGrantable, IPrincipal, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { EngineConfig } from '../core/config';
import { DEFAULT_METRICS_NAMESPACE } from './metrics';

/** Powertools log levels, passed to the handlers as `LOG_LEVEL`. */
export type EngineLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface EngineFunctionProps {
  /** Path of the handler file; it must `export const handler`. */
  readonly entry: string;
  /** Baked into the bundle as `process.env.ENGINE_CONFIG` (too large for a Lambda environment variable). */
  readonly config: EngineConfig;
  /** `POWERTOOLS_SERVICE_NAME`: the service dimension of the function's logs, metrics and traces. */
  readonly serviceName: string;
  /** How long the handler may run. */
  readonly timeout: Duration;
  /** @default - no description */
  readonly description?: string;
  /** @default 'JourneyEngine' */
  readonly metricsNamespace?: string;
  /** @default 'INFO' */
  readonly logLevel?: EngineLogLevel;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** @default 512 */
  readonly memorySize?: number;
  /** Extra environment variables, e.g. `TABLE_NAME`. @default - none */
  readonly environment?: Record<string, string>;
  /**
   * Where asynchronous invocations that still fail after Lambda's retries go. Only meaningful for
   * functions invoked asynchronously (EventBridge): API Gateway and SQS invoke synchronously.
   *
   * @default - no dead-letter queue
   */
  readonly deadLetterQueue?: IQueue;
}

export { DEFAULT_METRICS_NAMESPACE };

/**
 * One engine Lambda function with the defaults every handler shares: Node.js 24 on arm64, X-Ray
 * active tracing, its own log group with a retention period, a role of its own that holds only what
 * it is granted (no AWS managed policy), and a minified CJS bundle with the engine configuration
 * compiled in.
 *
 * The AWS SDK is bundled rather than taken from the runtime: the handlers then run the exact
 * `@aws-sdk/*` versions pinned in package-lock.json, the ones the unit tests (aws-sdk-client-mock)
 * and local mode exercise, instead of whatever version the managed runtime carries that week.
 * Tree-shaken and minified, the clients we use add little to the cold start.
 *
 * @example
 * const ingest = new EngineFunction(this, 'Ingest', {
 *   entry: 'lambdas/ingest.ts', config, serviceName: 'ingest', timeout: Duration.seconds(10),
 * });
 * queue.grantSendMessages(ingest);
 */
export class EngineFunction extends Construct implements IGrantable {
  public readonly function: NodejsFunction;
  public readonly role: Role;
  public readonly logGroup: LogGroup;
  public readonly grantPrincipal: IPrincipal;

  public constructor(scope: Construct, id: string, props: EngineFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention ?? RetentionDays.ONE_MONTH });
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      deadLetterQueue: props.deadLetterQueue,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE,
        LOG_LEVEL: props.logLevel ?? 'INFO',
        // Stack traces in the logs point at the TypeScript sources, through the bundled source map.
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        target: 'node24',
        format: OutputFormat.CJS,
        bundleAwsSDK: true,
        define: { 'process.env.ENGINE_CONFIG': JSON.stringify(JSON.stringify(props.config)) },
      },
    });
    this.grantPrincipal = this.function.grantPrincipal;

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions: X-Ray requires Resource "*". Every other statement of this role names its table, index, queue, key or log group.',
    });
  }
}
