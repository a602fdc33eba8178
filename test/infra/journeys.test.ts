import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { LogLevel } from 'aws-cdk-lib/aws-stepfunctions';
import type { EngineConfig } from '../../lib/core/config';
import { JourneyEngine, startPacing } from '../../lib/infrastructure/journey-engine';
import { TASK_FUNCTION_ARN_SUBSTITUTION } from '../../lib/infrastructure/journey';
import { EngineDataStack, EngineStack } from '../../lib/infrastructure/stacks';
import { indonesiaConfig } from '../../examples/indonesia';
import { FAKE_TASK_FUNCTION_ARN, journeyConfig } from './journey-config';

// asl-validator ships no types; it also writes QueryLanguage into the states it checks, so give it a copy.
const aslValidator = require('asl-validator') as (definition: unknown) => { isValid: boolean; errorsText: (separator?: string) => string };

/** Bundling skipped: these tests look at the templates, not at the code inside the assets. */
function newApp(): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [] } });
}

function deploy(config: EngineConfig = journeyConfig, props: { maxStartsPerSecond?: number; stateMachineNamePrefix?: string } = {}) {
  const app = newApp();
  const dataStack = new EngineDataStack(app, 'Data');
  const engineStack = new EngineStack(app, 'Engine', { config, data: dataStack.data, ...props });
  return { template: Template.fromStack(engineStack), engineStack };
}

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };
type Resource = { Type: string; Properties: Record<string, any> };

const actionsOf = (statement: Statement): string[] => ([] as string[]).concat(statement.Action);
const resourcesOf = (statement: Statement): unknown[] => ([] as unknown[]).concat(statement.Resource);

function statementsOf(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

/** The statements of the policies attached to the role whose logical id starts with `prefix`. */
function roleStatements(template: Template, prefix: string): Statement[] {
  const roleId = Object.keys(template.findResources('AWS::IAM::Role')).find((id) => id.startsWith(prefix));
  expect(roleId).toBeDefined();
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

function logicalIdOf(template: Template, type: string, prefix: string): string {
  const id = Object.keys(template.findResources(type)).find((candidate) => candidate.startsWith(prefix));
  expect(id).toBeDefined();
  return id as string;
}

function stateMachines(template: Template): Record<string, Resource> {
  return template.findResources('AWS::StepFunctions::StateMachine') as Record<string, Resource>;
}

/**
 * The definition CloudFormation hands Step Functions: the DefinitionString (a literal, or a
 * Fn::Join of literals and the function ARN) with the task function's ARN substituted.
 */
function deployedDefinition(machine: Resource, taskFunctionId: string): any {
  const isTaskArn = (value: unknown) => JSON.stringify(value) === JSON.stringify({ 'Fn::GetAtt': [taskFunctionId, 'Arn'] });
  const raw = machine.Properties.DefinitionString;
  const text: string =
    typeof raw === 'string'
      ? raw
      : (raw['Fn::Join'][1] as unknown[])
          .map((part) => {
            if (typeof part === 'string') return part;
            if (isTaskArn(part)) return FAKE_TASK_FUNCTION_ARN;
            throw new Error(`unexpected token in DefinitionString: ${JSON.stringify(part)}`);
          })
          .join('');
  const substitutions: Record<string, unknown> = machine.Properties.DefinitionSubstitutions ?? {};
  const substituted = Object.entries(substitutions).reduce((acc, [name, value]) => {
    if (!isTaskArn(value)) throw new Error(`unexpected substitution ${name}: ${JSON.stringify(value)}`);
    return acc.split(`\${${name}}`).join(FAKE_TASK_FUNCTION_ARN);
  }, text);
  expect(substituted).not.toMatch(/\$\{[A-Za-z]/);
  return JSON.parse(substituted);
}

/** Every key path in `value` that only JSONata state machines use (local mode ignores them). */
function jsonataFields(value: unknown, at = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => jsonataFields(item, `${at}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => [
    ...(['Arguments', 'Output', 'Assign'].includes(key) || (key === 'QueryLanguage' && child !== 'JSONPath') ? [`${at}.${key}`] : []),
    ...jsonataFields(child, `${at}.${key}`),
  ]);
}

describe('journey state machines', () => {
  const { template } = deploy();
  const taskFunctionId = logicalIdOf(template, 'AWS::Lambda::Function', 'EngineJourneyTaskFunction');

  it('creates one Standard state machine per journey, named after the stack and the journey id', () => {
    const names = Object.values(stateMachines(template)).map((machine) => machine.Properties.StateMachineName);
    expect(names.sort()).toEqual(['Engine-cart-abandonment', 'Engine-welcome']);
    for (const machine of Object.values(stateMachines(template))) {
      expect(machine.Properties).toMatchObject({
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
        DefinitionSubstitutions: { [TASK_FUNCTION_ARN_SUBSTITUTION]: { 'Fn::GetAtt': [taskFunctionId, 'Arn'] } },
      });
    }
  });

  it('logs each journey to its own vended-logs group with a retention period', () => {
    for (const name of ['Engine-cart-abandonment', 'Engine-welcome']) {
      template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: `/aws/vendedlogs/states/${name}`, RetentionInDays: 30 });
    }
  });

  it.each(journeyConfig.journeys!.map((journey) => [journey.id]))('deploys a valid JSONPath definition for %s', (journeyId) => {
    const [machine] = Object.values(stateMachines(template)).filter((m) => m.Properties.StateMachineName === `Engine-${journeyId}`);
    const definition = deployedDefinition(machine, taskFunctionId);

    expect(jsonataFields(definition)).toEqual([]);
    const { isValid, errorsText } = aslValidator(structuredClone(definition));
    expect(isValid ? '' : errorsText('\n')).toBe('');
    // Every Task reaches the journey-task function, directly or through the callback integration.
    const tasks = Object.values(definition.States as Record<string, any>).filter((state) => state.Type === 'Task');
    expect(tasks.length).toBeGreaterThan(0);
    for (const task of tasks) {
      expect([task.Resource, task.Parameters?.FunctionName]).toContain(FAKE_TASK_FUNCTION_ARN);
    }
  });

  it('deploys the example app\'s journeys as valid JSONPath definitions too', () => {
    const { template: example } = deploy(indonesiaConfig);
    const exampleTaskId = logicalIdOf(example, 'AWS::Lambda::Function', 'EngineJourneyTaskFunction');
    const machines = Object.values(stateMachines(example));
    expect(machines.map((m) => m.Properties.StateMachineName).sort()).toEqual(indonesiaConfig.journeys!.map((j) => `Engine-${j.id}`).sort());
    for (const machine of machines) {
      const definition = deployedDefinition(machine, exampleTaskId);
      expect(jsonataFields(definition)).toEqual([]);
      const { isValid, errorsText } = aslValidator(structuredClone(definition));
      expect({ name: machine.Properties.StateMachineName, errors: isValid ? '' : errorsText('\n') }).toEqual({ name: machine.Properties.StateMachineName, errors: '' });
    }
  });

  it('lets each state machine role invoke the task function and nothing else but its own logging and tracing', () => {
    const roleIds = Object.values(stateMachines(template)).map((machine) => machine.Properties.RoleArn['Fn::GetAtt'][0] as string);
    expect(new Set(roleIds).size).toBe(2);
    for (const roleId of roleIds) {
      const statements = roleStatements(template, roleId);
      const invoke = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('lambda:')));
      expect(invoke).toEqual([
        expect.objectContaining({ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [taskFunctionId, 'Arn'] } }),
      ]);
      // The rest is what Step Functions itself needs for vended logs and X-Ray, which take no resource.
      const others = statements.filter((s) => !invoke.includes(s));
      for (const statement of others) {
        expect(statement.Resource).toBe('*');
        for (const action of actionsOf(statement)) {
          expect(action).toMatch(/^(logs:(Create|Get|Update|Delete|List)LogDeliver(y|ies)|logs:PutResourcePolicy|logs:DescribeResourcePolicies|logs:DescribeLogGroups|xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets))$/);
        }
      }
    }
  });

  it('takes the name prefix and the log level it is given', () => {
    const app = newApp();
    const stack = new Stack(app, 'Shop');
    new JourneyEngine(stack, 'Engine', { config: journeyConfig, stateMachineNamePrefix: 'toko_', journeyLogLevel: LogLevel.ERROR });
    const shop = Template.fromStack(stack);
    const names = Object.values(stateMachines(shop)).map((machine) => machine.Properties.StateMachineName);
    expect(names.sort()).toEqual(['toko_cart-abandonment', 'toko_welcome']);
    shop.hasResourceProperties('AWS::StepFunctions::StateMachine', { LoggingConfiguration: Match.objectLike({ Level: 'ERROR' }) });
    shop.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ STATE_MACHINE_ARN_PREFIX: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':stateMachine:toko_$')])] } }) },
    });
  });
});

describe('starting journeys at a steady pace', () => {
  it.each([2, 3, 7, 20, 21, 99, 100, 101, 300, 1000, 10_000])('never lets %i starts/s be exceeded', (maxStartsPerSecond) => {
    const { maxConcurrency, ratePerSecond } = startPacing(maxStartsPerSecond);
    expect(maxConcurrency).toBeGreaterThanOrEqual(2);
    expect(maxConcurrency).toBeLessThanOrEqual(1000);
    expect(ratePerSecond).toBeGreaterThanOrEqual(1);
    expect(maxConcurrency * ratePerSecond).toBeLessThanOrEqual(maxStartsPerSecond);
  });

  it.each([undefined, 30])('bounds the starter fleet by maxConcurrency x START_RATE_PER_SECOND <= maxStartsPerSecond (%s)', (maxStartsPerSecond) => {
    const { template } = deploy(journeyConfig, { maxStartsPerSecond });
    const starterId = logicalIdOf(template, 'AWS::Lambda::Function', 'EngineStarterFunction');
    const mapping = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).find(
      (m) => JSON.stringify(m.Properties.FunctionName) === JSON.stringify({ Ref: starterId }),
    );
    expect(mapping).toBeDefined();
    expect(mapping!.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [expect.stringMatching(/^EngineStarts/), 'Arn'] },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const concurrency: number = mapping!.Properties.ScalingConfig.MaximumConcurrency;
    const starter = template.findResources('AWS::Lambda::Function')[starterId];
    const rate = Number(starter.Properties.Environment.Variables.START_RATE_PER_SECOND);
    expect(concurrency).toBeGreaterThanOrEqual(2);
    expect(rate).toBeGreaterThanOrEqual(1);
    expect(concurrency * rate).toBeLessThanOrEqual(maxStartsPerSecond ?? 100);
    expect(starter.Properties.Environment.Variables.STATE_MACHINE_ARN_PREFIX).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':stateMachine:Engine-']],
    });
  });

  it('queues starts encrypted with the data key, with a visibility timeout over the starter timeout and an alarmed DLQ', () => {
    const { template } = deploy();
    const starterId = logicalIdOf(template, 'AWS::Lambda::Function', 'EngineStarterFunction');
    const timeout: number = template.findResources('AWS::Lambda::Function')[starterId].Properties.Timeout;
    const queue = Object.entries(template.findResources('AWS::SQS::Queue')).find(([id]) => id.startsWith('EngineStarts'))![1];
    expect(queue.Properties).toMatchObject({
      KmsMasterKeyId: { 'Fn::ImportValue': expect.any(String) },
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringMatching(/^EngineStartDeadLetterQueue/), 'Arn'] }, maxReceiveCount: 5 },
    });
    expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EngineStartDeadLetterQueue'), 'QueueName'] } }],
      Threshold: 1,
    });
  });
});

describe('journey grants', () => {
  const { template } = deploy();
  const machineRefs = Object.keys(stateMachines(template))
    .sort()
    .map((id) => ({ Ref: id }));
  const startsQueueArn = { 'Fn::GetAtt': [logicalIdOf(template, 'AWS::SQS::Queue', 'EngineStarts'), 'Arn'] };
  const eventsQueueArn = { 'Fn::GetAtt': [logicalIdOf(template, 'AWS::SQS::Queue', 'EngineEvents'), 'Arn'] };
  const sorted = (values: unknown[]) => [...values].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  const withAction = (statements: Statement[], action: string) => statements.filter((s) => actionsOf(s).includes(action));

  it('lets the starter, and only the starter, start executions of the journey machines', () => {
    const start = withAction(roleStatements(template, 'EngineStarterRole'), 'states:StartExecution');
    expect(start).toHaveLength(1);
    expect(actionsOf(start[0])).toEqual(['states:StartExecution']);
    expect(sorted(resourcesOf(start[0]))).toEqual(sorted(machineRefs));
    const starters = statementsOf(template).filter((s) => actionsOf(s).includes('states:StartExecution'));
    expect(starters).toEqual(start);
  });

  it('lets the processor enqueue starts, stop journey executions and resume waiting ones, but not start them', () => {
    const statements = roleStatements(template, 'EngineProcessorRole');
    const states = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('states:')));
    expect(states.flatMap(actionsOf).sort()).toEqual(['states:SendTaskSuccess', 'states:StopExecution']);
    expect(sorted(resourcesOf(withAction(statements, 'states:SendTaskSuccess')[0]))).toEqual(sorted(machineRefs));
    expect(withAction(statements, 'states:StopExecution')[0].Resource).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':execution:Engine-*']],
    });
    expect(withAction(statements, 'sqs:SendMessage').map((s) => s.Resource)).toEqual([startsQueueArn]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'processor',
          START_QUEUE_URL: { Ref: Match.stringLikeRegexp('^EngineStarts') },
          STATE_MACHINE_ARN_PREFIX: Match.anyValue(),
        }),
      },
    });
  });

  it('lets the re-evaluator carry out segment entries and exits like the processor: enqueue, stop, resume', () => {
    const statements = roleStatements(template, 'EngineReevaluateRole');
    const states = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('states:')));
    expect(states.flatMap(actionsOf).sort()).toEqual(['states:SendTaskSuccess', 'states:StopExecution']);
    expect(withAction(statements, 'sqs:SendMessage').map((s) => s.Resource)).toContainEqual(startsQueueArn);
    expect(withAction(statements, 'dynamodb:UpdateItem')).toHaveLength(1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'reevaluate',
          START_QUEUE_URL: { Ref: Match.stringLikeRegexp('^EngineStarts') },
          STATE_MACHINE_ARN_PREFIX: Match.anyValue(),
        }),
      },
    });
  });

  it('lets the admin API enqueue starts only', () => {
    const statements = roleStatements(template, 'EngineAdminRole');
    expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('states:'))).toEqual([]);
    expect(withAction(statements, 'sqs:SendMessage').map((s) => s.Resource)).toEqual([startsQueueArn]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'admin', START_QUEUE_URL: { Ref: Match.stringLikeRegexp('^EngineStarts') } }) },
    });
  });

  it('lets the journey task send only through the configured identity, configuration set, contact list, SMS origination and push app', () => {
    const statements = roleStatements(template, 'EngineJourneyTaskRole');
    const arn = (service: string, resource: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${service}:`, { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}`]],
    });
    const email = withAction(statements, 'ses:SendEmail');
    expect(email).toHaveLength(1);
    expect(actionsOf(email[0])).toEqual(['ses:SendEmail']);
    expect(resourcesOf(email[0])).toEqual([
      arn('ses', 'identity/halo@tokokita.co.id'),
      arn('ses', 'identity/tokokita.co.id'),
      arn('ses', 'configuration-set/toko-journeys'),
      arn('ses', 'contact-list/toko-customers'),
    ]);
    const sms = withAction(statements, 'sms-voice:SendTextMessage');
    expect(resourcesOf(sms[0])).toEqual([
      arn('sms-voice', 'phone-number/*'),
      arn('sms-voice', 'sender-id/*'),
      arn('sms-voice', 'pool/*'),
      arn('sms-voice', 'configuration-set/toko-sms'),
    ]);
    const push = withAction(statements, 'mobiletargeting:SendMessages');
    expect(push.map((s) => s.Resource)).toEqual([arn('mobiletargeting', 'apps/a1b2c3d4e5f6/messages')]);
    const services = new Set(statements.flatMap(actionsOf).map((a) => a.split(':')[0]));
    expect([...services].sort()).toEqual(['dynamodb', 'kms', 'logs', 'mobiletargeting', 'ses', 'sms-voice', 'xray']);
  });

  it('narrows SMS to the origination identity when it is an ARN, and grants no channel that is not configured', () => {
    const pool = 'arn:aws:sms-voice:ap-southeast-3:123456789012:pool/pool-0123456789abcdef';
    const { template: narrow } = deploy({ ...journeyConfig, messaging: { sms: { originationIdentity: pool } } });
    const statements = roleStatements(narrow, 'EngineJourneyTaskRole');
    expect(withAction(statements, 'sms-voice:SendTextMessage').map((s) => s.Resource)).toEqual([pool]);
    const actions = statements.flatMap(actionsOf);
    expect(actions.filter((a) => a.startsWith('ses:') || a.startsWith('mobiletargeting:'))).toEqual([]);
    narrow.resourceCountIs('AWS::SES::ConfigurationSet', 0);
  });

  it('grants SMS and routes its delivery events when a journey texts, even without SMS settings', () => {
    const { template: texting } = deploy({ ...journeyConfig, messaging: undefined });
    const sms = withAction(roleStatements(texting, 'EngineJourneyTaskRole'), 'sms-voice:SendTextMessage');
    expect(sms).toHaveLength(1);
    texting.hasResourceProperties('AWS::Events::Rule', { EventPattern: { source: ['aws.sms-voice'], 'detail-type': ['Text Message Delivery Status Updated'] } });
    const quiet = deploy({ segments: [] }).template;
    expect(statementsOf(quiet).flatMap(actionsOf).filter((a) => /^(ses|sms-voice|mobiletargeting|states):/.test(a))).toEqual([]);
    quiet.resourceCountIs('AWS::Events::Rule', 1);
  });

  it('lets feedback read and write the table and emit engine events to the events queue', () => {
    const statements = roleStatements(template, 'EngineFeedbackRole');
    expect(withAction(statements, 'dynamodb:UpdateItem')).toHaveLength(1);
    expect(withAction(statements, 'sqs:SendMessage').map((s) => s.Resource)).toContainEqual(eventsQueueArn);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'feedback', QUEUE_URL: { Ref: Match.stringLikeRegexp('^EngineEvents') } }) },
      DeadLetterConfig: { TargetArn: Match.anyValue() },
    });
  });

  it('grants no states:*, ses:*, dynamodb:*, Scan or wildcard action anywhere', () => {
    for (const statement of statementsOf(template)) {
      for (const action of actionsOf(statement)) {
        expect(action).not.toBe('*');
        expect(action).not.toMatch(/^(states|ses|dynamodb|sms-voice|mobiletargeting|sqs|lambda):\*$/);
        expect(action).not.toMatch(/:\*$/);
        expect(action).not.toBe('dynamodb:Scan');
      }
    }
  });
});

describe('delivery feedback', () => {
  const { template } = deploy();

  it('publishes the configured SES configuration set\'s events to EventBridge', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: 'toko-journeys' });
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: Match.stringLikeRegexp('^EngineEmailConfigurationSet') },
      EventDestination: {
        Enabled: true,
        EventBridgeDestination: { EventBusArn: Match.anyValue() },
        MatchingEventTypes: ['send', 'delivery', 'bounce', 'complaint', 'open', 'click', 'subscription', 'reject', 'renderingFailure'],
      },
    });
  });

  it('routes SES events of that configuration set and SMS delivery events to the feedback function, with retries and a DLQ', () => {
    const feedbackId = logicalIdOf(template, 'AWS::Lambda::Function', 'EngineFeedbackFunction');
    const target = Match.objectLike({
      Arn: { 'Fn::GetAtt': [feedbackId, 'Arn'] },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EngineFeedbackDeadLetterQueue'), 'Arn'] } },
      RetryPolicy: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.ses'], detail: { mail: { tags: { 'ses:configuration-set': ['toko-journeys'] } } } },
      Targets: [target],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.sms-voice'], 'detail-type': ['Text Message Delivery Status Updated'] },
      Targets: [target],
    });
  });
});

describe('journey props', () => {
  const engineFor = (config: EngineConfig, props: { maxStartsPerSecond?: number; stateMachineNamePrefix?: string } = {}) => () =>
    new JourneyEngine(new Stack(newApp(), 'Invalid'), 'Engine', { config, ...props });

  it('fails at synth listing every journey problem, a missing configuration set and bad pacing at once', () => {
    const [cart, welcome] = journeyConfig.journeys!;
    const broken: EngineConfig = {
      ...journeyConfig,
      journeys: [{ ...cart, startAt: 'nowhere' }, { ...welcome, steps: welcome.steps.map((s) => (s.type === 'send' ? { ...s, template: 'missing' } : s)) }],
      messaging: { email: { from: 'halo@tokokita.co.id' } },
    };
    expect(engineFor(broken, { maxStartsPerSecond: 1 })).toThrow(
      /journey "cart-abandonment": startAt "nowhere"[\s\S]*journey "welcome" step "hello"[\s\S]*missing[\s\S]*configurationSet is required[\s\S]*maxStartsPerSecond must be an integer from 2/,
    );
  });

  it('fails at synth on what the functions would refuse at cold start: segments and the control share', () => {
    const broken: EngineConfig = {
      ...journeyConfig,
      segments: [...journeyConfig.segments, { id: 'vip', name: 'VIP', condition: { type: 'metric', metric: 'clv', operator: 'gte', value: 'lots' } } as never],
      globalControlShare: 0.9,
    };
    expect(engineFor(broken)).toThrow(/globalControlShare[\s\S]*segments\[\d+\]\.condition\.value/);
  });

  it('refuses state machine names over 80 characters or with other characters', () => {
    expect(engineFor(journeyConfig, { stateMachineNamePrefix: 'x'.repeat(70) })).toThrow(/state machine name "x+cart-abandonment" is 86 characters, at most 80/);
    expect(engineFor(journeyConfig, { stateMachineNamePrefix: 'toko.' })).toThrow(/stateMachineNamePrefix may hold only/);
  });
});
