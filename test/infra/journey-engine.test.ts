import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EngineData } from '../../lib/infrastructure/engine-data';
import { EngineFunction } from '../../lib/infrastructure/engine-function';
import { INGEST_PATHS, JourneyEngine } from '../../lib/infrastructure/journey-engine';
import { EngineDataStack, EngineStack } from '../../lib/infrastructure/stacks';

const config = { segments: [] };

/** Bundling skipped: these tests look at the templates, not at the code inside the assets. */
function newApp(): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [] } });
}

function deployBoth() {
  const app = newApp();
  const dataStack = new EngineDataStack(app, 'Data');
  const engineStack = new EngineStack(app, 'Engine', { config, data: dataStack.data });
  return { data: Template.fromStack(dataStack), engine: Template.fromStack(engineStack), dataStack, engineStack };
}

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };

function statementsOf(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement as Statement[],
  );
}

function actionsOf(statement: Statement): string[] {
  return ([] as string[]).concat(statement.Action);
}

/** The statements of the inline/default policies attached to the role whose logical id starts with `prefix`. */
function roleStatements(template: Template, prefix: string): Statement[] {
  const roleId = Object.keys(template.findResources('AWS::IAM::Role')).find((id) => id.startsWith(prefix));
  expect(roleId).toBeDefined();
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

describe('EngineDataStack', () => {
  const { data, dataStack } = deployBoth();

  it('keeps profiles in an on-demand table with PITR, a customer-managed key, TTL and the evaluation index', () => {
    data.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] } },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      DeletionProtectionEnabled: true,
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byNextEvaluation',
          KeySchema: [
            { AttributeName: 'evalBucket', KeyType: 'HASH' },
            { AttributeName: 'nextEvaluationAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    });
  });

  it('retains the table and the rotated key, and protects the stack from termination', () => {
    data.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    data.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ EnableKeyRotation: true }) });
    expect(dataStack.terminationProtection).toBe(true);
  });
});

describe('EngineStack', () => {
  const { engine } = deployBoth();

  it('queues events encrypted with the data key, with an SSL-only policy and a redrive to a 14-day DLQ', () => {
    engine.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::ImportValue': Match.anyValue() },
      VisibilityTimeout: 360,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetterQueue'), 'Arn'] }, maxReceiveCount: 5 },
    });
    engine.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::ImportValue': Match.anyValue() },
      MessageRetentionPeriod: 1209600,
      RedrivePolicy: Match.absent(),
    });
    engine.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('alarms as soon as the dead-letter queue holds a message', () => {
    engine.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EngineDeadLetterQueue'), 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
    });
  });

  it('feeds the processor from the queue in batches of 10 with partial batch failures', () => {
    engine.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EngineEvents'), 'Arn'] },
    });
  });

  it('runs seven arm64 Node.js functions with tracing, their own log groups and the shared environment', () => {
    const functions = engine.findResources('AWS::Lambda::Function');
    expect(Object.keys(functions)).toHaveLength(7);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties).toMatchObject({
        Architectures: ['arm64'],
        Runtime: 'nodejs24.x',
        TracingConfig: { Mode: 'Active' },
        MemorySize: 512,
        LoggingConfig: { LogGroup: { Ref: expect.stringMatching(/Logs/) } },
        Environment: {
          Variables: {
            TABLE_NAME: { 'Fn::ImportValue': expect.any(String) },
            POWERTOOLS_METRICS_NAMESPACE: 'JourneyEngine',
            POWERTOOLS_SERVICE_NAME: expect.any(String),
            LOG_LEVEL: 'INFO',
          },
        },
      });
      // The configuration is compiled into the bundle, never put in the 4 KB environment.
      expect(fn.Properties.Environment.Variables.ENGINE_CONFIG).toBeUndefined();
    }
    engine.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'ingest', QUEUE_URL: { Ref: Match.stringLikeRegexp('^EngineEvents') } }) },
    });
    // Seven function log groups and the API access log group (no journeys here), all with a month's retention.
    const logGroups = Object.values(engine.findResources('AWS::Logs::LogGroup'));
    expect(logGroups).toHaveLength(8);
    for (const group of logGroups) expect(group.Properties.RetentionInDays).toBe(30);
  });

  it('serves the seven Segment routes without an authorizer and the admin API with IAM auth', () => {
    for (const ingestPath of INGEST_PATHS) {
      engine.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: `POST ${ingestPath}`, AuthorizationType: 'NONE' });
    }
    engine.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'ANY /admin/{proxy+}', AuthorizationType: 'AWS_IAM' });
    engine.resourceCountIs('AWS::ApiGatewayV2::Route', INGEST_PATHS.length + 1);
  });

  it('throttles the stage and writes JSON access logs', () => {
    engine.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ApiAccessLogs'), 'Arn'] }, Format: Match.stringLikeRegexp('"requestId"') },
    });
  });

  it('re-evaluates on an hourly schedule with a dead-letter queue for failed deliveries', () => {
    engine.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      Targets: [Match.objectLike({ DeadLetterConfig: { Arn: Match.anyValue() }, RetryPolicy: { MaximumRetryAttempts: 2 } })],
    });
    engine.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'reevaluate' }) },
      DeadLetterConfig: { TargetArn: Match.anyValue() },
    });
  });

  it('lets the ingest role read write-key items only, and only send to the queue', () => {
    const statements = roleStatements(engine, 'EngineIngestRole');
    const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo).toEqual([
      expect.objectContaining({
        Action: 'dynamodb:GetItem',
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['WRITEKEY#*'] } },
        Resource: { 'Fn::ImportValue': expect.any(String) },
      }),
    ]);
    const sqs = statements.flatMap(actionsOf).filter((a) => a.startsWith('sqs:'));
    expect(sqs).toEqual(['sqs:SendMessage']);
    const services = new Set(statements.flatMap(actionsOf).map((a) => a.split(':')[0]));
    expect([...services].sort()).toEqual(['dynamodb', 'kms', 'logs', 'sqs', 'xray']);
  });

  it('lets the re-evaluator query only the evaluation index', () => {
    const query = roleStatements(engine, 'EngineReevaluateRole').filter((s) => actionsOf(s).includes('dynamodb:Query'));
    expect(query).toHaveLength(1);
    expect(JSON.stringify(query[0].Resource)).toContain('/index/byNextEvaluation');
  });

  it('grants no Scan and no wildcard action anywhere', () => {
    for (const statement of statementsOf(engine)) {
      for (const action of actionsOf(statement)) {
        expect(action).not.toBe('*');
        expect(action).not.toMatch(/^dynamodb:(\*|Scan)$/);
        expect(action).not.toMatch(/:\*$/);
      }
    }
  });
});

describe('JourneyEngine', () => {
  it('plugs into another team\'s plain stacks, with the data passed from their stateful stack', () => {
    const app = newApp();
    const theirData = new Stack(app, 'TheirData');
    const data = new EngineData(theirData, 'Profiles');
    const theirs = new Stack(app, 'TheirService');
    const engine = new JourneyEngine(theirs, 'Journeys', { config, data, processorBatchSize: 5, maxReceiveCount: 3 });

    const template = Template.fromStack(theirs);
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 5 });
    template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }) });
    Template.fromStack(theirData).resourceCountIs('AWS::DynamoDB::Table', 1);
    expect(engine.table).toBe(data.table);
    expect(theirs.dependencies).toContain(theirData);
  });

  it('creates its own table and key when no data is passed', () => {
    const app = newApp();
    const stack = new Stack(app, 'AllInOne');
    new JourneyEngine(stack, 'Journeys', { config });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^JourneysDataKey'), 'Arn'] } });
  });

  it('applies the schedule, throttle and alarm topic it is given', () => {
    const app = newApp();
    const stack = new Stack(app, 'Tuned');
    const alarmTopic = new Topic(stack, 'Alarms');
    new JourneyEngine(stack, 'Journeys', {
      config,
      reevaluationSchedule: Schedule.rate(Duration.minutes(15)),
      throttle: { rateLimit: 50, burstLimit: 100 },
      alarmTopic,
      metricsNamespace: 'Shop',
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 } });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alarms') }] });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_METRICS_NAMESPACE: 'Shop' }) },
    });
  });

  it('reports every invalid prop at once', () => {
    const stack = new Stack(newApp(), 'Invalid');
    expect(() =>
      new JourneyEngine(stack, 'Journeys', {
        config,
        processorBatchSize: 0,
        maxReceiveCount: 2.5,
        throttle: { rateLimit: -1, burstLimit: 10 },
      }),
    ).toThrow(/processorBatchSize must be an integer from 1 to 10000, got 0\n.*maxReceiveCount must be an integer from 1 to 1000, got 2.5\n.*throttle.rateLimit/);
  });
});

describe('EngineFunction', () => {
  it('compiles the engine configuration into the bundle instead of the environment', () => {
    // NodejsFunction wants its entry under the project root: use the (git-ignored) tool cache.
    const cache = path.join(__dirname, '..', '..', 'node_modules', '.cache');
    fs.mkdirSync(cache, { recursive: true });
    const dir = fs.mkdtempSync(path.join(cache, 'engine-function-'));
    const entry = path.join(dir, 'echo.ts');
    fs.writeFileSync(entry, 'export const handler = async () => process.env.ENGINE_CONFIG;\n');
    const app = new App({ outdir: path.join(dir, 'cdk.out') });
    const stack = new Stack(app, 'Bundled');
    new EngineFunction(stack, 'Echo', {
      entry,
      config: { segments: [], currency: 'EUR' },
      serviceName: 'echo',
      timeout: Duration.seconds(3),
    });

    const assembly = app.synth();
    const [asset] = fs.readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'));
    const bundle = fs.readFileSync(path.join(assembly.directory, asset, 'index.js'), 'utf8');
    expect(bundle).toContain('{"segments":[],"currency":"EUR"}');
    expect(bundle).not.toContain('process.env.ENGINE_CONFIG');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
