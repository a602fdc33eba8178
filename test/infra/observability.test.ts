import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EngineAlarmThresholds, thresholdProblems } from '../../lib/infrastructure/alarms';
import { JourneyEngine, JourneyEngineProps } from '../../lib/infrastructure/journey-engine';
import {
  DEFAULT_METRICS_NAMESPACE,
  dimensionValue,
  FEEDBACK_TYPES,
  REJECTION_REASONS,
  SEND_OUTCOMES,
  SERVICE,
  SUPPRESSION_REASON_VALUES,
} from '../../lib/infrastructure/metrics';
import { journeyConfig } from './journey-config';

type Resource = { Properties: Record<string, any> };
type MetricDataQuery = {
  Id: string;
  Expression?: string;
  ReturnData?: boolean;
  MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: Array<{ Name: string; Value: unknown }> }; Period: number; Stat: string };
};

function synth(props: Partial<JourneyEngineProps> = {}, withTopic = false) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Shop');
  const alarmTopic = withTopic ? new Topic(stack, 'OnCall') : undefined;
  const engine = new JourneyEngine(stack, 'Engine', { config: journeyConfig, alarmTopic, ...props });
  return { engine, template: Template.fromStack(stack) };
}

/** Alarms by the construct id they were made with: logical ids are `Engine<Alarms?><id><hash>`. */
function alarm(template: Template, id: string): Resource['Properties'] {
  const found = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).filter(([logicalId]) => new RegExp(`^Engine(Alarms)?${id}[0-9A-F]{8}$`).test(logicalId));
  expect(found.map(([logicalId]) => logicalId)).toHaveLength(1);
  return (found[0][1] as Resource).Properties;
}

function queries(properties: Resource['Properties']): Record<string, MetricDataQuery> {
  return Object.fromEntries((properties.Metrics as MetricDataQuery[]).map((q) => [q.Id, q]));
}

/** `{ Name: Value }` of a metric's dimensions, tokens as they are. */
function dimensions(query: MetricDataQuery): Record<string, unknown> {
  return Object.fromEntries((query.MetricStat?.Metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));
}

/** The dashboard body as JSON, every CloudFormation token inside it replaced by "TOKEN". */
function dashboardBody(template: Template): { widgets: Array<{ type: string; properties: Record<string, any> }> } {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as Resource[];
  const body = dashboard.Properties.DashboardBody;
  const text = typeof body === 'string' ? body : (body['Fn::Join'][1] as unknown[]).map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  return JSON.parse(text);
}

/** `namespace/metric {dim=value,...}` (dimensions sorted by name) of every metric line of a widget (CDK renders full arrays). */
function widgetMetrics(widget: { properties: Record<string, any> }): string[] {
  return ((widget.properties.metrics ?? []) as unknown[][]).map((line) => {
    const parts = line.filter((p) => typeof p === 'string') as string[];
    const [namespace, metricName, ...dims] = parts;
    const pairs = [];
    for (let i = 0; i < dims.length; i += 2) pairs.push(`${dims[i]}=${dims[i + 1]}`);
    return `${namespace}/${metricName} {${pairs.sort().join(',')}}`;
  });
}

const FIFTEEN_MINUTES = 900;
const FIVE_MINUTES = 300;

describe('metric catalogue', () => {
  it('names each function\'s service dimension as the functions are configured', () => {
    const { template } = synth();
    const services = Object.values(template.findResources('AWS::Lambda::Function'))
      .map((fn) => (fn as Resource).Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME)
      .filter(Boolean);
    expect(services.sort()).toEqual(Object.values(SERVICE).sort());
  });

  it.each([
    ['quiet_hours', 'quiet_hours'],
    ['no_profile', 'no_profile'],
    ['MessageRejected: address not verified', 'other'],
    [undefined, 'other'],
  ])('keeps dimension values to a closed set: %s -> %s', (value, expected) => {
    expect(dimensionValue(value, SUPPRESSION_REASON_VALUES)).toBe(expected);
  });
});

describe('EngineDashboard', () => {
  const { template, engine } = synth();
  const body = dashboardBody(template);
  const byTitle = (title: string) => {
    const widget = body.widgets.find((w) => w.properties.title === title);
    expect(widget).toBeDefined();
    return widgetMetrics(widget!);
  };
  const ns = DEFAULT_METRICS_NAMESPACE;

  it('is created by default, one per engine', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(engine.dashboard).toBeDefined();
  });

  it('is left out when the dashboard prop is false', () => {
    const { template: without, engine: bare } = synth({ dashboard: false });
    without.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    expect(bare.dashboard).toBeUndefined();
  });

  it('shows the API requests, 4xx and 5xx, and events ingested and rejected by reason', () => {
    expect(byTitle('API requests and errors')).toEqual(['AWS/ApiGateway/Count {ApiId=TOKEN}', 'AWS/ApiGateway/4xx {ApiId=TOKEN}', 'AWS/ApiGateway/5xx {ApiId=TOKEN}']);
    expect(byTitle('Events ingested and rejected')).toEqual([
      `${ns}/EventsIngested {service=ingest}`,
      `${ns}/EventsRejected {Reason=invalid,service=ingest}`,
      `${ns}/EventsRejected {Reason=too_large,service=ingest}`,
    ]);
    expect(byTitle('Rejected requests by reason')).toEqual(REJECTION_REASONS.map((reason) => `${ns}/RequestsRejected {Reason=${reason},service=ingest}`));
  });

  it('shows depth and age of the events and starts queues, and every dead-letter queue', () => {
    expect(byTitle('Queue depth')).toEqual(['AWS/SQS/ApproximateNumberOfMessagesVisible {QueueName=TOKEN}', 'AWS/SQS/ApproximateNumberOfMessagesVisible {QueueName=TOKEN}']);
    expect(byTitle('Age of oldest message (s)')).toEqual(['AWS/SQS/ApproximateAgeOfOldestMessage {QueueName=TOKEN}', 'AWS/SQS/ApproximateAgeOfOldestMessage {QueueName=TOKEN}']);
    expect(byTitle('Dead-letter queue depth')).toHaveLength(4);
  });

  it('shows the processor\'s invocations, errors, duration and what it did', () => {
    expect(byTitle('Processor invocations and errors')).toEqual([
      'AWS/Lambda/Invocations {FunctionName=TOKEN}',
      'AWS/Lambda/Errors {FunctionName=TOKEN}',
      'AWS/Lambda/Throttles {FunctionName=TOKEN}',
      `${ns}/MessagesFailed {service=processor}`,
    ]);
    expect(byTitle('Processor duration (ms)')).toEqual(Array(3).fill('AWS/Lambda/Duration {FunctionName=TOKEN}'));
    expect(byTitle('Events and segments')).toEqual(expect.arrayContaining([`${ns}/EventsProcessed {service=processor}`, `${ns}/DuplicateEvents {service=processor}`]));
  });

  it('shows started, failed, timed-out and throttled executions of each journey, and the starter', () => {
    for (const journeyId of ['cart-abandonment', 'welcome']) {
      expect(byTitle(`Journey ${journeyId}`)).toEqual(
        ['ExecutionsStarted', 'ExecutionsSucceeded', 'ExecutionsAborted', 'ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionThrottled'].map(
          (metric) => `AWS/States/${metric} {StateMachineArn=TOKEN}`,
        ),
      );
    }
    expect(byTitle('Starter: starts handed back')).toEqual([
      `${ns}/JourneyStartsPaced {service=starter}`,
      `${ns}/JourneyStartsThrottled {service=starter}`,
      `${ns}/JourneyStartsFailed {service=starter}`,
    ]);
  });

  it('shows sends of each channel by outcome, suppressions by reason and delivery feedback by type', () => {
    for (const channel of ['email', 'sms', 'push']) {
      expect(byTitle(`Sends: ${channel}`)).toEqual(SEND_OUTCOMES.map((outcome) => `${ns}/Sends {Channel=${channel},Outcome=${outcome},service=journey-task}`));
    }
    expect(byTitle('Suppressions by reason')).toEqual(SUPPRESSION_REASON_VALUES.map((reason) => `${ns}/Suppressions {Reason=${reason},service=journey-task}`));
    expect(byTitle('Delivery feedback')).toEqual(expect.arrayContaining(FEEDBACK_TYPES.map((type) => `${ns}/FeedbackEvents {Type=${type},service=feedback}`)));
  });

  it('shows SES bounce and complaint rates when the engine sends e-mail, and not otherwise', () => {
    expect(byTitle('SES reputation (account): bounce and complaint rates')).toEqual(['AWS/SES/Reputation.BounceRate {}', 'AWS/SES/Reputation.ComplaintRate {}']);
    const { template: noEmail } = synth({ config: { ...journeyConfig, messaging: { ...journeyConfig.messaging, email: undefined }, journeys: [] } });
    expect(dashboardBody(noEmail).widgets.map((w) => w.properties.title)).not.toContain('SES reputation (account): bounce and complaint rates');
  });

  it('shows errors and throttles of all seven functions, and the state of every alarm', () => {
    expect(byTitle('Errors per function')).toEqual(Array(7).fill('AWS/Lambda/Errors {FunctionName=TOKEN}'));
    expect(byTitle('Throttles per function')).toEqual(Array(7).fill('AWS/Lambda/Throttles {FunctionName=TOKEN}'));
    const status = body.widgets.find((w) => w.type === 'alarm');
    expect(status?.properties.alarms).toHaveLength(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).length);
  });

  it('reads the engine metrics from the namespace the functions publish to', () => {
    const { template: shop } = synth({ metricsNamespace: 'Shop' });
    const lines = dashboardBody(shop).widgets.flatMap(widgetMetrics);
    expect(lines).toContain('Shop/EventsIngested {service=ingest}');
    expect(lines.filter((line) => line.startsWith(`${DEFAULT_METRICS_NAMESPACE}/`))).toEqual([]);
  });
});

describe('EngineAlarms', () => {
  const { template } = synth({}, true);

  it('creates the dead-letter alarms, two per journey and five engine-wide', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 4 + 2 * 2 + 5);
  });

  it('alarms on failed plus timed-out executions of each journey, not aborted ones', () => {
    for (const journeyId of ['cart-abandonment', 'welcome']) {
      const props = alarm(template, `JourneyFailures${journeyId.replace('-', '')}`);
      const q = queries(props);
      expect(Object.keys(q).sort()).toEqual(['expr_1', 'failed', 'timedOut']);
      expect(q.expr_1.Expression).toBe('FILL(failed, 0) + FILL(timedOut, 0)');
      expect(q.failed.MetricStat).toMatchObject({ Metric: { Namespace: 'AWS/States', MetricName: 'ExecutionsFailed' }, Period: FIVE_MINUTES, Stat: 'Sum' });
      expect(q.timedOut.MetricStat).toMatchObject({ Metric: { Namespace: 'AWS/States', MetricName: 'ExecutionsTimedOut' }, Period: FIVE_MINUTES, Stat: 'Sum' });
      expect(dimensions(q.failed)).toEqual({ StateMachineArn: { Ref: expect.stringMatching(new RegExp(`^EngineJourney${journeyId.replace('-', '')}StateMachine`)) } });
      expect(props).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
    }
    expect(JSON.stringify(template.findResources('AWS::CloudWatch::Alarm'))).not.toContain('ExecutionsAborted');
  });

  it('alarms on throttled executions of each journey', () => {
    const props = alarm(template, 'JourneyThrottleswelcome');
    expect(props).toMatchObject({
      Namespace: 'AWS/States',
      MetricName: 'ExecutionThrottled',
      Statistic: 'Sum',
      Period: FIVE_MINUTES,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms on a send failure rate over 5% in 15 minutes, judged from 20 sends up', () => {
    const props = alarm(template, 'SendFailureRate');
    const q = queries(props);
    expect(q.expr_1.Expression).toBe('IF(FILL(sent, 0) + FILL(failed, 0) >= 20, 100 * FILL(failed, 0) / (FILL(sent, 0) + FILL(failed, 0)), 0)');
    expect(q.expr_1.ReturnData).not.toBe(false);
    for (const [id, outcome] of [['sent', 'sent'], ['failed', 'failed']]) {
      expect(q[id]).toMatchObject({ ReturnData: false, MetricStat: { Metric: { Namespace: DEFAULT_METRICS_NAMESPACE, MetricName: 'Sends' }, Period: FIFTEEN_MINUTES, Stat: 'Sum' } });
      // All channels: the Outcome-only dimension set the journey task emits next to the per-channel one.
      expect(dimensions(q[id])).toEqual({ service: 'journey-task', Outcome: outcome });
    }
    expect(props).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
  });

  it('alarms on an API 5xx rate over 5% in 5 minutes, judged from 20 requests up', () => {
    const props = alarm(template, 'ApiServerErrorRate');
    const q = queries(props);
    expect(q.expr_1.Expression).toBe('IF(requests >= 20, 100 * FILL(errors, 0) / requests, 0)');
    expect(q.requests.MetricStat).toMatchObject({ Metric: { Namespace: 'AWS/ApiGateway', MetricName: 'Count' }, Period: FIVE_MINUTES, Stat: 'Sum' });
    expect(q.errors.MetricStat).toMatchObject({ Metric: { Namespace: 'AWS/ApiGateway', MetricName: '5xx' }, Period: FIVE_MINUTES, Stat: 'Sum' });
    expect(Object.keys(dimensions(q.errors))).toEqual(['ApiId']);
    expect(props).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
  });

  it('alarms on any failed processor invocation', () => {
    const props = alarm(template, 'ProcessorErrors');
    expect(props).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: expect.stringMatching(/^EngineProcessorFunction/) } }],
      Statistic: 'Sum',
      Period: FIVE_MINUTES,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms on Lambda throttles of any engine function, summed in one expression', () => {
    const props = alarm(template, 'FunctionThrottles');
    const q = queries(props);
    const names = ['ingest', 'processor', 'admin', 'reevaluate', 'journeyTask', 'starter', 'feedback'];
    expect(q.expr_1.Expression).toBe(names.map((name) => `FILL(${name}, 0)`).join(' + '));
    for (const name of names) {
      expect(q[name].MetricStat).toMatchObject({ Metric: { Namespace: 'AWS/Lambda', MetricName: 'Throttles' }, Period: FIVE_MINUTES, Stat: 'Sum' });
      expect(dimensions(q[name]).FunctionName).toEqual({ Ref: expect.stringMatching(new RegExp(`^Engine${name[0].toUpperCase()}${name.slice(1)}Function`)) });
    }
    expect(props).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
  });

  it('alarms when Step Functions throttles the starter in three 5-minute periods in a row, not on its own pacing', () => {
    const props = alarm(template, 'StartThrottles');
    expect(props).toMatchObject({
      Namespace: DEFAULT_METRICS_NAMESPACE,
      MetricName: 'JourneyStartsThrottled',
      Dimensions: [{ Name: 'service', Value: 'starter' }],
      Statistic: 'Sum',
      Period: FIVE_MINUTES,
      Threshold: 1,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('notifies the alarm topic when any alarm fires and when it clears', () => {
    for (const resource of Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[]) {
      expect(resource.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^OnCall/) }]);
      expect(resource.Properties.OKActions).toEqual([{ Ref: expect.stringMatching(/^OnCall/) }]);
    }
  });

  it('changes state without notifying anyone when no topic is given', () => {
    const { template: silent } = synth();
    for (const resource of Object.values(silent.findResources('AWS::CloudWatch::Alarm')) as Resource[]) {
      expect(resource.Properties.AlarmActions).toBeUndefined();
      expect(resource.Properties.OKActions).toBeUndefined();
    }
  });

  it('takes the thresholds it is given', () => {
    const thresholds: EngineAlarmThresholds = {
      journeyFailures: 3,
      sendFailureRatePercent: 2.5,
      sendFailureMinVolume: 100,
      apiServerErrorRatePercent: 1,
      apiMinRequests: 50,
      processorErrors: 5,
      functionThrottles: 10,
      journeyThrottles: 4,
      startThrottles: 20,
    };
    const { template: tuned } = synth({ alarmThresholds: thresholds, metricsNamespace: 'Shop' });
    const send = alarm(tuned, 'SendFailureRate');
    expect(queries(send).expr_1.Expression).toBe('IF(FILL(sent, 0) + FILL(failed, 0) >= 100, 100 * FILL(failed, 0) / (FILL(sent, 0) + FILL(failed, 0)), 0)');
    expect(queries(send).sent.MetricStat?.Metric.Namespace).toBe('Shop');
    expect(send.Threshold).toBe(2.5);
    const api = alarm(tuned, 'ApiServerErrorRate');
    expect(queries(api).expr_1.Expression).toBe('IF(requests >= 50, 100 * FILL(errors, 0) / requests, 0)');
    expect(api.Threshold).toBe(1);
    expect(alarm(tuned, 'JourneyFailureswelcome').Threshold).toBe(3);
    expect(alarm(tuned, 'JourneyThrottleswelcome').Threshold).toBe(4);
    expect(alarm(tuned, 'ProcessorErrors').Threshold).toBe(5);
    expect(alarm(tuned, 'FunctionThrottles').Threshold).toBe(10);
    expect(alarm(tuned, 'StartThrottles')).toMatchObject({ Threshold: 20, Namespace: 'Shop' });
  });

  it('reports every invalid threshold at once, with the engine\'s other prop problems', () => {
    expect(thresholdProblems({ sendFailureRatePercent: 0, apiServerErrorRatePercent: 150, processorErrors: 1.5, startThrottles: 0 })).toEqual([
      'alarmThresholds.sendFailureRatePercent must be a percentage above 0 and at most 100, got 0',
      'alarmThresholds.apiServerErrorRatePercent must be a percentage above 0 and at most 100, got 150',
      'alarmThresholds.processorErrors must be a positive integer, got 1.5',
      'alarmThresholds.startThrottles must be a positive integer, got 0',
    ]);
    expect(() => synth({ alarmThresholds: { journeyFailures: -1 }, maxReceiveCount: 0 })).toThrow(
      /maxReceiveCount must be an integer[\s\S]*alarmThresholds\.journeyFailures must be a positive integer, got -1/,
    );
  });
});
