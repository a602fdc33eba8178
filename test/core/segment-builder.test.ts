import { and, consent, event, firstSeen, lastOrder, lastSeen, location, metric, not, or, rfmTier, segment, trait } from '../../lib/core/segments/builder';
import type { Condition } from '../../lib/core/segments/definition';
import { parseSegments, SegmentValidationError } from '../../lib/core/segments/validate';

describe('segment builder', () => {
  it.each<[string, Condition, unknown]>([
    ['trait equals', trait('plan').equals('gold'), { type: 'trait', trait: 'plan', operator: 'equals', value: 'gold' }],
    ['trait exists has no value', trait('email').exists(), { type: 'trait', trait: 'email', operator: 'exists' }],
    ['trait in', trait('tier').in(['a', 'b']), { type: 'trait', trait: 'tier', operator: 'in', value: ['a', 'b'] }],
    ['trait withinLastDays', trait('birthday').withinLastDays(7), { type: 'trait', trait: 'birthday', operator: 'withinLastDays', value: 7 }],
    ['event in a window', event('Order Completed').atLeast(2).inLastDays(30), { type: 'event', event: 'Order Completed', atLeast: 2, withinDays: 30 }],
    ['event occurred', event('page').occurred(), { type: 'event', event: 'page', atLeast: 1 }],
    ['event between', event('page').between(1, 3), { type: 'event', event: 'page', atLeast: 1, atMost: 3 }],
    ['metric', metric('clv').gte(5_000_000), { type: 'metric', metric: 'clv', operator: 'gte', value: 5_000_000 }],
    ['lastSeen', lastSeen().moreThanDaysAgo(30), { type: 'metric', metric: 'daysSinceLastSeen', operator: 'gt', value: 30 }],
    ['firstSeen', firstSeen().withinLastDays(7), { type: 'metric', metric: 'daysSinceFirstSeen', operator: 'lt', value: 7 }],
    ['lastOrder', lastOrder().moreThanDaysAgo(60), { type: 'metric', metric: 'daysSinceLastOrder', operator: 'gt', value: 60 }],
    ['consent channel', consent('email').granted(), { type: 'consent', channel: 'email', status: 'granted' }],
    ['consent topic', consent({ topic: 'promotions' }).revoked(), { type: 'consent', topic: 'promotions', status: 'revoked' }],
    ['rfm tiers', rfmTier('champions', 'loyal'), { type: 'rfmTier', tiers: ['champions', 'loyal'] }],
    ['location', location('region').in(['Papua']), { type: 'location', field: 'region', operator: 'in', values: ['Papua'] }],
    [
      'and / or / not',
      and(or(trait('a').equals(1), trait('b').equals(2)), not(consent('sms').revoked())),
      {
        type: 'and',
        conditions: [
          { type: 'or', conditions: [{ type: 'trait', trait: 'a', operator: 'equals', value: 1 }, { type: 'trait', trait: 'b', operator: 'equals', value: 2 }] },
          { type: 'not', condition: { type: 'consent', channel: 'sms', status: 'revoked' } },
        ],
      },
    ],
  ])('%s', (_name, built, expected) => {
    // Assess: plain data, equal to the JSON and unchanged by a JSON round trip
    expect(built).toStrictEqual(expected);
    expect(JSON.parse(JSON.stringify(built))).toStrictEqual(expected);
  });

  it('builds a whole segment that parses', () => {
    // Act
    const built = segment('eastern-indonesia', 'Customers in eastern provinces').where(location('region').in(['Papua', 'Maluku']));

    // Assess
    expect(built).toEqual({
      id: 'eastern-indonesia',
      name: 'Customers in eastern provinces',
      condition: { type: 'location', field: 'region', operator: 'in', values: ['Papua', 'Maluku'] },
    });
    expect(parseSegments([built])).toEqual([built]);
  });
});

describe('parseSegments', () => {
  it('lists every problem at once, each with its path and fix', () => {
    // Prepare
    const input = [
      { id: 'ok', name: 'OK', condition: { type: 'trait', trait: 'plan', operator: 'exists' } },
      { id: 'ok', name: 'Again', condition: { type: 'trait', trait: 'plan', operator: 'exists', value: true } },
      {
        id: 'Bad Id',
        name: 'Many',
        condition: {
          type: 'and',
          conditions: [
            { type: 'trait', trait: 'age', operator: 'gt', value: 'abc' },
            { type: 'trait', trait: 'plan', operator: 'in', value: 'gold' },
            { type: 'trait', trait: 'since', operator: 'before', value: 'yesterday' },
            { type: 'trait', trait: 'since', operator: 'withinLastDays', value: 1.5 },
            { type: 'event', event: 'Order Completed', atLeast: 5, atMost: 2 },
            { type: 'event', event: 'Order Completed', atleast: 2 },
            { type: 'consent', status: 'granted' },
            { type: 'rfmTier', tiers: ['champs'] },
            { type: 'metric', metric: 'clv', operator: 'gte', value: '5' },
            { type: 'segment', id: 'x' },
          ],
        },
      },
    ];

    // Act
    const error = (() => {
      try {
        parseSegments(input);
      } catch (e) {
        return e;
      }
      throw new Error('expected parseSegments to throw');
    })() as SegmentValidationError;

    // Assess
    expect(error).toBeInstanceOf(SegmentValidationError);
    expect(error.name).toBe('SegmentValidationError');
    expect(error.problems).toEqual([
      'segments[1].id: duplicate id "ok" (also segments[0].id); give each segment its own id',
      'segments[1].condition.value: operator "exists" takes no value; remove it (got true)',
      'segments[2].id: use 1-64 lower-case letters, digits, "-" or "_", got "Bad Id"',
      'segments[2].condition.conditions[0].value: operator "gt" needs a number, got "abc"',
      'segments[2].condition.conditions[1].value: operator "in" needs a non-empty array of values, got "gold"',
      'segments[2].condition.conditions[2].value: operator "before" needs an ISO date such as "2026-01-31" or "2026-01-31T00:00:00Z", got "yesterday"',
      'segments[2].condition.conditions[3].value: operator "withinLastDays" needs a positive whole number of days, got 1.5',
      'segments[2].condition.conditions[4].atMost: atLeast (5) is greater than atMost (2), so no count can match; swap or fix them',
      'segments[2].condition.conditions[5].atleast: unknown key "atleast"; did you mean "atLeast"?',
      'segments[2].condition.conditions[6]: a consent condition needs a channel ("email", "sms" or "push"), a topic, or both',
      'segments[2].condition.conditions[7].tiers[0]: unknown RFM tier "champs"; use one of "champions", "loyal", "new", "potential", "at_risk", "hibernating", "needs_attention"',
      'segments[2].condition.conditions[8].value: expected a number, got "5"',
      'segments[2].condition.conditions[9].type: unknown condition type "segment"; use one of "trait", "event", "metric", "rfmTier", "consent", "location", "and", "or", "not"',
    ]);
    expect(error.message).toContain('13 problem(s)');
  });

  it.each([
    ['not an array', { id: 'x' }, 'segments: expected an array of segment definitions, got {"id":"x"}'],
    ['a missing name', [{ id: 'x', condition: { type: 'event', event: 'page' } }], 'segments[0].name: is required (a string)'],
    ['a bad channel', [{ id: 'x', name: 'X', condition: { type: 'consent', channel: 'fax', status: 'granted' } }], 'segments[0].condition.channel: expected one of "email", "sms", "push", got "fax"'],
  ])('names the path and fix for %s', (_name, input, problem) => {
    expect(() => parseSegments(input)).toThrow(expect.objectContaining({ problems: [problem] }));
  });

  it('returns plain definitions for valid input', () => {
    // Prepare
    const input = [{ id: 'vip', name: 'VIP', condition: { type: 'metric', metric: 'clv', operator: 'gte', value: 5 } }];

    // Act / Assess
    expect(parseSegments(input)).toEqual(input);
  });
});
