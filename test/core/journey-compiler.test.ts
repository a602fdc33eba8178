import { indonesiaConfig } from '../../examples/indonesia';
import { exampleJourneys } from '../../examples/journeys';
import {
  branch,
  days,
  email,
  exit,
  hours,
  inSegment,
  journey,
  push,
  send,
  sms,
  split,
  updateProfile,
  wait,
  waitForEvent,
  waitUntilDate,
  waitUntilTime,
  type StepDraft,
} from '../../lib/core/journeys/builder';
import { compileJourney, countTransitions, type StateMachineDefinition } from '../../lib/core/journeys/compiler';
import type { JourneyDefinition } from '../../lib/core/journeys/definition';
import { trait } from '../../lib/core/segments/builder';

// asl-validator ships no types; it also writes QueryLanguage into the states it checks, so give it a copy.
const aslValidator = require('asl-validator') as (definition: unknown) => { isValid: boolean; errorsText: (separator?: string) => string };
const validateAsl = (asl: StateMachineDefinition) => aslValidator(JSON.parse(JSON.stringify(asl)));

const ARN = 'arn:aws:lambda:ap-southeast-3:123456789012:function:journey-task';
const options = { taskFunctionArn: ARN };

// The golden pieces, written out once (not imported from the compiler, so a change there shows here).
const RETRY = [
  {
    ErrorEquals: ['TransientError', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
    IntervalSeconds: 2,
    MaxAttempts: 6,
    BackoffRate: 2,
    JitterStrategy: 'FULL',
  },
];
const CATCH = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.last', Next: 'Complete.failed' }];
const task = (action: string, stepId: string, next: string) => ({
  Type: 'Task',
  Resource: ARN,
  Parameters: { action, stepId, 'run.$': '$.run' },
  ResultPath: '$.last',
  Retry: RETRY,
  Catch: CATCH,
  Next: next,
});
const COMPLETED = {
  Type: 'Task',
  Resource: ARN,
  Parameters: { action: 'complete', stepId: '$complete', outcome: 'completed', 'run.$': '$.run' },
  ResultPath: '$.last',
  Retry: RETRY,
  End: true,
};
const HOLDOUT = { ...COMPLETED, Parameters: { action: 'complete', stepId: '$complete', outcome: 'holdout', 'run.$': '$.run' } };
const FAILED = { ...COMPLETED, Parameters: { action: 'complete', stepId: '$complete', outcome: 'failed', 'run.$': '$.run', 'error.$': '$.last' } };

function tiny(...steps: StepDraft[]): JourneyDefinition {
  return journey('tiny', 'Tiny').onEvent('Signed Up').keyedBy('cartId').steps(...steps).build();
}

describe('compileJourney: one golden state machine per step kind', () => {
  it('renders wait as one Wait state, and an exit as Complete.completed (no Complete.failed without a task)', () => {
    // Act
    const asl = compileJourney(tiny(wait('pause', hours(1)), exit('done')), options);

    // Assess
    expect(asl).toEqual({
      Comment: 'Journey "Tiny" (tiny)',
      StartAt: 'pause',
      States: {
        pause: { Type: 'Wait', Seconds: 3600, Next: 'Complete.completed' },
        'Complete.completed': COMPLETED,
      },
    });
  });

  it('renders waitUntilTime as a task that computes $.last.until and a Wait on it', () => {
    // Act
    const asl = compileJourney(tiny(waitUntilTime('afternoon', '14:00', { days: ['mon'] }), exit('done')), options);

    // Assess
    expect(asl.States).toEqual({
      afternoon: task('waitUntilTime', 'afternoon', 'afternoon.wait'),
      'afternoon.wait': { Type: 'Wait', TimestampPath: '$.last.until', Next: 'Complete.completed' },
      'Complete.completed': COMPLETED,
      'Complete.failed': FAILED,
    });
  });

  it('renders waitUntilDate with a Choice that routes a missing date to ifMissing', () => {
    // Act
    const asl = compileJourney(
      tiny(waitUntilDate('before-birthday', { trait: 'birthday' }, { offset: days(-1), ifMissing: 'done' }), send('greet', sms('greet')), exit('done')),
      options,
    );

    // Assess
    expect(asl.States).toEqual({
      'before-birthday': task('waitUntilDate', 'before-birthday', 'before-birthday.choice'),
      'before-birthday.choice': {
        Type: 'Choice',
        Choices: [{ Variable: '$.last.missing', IsPresent: true, Next: 'Complete.completed' }],
        Default: 'before-birthday.wait',
      },
      'before-birthday.wait': { Type: 'Wait', TimestampPath: '$.last.until', Next: 'greet' },
      greet: task('send', 'greet', 'greet.choice'),
      'greet.choice': { Type: 'Choice', Choices: [{ Variable: '$.last.outcome', StringEquals: 'deferred', Next: 'greet.defer' }], Default: 'Complete.completed' },
      'greet.defer': { Type: 'Wait', TimestampPath: '$.last.until', Next: 'greet' },
      'Complete.completed': COMPLETED,
      'Complete.failed': FAILED,
    });
  });

  it('renders waitForEvent as one callback task with a timeout caught to onTimeout', () => {
    // Act
    const asl = compileJourney(
      tiny(waitForEvent('bought', 'Order Completed', { matchEntryKey: true, timeout: hours(23), onEvent: 'done', onTimeout: 'remind' }), send('remind', email('cart')), exit('done')),
      options,
    );

    // Assess
    expect(asl.States.bought).toEqual({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: ARN, Payload: { action: 'waitForEvent', stepId: 'bought', 'run.$': '$.run', 'taskToken.$': '$$.Task.Token' } },
      TimeoutSeconds: 82800,
      ResultPath: '$.last',
      Retry: RETRY,
      Catch: [
        { ErrorEquals: ['States.Timeout'], ResultPath: '$.last', Next: 'remind' },
        { ErrorEquals: ['States.ALL'], ResultPath: '$.last', Next: 'Complete.failed' },
      ],
      Next: 'Complete.completed',
    });
    expect(Object.keys(asl.States)).toEqual(['bought', 'remind', 'remind.choice', 'remind.defer', 'Complete.completed', 'Complete.failed']);
  });

  it('renders branch as a task and a Choice on $.last.path, otherwise as the Default', () => {
    // Act
    const asl = compileJourney(
      tiny(
        branch('region').when('eastern', inSegment('eastern-provinces'), 'topup').when('jakarta', trait('city').equals('Jakarta'), 'done').otherwise('bills'),
        send('topup', push('topup'), { next: 'done' }),
        send('bills', push('bills')),
        exit('done'),
      ),
      options,
    );

    // Assess
    expect(asl.States.region).toEqual(task('branch', 'region', 'region.choice'));
    expect(asl.States['region.choice']).toEqual({
      Type: 'Choice',
      Choices: [
        { Variable: '$.last.path', StringEquals: 'eastern', Next: 'topup' },
        { Variable: '$.last.path', StringEquals: 'jakarta', Next: 'Complete.completed' },
      ],
      Default: 'bills',
    });
  });

  it('renders split as a task and a Choice on $.last.variant, the holdout to Complete.holdout, the last variant as the Default', () => {
    // Act
    const asl = compileJourney(
      tiny(split('ab').variant('a', 45, 'send-a').variant('b', 45, 'send-b').holdout(10), send('send-a', email('a'), { next: 'done' }), send('send-b', email('b')), exit('done')),
      options,
    );

    // Assess
    expect(asl.States.ab).toEqual(task('split', 'ab', 'ab.choice'));
    expect(asl.States['ab.choice']).toEqual({
      Type: 'Choice',
      Choices: [
        { Variable: '$.last.variant', StringEquals: 'a', Next: 'send-a' },
        { Variable: '$.last.variant', StringEquals: 'holdout', Next: 'Complete.holdout' },
      ],
      Default: 'send-b',
    });
    expect(asl.States['Complete.holdout']).toEqual(HOLDOUT);
    expect(Object.keys(asl.States).slice(-3)).toEqual(['Complete.completed', 'Complete.holdout', 'Complete.failed']);
  });

  it('renders a split with one variant and no holdout without a Choice (a Choice needs a rule)', () => {
    // Act
    const asl = compileJourney(tiny(split('all').variant('only', 100, 'done'), exit('done')), options);

    // Assess
    expect(asl.States).toEqual({ all: task('split', 'all', 'Complete.completed'), 'Complete.completed': COMPLETED, 'Complete.failed': FAILED });
  });

  it('renders send as a task, a Choice on deferred and a Wait back to the same task', () => {
    // Act
    const asl = compileJourney(tiny(send('hello', email('welcome')), exit('done')), options);

    // Assess
    expect(asl).toEqual({
      Comment: 'Journey "Tiny" (tiny)',
      StartAt: 'hello',
      States: {
        hello: task('send', 'hello', 'hello.choice'),
        'hello.choice': { Type: 'Choice', Choices: [{ Variable: '$.last.outcome', StringEquals: 'deferred', Next: 'hello.defer' }], Default: 'Complete.completed' },
        'hello.defer': { Type: 'Wait', TimestampPath: '$.last.until', Next: 'hello' },
        'Complete.completed': COMPLETED,
        'Complete.failed': FAILED,
      },
    });
  });

  it('renders updateProfile as one task', () => {
    // Act
    const asl = compileJourney(tiny(updateProfile('remember', { lastSeenOffer: '{{ now }}' }), exit('done')), options);

    // Assess
    expect(asl.States).toEqual({ remember: task('updateProfile', 'remember', 'Complete.completed'), 'Complete.completed': COMPLETED, 'Complete.failed': FAILED });
  });

  it('renders a journey that starts at its exit as Complete.completed alone', () => {
    // Act
    const asl = compileJourney(tiny(exit('done')), options);

    // Assess
    expect(asl).toEqual({ Comment: 'Journey "Tiny" (tiny)', StartAt: 'Complete.completed', States: { 'Complete.completed': COMPLETED } });
  });

  it('is deterministic and the same for a definition read back from JSON', () => {
    // Prepare
    const definition = exampleJourneys[1];

    // Act
    const first = JSON.stringify(compileJourney(definition, options));
    const again = JSON.stringify(compileJourney(JSON.parse(JSON.stringify(definition)) as JourneyDefinition, options));

    // Assess
    expect(again).toBe(first);
  });
});

describe('compileJourney: the example journeys', () => {
  const compiled = (indonesiaConfig.journeys ?? []).map((j) => ({ id: j.id, asl: compileJourney(j, options) }));

  it('compiles all six examples', () => {
    // Assess
    expect(compiled.map((c) => c.id)).toEqual(['welcome', 'cart-abandonment', 'first-purchase-cross-sell', 'win-back', 'loyalty-reward-reminder', 'limited-drop']);
  });

  it.each(compiled)('$id passes asl-validator', ({ asl }) => {
    // Act
    const result = validateAsl(asl);

    // Assess
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it.each(compiled)('$id uses JSONPath only, no Pass states, and no Catch on a Complete state', ({ asl }) => {
    // Act
    const text = JSON.stringify(asl);
    const states = Object.entries(asl.States);

    // Assess
    expect(text).not.toMatch(/"QueryLanguage"|"Arguments"|"Output"|"Assign"|\{%/);
    expect(states.filter(([, s]) => !['Task', 'Wait', 'Choice'].includes(s.Type))).toEqual([]);
    expect(states.filter(([name, s]) => name.startsWith('Complete.') && 'Catch' in s)).toEqual([]);
    expect(states.map(([name]) => name).filter((name) => !/^[A-Za-z0-9_-]+(\.(choice|wait|defer|completed|holdout|failed))?$/.test(name))).toEqual([]);
  });

  it('asl-validator rejects a broken machine (the check above can fail)', () => {
    // Prepare
    const asl = compileJourney(exampleJourneys[1], options);
    const broken = { ...asl, States: { ...asl.States, 'wait-1h': { Type: 'Wait' as const, Seconds: 3600, Next: 'nowhere' } } };

    // Act
    const result = validateAsl(broken);

    // Assess
    expect(result.isValid).toBe(false);
  });

  // Billed transitions per run (states entered): the main path of a customer the journey is for, and the longest route.
  it.each([
    ['welcome', 10, 10, { ordered: 'offer-channel' }],
    ['cart-abandonment', 6, 6, { 'reachable-by-push.choice': 'remind-push' }],
    ['first-purchase-cross-sell', 8, 8, { 'first-order.choice': 'wait-1d', 'region.choice': 'offer-everyday' }],
    ['win-back', 10, 10, { 'value.choice': 'holdout-test' }],
    ['loyalty-reward-reminder', 6, 6, {}],
    ['limited-drop', 6, 6, {}],
  ])('%s: main path %i transitions, longest %i', (id, mainPath, longestPath, via) => {
    // Prepare
    const { asl } = compiled.find((c) => c.id === id) as { asl: StateMachineDefinition };

    // Act
    const counts = countTransitions(asl, via as Record<string, string>);

    // Assess
    expect(counts).toEqual({ mainPath, longestPath });
  });

  it('counts the short routes too: an order during the welcome wait, a holdout, an early-access drop', () => {
    // Prepare
    const asl = (id: string) => (compiled.find((c) => c.id === id) as { asl: StateMachineDefinition }).asl;

    // Act
    const ordered = countTransitions(asl('welcome')).mainPath;
    const holdout = countTransitions(asl('win-back'), { 'value.choice': 'holdout-test', 'holdout-test.choice': 'Complete.holdout' }).mainPath;
    const early = countTransitions(asl('limited-drop'), { 'audience.choice': 'early-access' }).mainPath;

    // Assess
    expect([ordered, holdout, early]).toEqual([6, 5, 5]);
    expect(() => countTransitions(asl('limited-drop'), { 'audience.choice': 'nowhere' })).toThrow('state "audience.choice" has no route to "nowhere"');
  });
});
