import { indonesiaSegments } from '../../examples/indonesia';
import { exampleJourneys, exampleTemplates } from '../../examples/journeys';
import {
  JourneyValidationError,
  MAX_JOURNEY_WAIT_SECONDS,
  TemplateValidationError,
  checkJourneys,
  parseJourneys,
  parseTemplates,
} from '../../lib/core/journeys/validate';

const context = { segments: indonesiaSegments, templates: exampleTemplates };
const base = { name: 'X', entry: { type: 'event', event: 'Signed Up' } };
const DAY = 86_400;
const SEGMENT_IDS = '"eastern-provinces", "high-value", "repeat-buyers-30d", "lapsed-30d", "email-opted-in", "loyalty-near-reward", "new-customers"';

function problemsOf(input: unknown): readonly string[] {
  try {
    parseJourneys(input, context);
  } catch (error) {
    if (error instanceof JourneyValidationError) return error.problems;
    throw error;
  }
  return [];
}

describe('parseJourneys', () => {
  it('accepts the example journeys, also read back from JSON', () => {
    // Act
    const parsed = parseJourneys(JSON.parse(JSON.stringify(exampleJourneys)), context);

    // Assess
    expect(parsed).toEqual(exampleJourneys);
  });

  it('reports targets naming no step', () => {
    // Act
    const problems = problemsOf([
      { ...base, id: 'graph', startAt: 'start', steps: [
        { id: 'a', type: 'wait', seconds: 60, next: 'b' },
        { id: 'b', type: 'waitForEvent', event: 'Order Completed', timeoutSeconds: 60, onEvent: 'nowhere', onTimeout: 'a' },
        { id: 'c', type: 'split', variants: [{ name: 'x', weight: 100, next: 'gone' }] },
      ] },
    ]);

    // Assess
    expect(problems).toEqual([
      'journey "graph": startAt "start" names no step; use one of "a", "b", "c"',
      'journey "graph" step "b": onEvent "nowhere" names no step; use one of "a", "b", "c"',
      'journey "graph" step "c": variants[0].next "gone" names no step; use one of "a", "b", "c"',
    ]);
  });

  it('reports unreachable steps, loops and duplicate journey and step ids', () => {
    // Act
    const problems = problemsOf([
      { ...base, id: 'loop', startAt: 'a', steps: [
        { id: 'a', type: 'wait', seconds: 60, next: 'b' },
        { id: 'b', type: 'branch', paths: [{ name: 'back', segmentId: 'high-value', next: 'a' }], otherwise: 'done' },
        { id: 'done', type: 'exit' },
        { id: 'orphan', type: 'exit' },
      ] },
      { ...base, id: 'loop', startAt: 'a', steps: [{ id: 'a', type: 'exit' }, { id: 'a', type: 'exit' }] },
    ]);

    // Assess
    expect(problems).toEqual([
      'journey "loop" step "orphan": unreachable (no step leads to it from startAt "a"); link it from another step or remove it',
      'journey "loop": the steps loop "a" -> "b" -> "a"; a journey must not loop (an execution has at most 25,000 history events): repeat the steps instead',
      'journey "loop": duplicate journey id (also journeys[0]); give each journey its own id',
      'journey "loop" step "a": duplicate step id (steps[0] and steps[1]); give each step its own id',
    ]);
  });

  it('reports unknown segments, templates, other-channel templates, branch rules and matchEntryKey without entryKey', () => {
    // Act
    const problems = problemsOf([
      {
        id: 'refs',
        name: 'Refs',
        entry: { type: 'segment', segmentId: 'vips' },
        exitCriteria: { segmentExited: ['lapsed-90d'], events: [{ event: 'Order Completed', matchEntryKey: true, where: [{ property: 'total', operator: 'gt', value: 'lots' }] }] },
        startAt: 'b',
        steps: [
          {
            id: 'b',
            type: 'branch',
            paths: [
              { name: 'vip', segmentId: 'big-spenders', next: 's1' },
              { name: 'old', condition: { type: 'trait', trait: 'age', operator: 'gt', value: 'abc' }, next: 's2' },
              { name: 'both', next: 'd' },
              { name: 'otherwise', segmentId: 'high-value', next: 'd' },
            ],
            otherwise: 'w',
          },
          { id: 's1', type: 'send', channel: 'email', template: 'nope', next: 'd' },
          { id: 's2', type: 'send', channel: 'sms', template: 'cart-reminder-push', next: 'd' },
          { id: 'w', type: 'waitForEvent', event: 'Order Completed', matchEntryKey: true, timeoutSeconds: 60, onEvent: 'd', onTimeout: 'd' },
          { id: 'd', type: 'exit' },
        ],
      },
    ]);

    // Assess
    expect(problems).toEqual([
      'journey "refs" exitCriteria.events[0] ("Order Completed"): matchEntryKey needs the journey\'s entryKey (e.g. "cartId"); set entryKey or remove matchEntryKey',
      'journey "refs" exitCriteria.events[0] ("Order Completed"): where[0] ("total" gt) needs a number, got "lots"',
      'journey "refs" step "b": a path must not be named "otherwise" (it is reserved); rename it',
      'journey "refs" step "b": paths[1].condition.value: operator "gt" needs a number, got "abc"',
      'journey "refs" step "b": paths[2] ("both") needs exactly one of segmentId or condition',
      'journey "refs" step "s1": template "nope" does not exist; add it to templates or use one of "welcome-email", "first-order-email", "cart-reminder-email", "winback-offer", "drop-pre-order"',
      'journey "refs" step "s2": template "cart-reminder-push" is for push, not sms; use one of "welcome-sms", "first-order-sms" or change the step\'s channel',
      'journey "refs" step "w": matchEntryKey needs the journey\'s entryKey (e.g. "cartId"); set entryKey or remove matchEntryKey',
      `journey "refs" entry: unknown segment "vips"; define it in the segments or use one of ${SEGMENT_IDS}`,
      `journey "refs" exitCriteria.segmentExited[0]: unknown segment "lapsed-90d"; define it in the segments or use one of ${SEGMENT_IDS}`,
      `journey "refs" step "b" paths[0]: unknown segment "big-spenders"; define it in the segments or use one of ${SEGMENT_IDS}`,
    ]);
  });

  it('reports a wait over a year, and waits that add up to more than a year along a path (a timeout counts on both routes)', () => {
    // Act
    const problems = problemsOf([
      { ...base, id: 'long', startAt: 'w1', steps: [
        { id: 'w1', type: 'wait', seconds: 400 * DAY, next: 'done' },
        { id: 'done', type: 'exit' },
      ] },
      { ...base, id: 'sum', startAt: 'w1', steps: [
        { id: 'w1', type: 'wait', seconds: 200 * DAY, next: 'bought' },
        { id: 'bought', type: 'waitForEvent', event: 'Order Completed', timeoutSeconds: 100 * DAY, onEvent: 'w2', onTimeout: 'done' },
        { id: 'w2', type: 'wait', seconds: 70 * DAY, next: 'done' },
        { id: 'done', type: 'exit' },
      ] },
    ]);

    // Assess
    expect(problems).toEqual([
      'journey "long": the waits along "w1" -> "done" add up to 400 days, over the one-year limit of an execution; shorten them to 365 days in total',
      'journey "long" step "w1": the wait is 400 days, over the one-year limit of an execution; wait at most 365 days',
      'journey "sum": the waits along "w1" -> "bought" -> "w2" -> "done" add up to 370 days, over the one-year limit of an execution; shorten them to 365 days in total',
    ]);
  });

  it('accepts waits of exactly 365 days in total', () => {
    // Act
    const problems = problemsOf([
      { ...base, id: 'year', startAt: 'w1', steps: [
        { id: 'w1', type: 'wait', seconds: MAX_JOURNEY_WAIT_SECONDS - DAY, next: 'w2' },
        { id: 'w2', type: 'wait', seconds: DAY, next: 'done' },
        { id: 'done', type: 'exit' },
      ] },
    ]);

    // Assess
    expect(problems).toEqual([]);
  });

  it('reports split weights and variant names', () => {
    // Act
    const problems = problemsOf([
      { ...base, id: 'split', startAt: 'ab', steps: [
        { id: 'ab', type: 'split', variants: [{ name: 'a', weight: 50, next: 'done' }, { name: 'a', weight: 30, next: 'done' }, { name: 'holdout', weight: 10, next: 'done' }], holdout: { weight: 5 } },
        { id: 'done', type: 'exit' },
      ] },
    ]);

    // Assess
    expect(problems).toEqual([
      'journey "split" step "ab": the weights of the variants and the holdout add up to 95, not 100; make them percentages that add up to 100',
      'journey "split" step "ab": two variants are named "a"; give each variant its own name',
      'journey "split" step "ab": a variant must not be named "holdout" (it is reserved); rename it',
    ]);
  });

  it('reports ASL keywords and dots in step ids, and an api or segment entry with an entryKey', () => {
    // Act
    const problems = problemsOf([
      { id: 'api', name: 'Api', entry: { type: 'api' }, entryKey: 'cartId', startAt: 'Branches', steps: [
        { id: 'Branches', type: 'wait', seconds: 60, next: 'done' },
        { id: 'a.b', type: 'exit' },
        { id: 'done', type: 'exit' },
      ] },
      { id: 'seg', name: 'Seg', entry: { type: 'segment', segmentId: 'high-value' }, entryKey: 'cartId', startAt: 'done', steps: [{ id: 'done', type: 'exit' }] },
    ]);

    // Assess
    expect(problems).toEqual([
      'journey "api" step "Branches": "Branches" is an Amazon States Language keyword; rename the step (e.g. "branches-step")',
      'journey "api" step "a.b": a step id must not contain "."; the compiler names helper states "<id>.choice", so use "-" or "_" instead',
      'journey "api": entryKey "cartId" needs an entry event to read it from, and an api entry has none; remove entryKey or enter on an event',
      'journey "seg": entryKey "cartId" needs an entry event to read it from, and a segment entry has none; remove entryKey or enter on an event',
    ]);
  });

  it('reports schema errors, unknown keys and filter values, naming the step', () => {
    // Act
    const problems = problemsOf([
      {
        id: 'Bad Id',
        entry: { type: 'event', event: 'X', where: [{ property: 'p', operator: 'in', value: 'x' }, { property: 'q', operator: 'exists', value: 1 }] },
        startAt: 'a',
        stpes: [],
        steps: [
          { id: 'a', type: 'wait', seconds: 1.5, Next: 'b', next: 'b' },
          { id: 'b', type: 'teleport' },
          { id: 'c', type: 'send', channel: 'fax', template: 't', next: 'a' },
          { id: 'd', type: 'send', channel: 'email', template: 'welcome-email' },
        ],
      },
      'not a journey',
    ]);

    // Assess
    expect(problems).toEqual([
      'journey "Bad Id": id: use 1-48 lower-case letters, digits, "-" or "_", got "Bad Id"',
      'journey "Bad Id": name: is required (a string)',
      'journey "Bad Id" step "a": seconds: expected a whole number, got 1.5',
      'journey "Bad Id" step "b": type: unknown type "teleport"; use one of "wait", "waitUntilTime", "waitUntilDate", "waitForEvent", "branch", "split", "send", "updateProfile", "exit"',
      'journey "Bad Id" step "c": channel: expected "email" or "sms" or "push", got "fax"',
      'journey "Bad Id" step "d": next: is required: name the step that follows (the builder links a step to the one after it; the last step must be an exit step or name its next)',
      'journey "Bad Id": unknown key "stpes"; use one of "id", "name", "description", "entry", "reentry", "entryKey", "exitCriteria", "quietHours", "ignoreFrequencyCaps", "goals", "startAt", "steps"',
      'journey "Bad Id" step "a": unknown key "Next"; did you mean "next"?',
      'journey "Bad Id" entry: where[0] ("p" in) needs a non-empty array of values, got "x"',
      'journey "Bad Id" entry: where[1] ("q" exists) needs no value, got 1',
      'journeys[1]: expected an object, got "not a journey"',
    ]);
  });

  it('lists the problems of every journey at once in one error', () => {
    // Prepare
    const input = [
      { ...base, id: 'one', startAt: 'a', steps: [{ id: 'a', type: 'wait', seconds: 0, next: 'done' }, { id: 'done', type: 'exit' }] },
      { ...base, id: 'two', startAt: 'a', steps: [{ id: 'a', type: 'send', channel: 'push', template: 'nope', next: 'a' }] },
      exampleJourneys[0],
    ];

    // Act
    const act = () => parseJourneys(input, context);

    // Assess
    expect(act).toThrow(JourneyValidationError);
    expect(act).toThrow(
      [
        '3 problem(s) in journey definitions:',
        '- journey "one" step "a": seconds: must be greater than 0, got 0',
        '- journey "two": the steps loop "a" -> "a"; a journey must not loop (an execution has at most 25,000 history events): repeat the steps instead',
        '- journey "two" step "a": template "nope" does not exist; add it to templates or use one of "welcome-push", "first-order-push", "cart-reminder-push", "cross-sell-everyday", "cross-sell-bills", "winback-last-chance", "loyalty-reward-reminder", "drop-early-access", "drop-announce"',
      ].join('\n'),
    );
  });

  it('rejects input that is not an array, and skips reference checks without a context (checkJourneys)', () => {
    // Act
    const notArray = problemsOf({ id: 'x' });
    const withoutContext = checkJourneys([{ ...base, id: 'free', startAt: 'a', steps: [{ id: 'a', type: 'send', channel: 'push', template: 'any', next: 'done' }, { id: 'done', type: 'exit' }] }]);

    // Assess
    expect(notArray).toEqual(['journeys: expected an array of journey definitions, got {"id":"x"}']);
    expect(withoutContext.problems).toEqual([]);
    expect(withoutContext.journeys.map((j) => j.id)).toEqual(['free']);
  });
});

describe('parseTemplates', () => {
  it('accepts the example templates in both locales', () => {
    // Assess
    expect(parseTemplates(JSON.parse(JSON.stringify(exampleTemplates)))).toEqual(exampleTemplates);
    expect(exampleTemplates.every((t) => Object.keys(t.locales).sort().join() === 'en,id' && t.defaultLocale === 'id')).toBe(true);
  });

  it('lists every problem: default locale without text, duplicate ids, schema errors', () => {
    // Prepare
    const input = [
      { id: 'a', channel: 'sms', defaultLocale: 'id', locales: { en: { body: 'Hi' } } },
      { id: 'a', channel: 'sms', defaultLocale: 'en', locales: { en: { body: 'Hi' } } },
      { id: 'b', channel: 'email', defaultLocale: 'en', locales: { en: { subject: 'S' } } },
    ];

    // Act
    let error: unknown;
    try {
      parseTemplates(input);
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(TemplateValidationError);
    expect((error as TemplateValidationError).name).toBe('TemplateValidationError');
    expect((error as TemplateValidationError).problems).toEqual([
      'template "a": defaultLocale "id" has no text; add locales.id or use one of "en"',
      'template "a": duplicate template id (also templates[0]); give each template its own id',
      'template "b": locales.en.text: is required (a string)',
    ]);
  });
});
