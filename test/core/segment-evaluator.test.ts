import type { Profile } from '../../lib/core/profile';
import { emptyProfile } from '../../lib/core/reducer';
import { and, consent, event, firstSeen, lastSeen, location, metric, not, or, rfmTier, segment, trait } from '../../lib/core/segments/builder';
import type { Condition } from '../../lib/core/segments/definition';
import { evaluateSegments } from '../../lib/core/segments/evaluator';

const NOW = new Date('2026-03-15T08:00:00.000Z');

const base = emptyProfile('p_1', '2026-01-01T00:00:00.000Z');
const profile: Profile = {
  ...base,
  traits: { plan: 'gold', tags: ['vip', 'kopi'], bio: 'Loves Kopi Luwak', points: '850', nothing: null, address: { city: 'Ambon' }, signupDate: '2026-03-12T00:00:00Z' },
  location: { value: { country: 'Indonesia', region: 'Papua Barat', city: 'Manokwari' }, at: '2026-03-01T00:00:00Z', by: 'm1' },
  consent: {
    channels: { email: { status: 'granted', at: '2026-03-01T00:00:00Z', by: 'm2', source: 'web' } },
    topics: { promotions: { status: 'revoked', at: '2026-03-02T00:00:00Z', by: 'm3', source: 'web' } },
  },
  metrics: {
    firstSeen: '2026-03-10T12:00:00.000Z',
    lastSeen: '2026-03-12T10:00:00.000Z',
    eventCounts: { 'Order Completed': 3, page: 12 },
    daily: { 'Order Completed': { '2026-01-20': 1, '2026-03-01': 1, '2026-03-10': 1 } },
    orders: { count: 3, revenue: 6_000_000, firstAt: '2026-01-20T00:00:00.000Z', lastAt: '2026-03-10T00:00:00.000Z' },
    clv: 6_000_000,
    rfm: { recency: 5, frequency: 3, monetary: 5, cell: '535', tier: 'potential', asOf: NOW.toISOString() },
  },
};

const holds = (condition: Condition, p: Profile = profile, now: Date = NOW) =>
  evaluateSegments(p, [segment('s', 'S').where(condition)], now).memberships.s !== undefined;

describe('evaluateSegments: conditions', () => {
  it.each<[string, Condition, boolean]>([
    ['trait equals', trait('plan').equals('gold'), true],
    ['trait equals is strict', trait('points').equals(850), false],
    ['trait notEquals', trait('plan').notEquals('silver'), true],
    ['trait in', trait('plan').in(['gold', 'platinum']), true],
    ['trait notIn', trait('plan').notIn(['gold']), false],
    ['trait contains substring, any case', trait('bio').contains('kopi luwak'), true],
    ['trait contains array element', trait('tags').contains('vip'), true],
    ['trait contains on a missing trait', trait('missing').contains('x'), false],
    ['trait exists', trait('plan').exists(), true],
    ['trait exists is false for null', trait('nothing').exists(), false],
    ['trait notExists for a missing trait', trait('missing').notExists(), true],
    ['trait dot path', trait('address.city').equals('Ambon'), true],
    ['trait gte on a numeric string', trait('points').gte(800), true],
    ['trait lt on a numeric string', trait('points').lt(850), false],
    ['trait gt on a non-number', trait('plan').gt(1), false],
    ['trait before', trait('signupDate').before('2026-03-13'), true],
    ['trait after', trait('signupDate').after('2026-03-13'), false],
    ['trait withinLastDays', trait('signupDate').withinLastDays(7), true],
    ['trait moreThanDaysAgo', trait('signupDate').moreThanDaysAgo(2), true],
    ['event all time', event('page').occurred(), true],
    ['event without bounds defaults to at least once', { type: 'event', event: 'page' }, true],
    ['event never', event('page').never(), false],
    ['event between', event('page').between(10, 12), true],
    ['event atMost', event('Order Completed').atMost(2), false],
    ['event never seen', event('Cart Viewed').occurred(), false],
    ['event atLeast 0 matches never seen', event('Cart Viewed').atLeast(0), true],
    ['event in the last 30 days (2 of 3 orders)', event('Order Completed').atLeast(2).inLastDays(30), true],
    ['event in the last 5 days (0 orders)', event('Order Completed').occurred().inLastDays(5), false],
    ['event window includes today', event('Order Completed').occurred().inLastDays(6), true],
    ['metric clv', metric('clv').gte(5_000_000), true],
    ['metric orders.count equals', metric('orders.count').equals(3), true],
    ['metric daysSinceLastSeen is floored', metric('daysSinceLastSeen').equals(2), true],
    ['metric daysSinceLastOrder', metric('daysSinceLastOrder').lt(5), false],
    ['metric rfm.recency', metric('rfm.recency').equals(5), true],
    ['rfmTier', rfmTier('champions', 'potential'), true],
    ['rfmTier not matching', rfmTier('champions'), false],
    ['consent channel granted', consent('email').granted(), true],
    ['consent channel unknown', consent('sms').unknown(), true],
    ['consent topic revoked', consent({ topic: 'promotions' }).revoked(), true],
    ['consent channel and topic both required', consent({ channel: 'email', topic: 'promotions' }).granted(), false],
    ['location ignores case and spacing', location('region').in(['  papua   BARAT ']), true],
    ['location notIn', location('country').notIn(['Indonesia']), false],
    ['and', and(trait('plan').equals('gold'), metric('clv').gt(1)), true],
    ['or', or(trait('plan').equals('silver'), metric('clv').gt(1)), true],
    ['not', not(consent('email').granted()), false],
  ])('%s -> %s', (_name, condition, expected) => {
    expect(holds(condition)).toBe(expected);
  });

  it('compares locations without accents', () => {
    // Prepare
    const accented: Profile = { ...profile, location: { value: { city: 'Bogotá' }, at: '2026-03-01T00:00:00Z', by: 'm' } };

    // Act / Assess
    expect(holds(location('city').in(['bogota']), accented)).toBe(true);
    expect(holds(location('city').in(['Bogotá']), { ...profile, location: { value: { city: 'BOGOTA' }, at: 'x', by: 'm' } })).toBe(true);
  });

  it('treats a days-since metric without its origin as false', () => {
    expect(holds(metric('daysSinceLastOrder').gte(0), base)).toBe(false);
    expect(holds(not(metric('daysSinceLastOrder').gte(0)), base)).toBe(true);
  });
});

describe('evaluateSegments: memberships', () => {
  const segments = [
    segment('gold', 'Gold').where(trait('plan').equals('gold')),
    segment('silver', 'Silver').where(trait('plan').equals('silver')),
    segment('emailable', 'Emailable').where(consent('email').granted()),
  ];

  it('reports entries and exits and keeps the since of existing members', () => {
    // Prepare
    const before: Profile = { ...profile, segments: { gold: { since: '2026-01-01T00:00:00.000Z' }, silver: { since: '2026-02-01T00:00:00.000Z' }, removed: { since: '2026-02-01T00:00:00.000Z' } } };

    // Act
    const result = evaluateSegments(before, segments, NOW);

    // Assess
    expect(result.memberships).toEqual({ gold: { since: '2026-01-01T00:00:00.000Z' }, emailable: { since: NOW.toISOString() } });
    expect(result.entered).toEqual(['emailable']);
    expect(result.exited).toEqual(['silver']);
    expect(result.nextEvaluationAt).toBeUndefined();
  });
});

describe('evaluateSegments: nextEvaluationAt', () => {
  it.each<[string, Condition, string | undefined]>([
    ['not lapsed yet: when days since last seen passes 30', lastSeen().moreThanDaysAgo(30), '2026-04-12T10:00:00.000Z'],
    ['new customer: when first seen reaches 7 days', firstSeen().withinLastDays(7), '2026-03-17T12:00:00.000Z'],
    ['event window: when the 2026-03-01 order leaves the 30-day window', event('Order Completed').atLeast(2).inLastDays(30), '2026-03-31T00:00:00.000Z'],
    ['trait date: when the signup date is 7 days old', trait('signupDate').withinLastDays(7), '2026-03-19T00:00:00.000Z'],
    ['rfm tier: the day after 14 days since the last order', rfmTier('potential'), '2026-03-25T00:00:00.000Z'],
    ['earliest of several', or(lastSeen().moreThanDaysAgo(30), trait('signupDate').withinLastDays(7)), '2026-03-19T00:00:00.000Z'],
    ['nothing time-dependent', and(trait('plan').equals('gold'), metric('clv').gte(1)), undefined],
    ['already lapsed for good: cannot change back by time', lastSeen().moreThanDaysAgo(1), undefined],
    ['windowed count that no day can change', event('page').occurred().inLastDays(7), undefined],
  ])('%s', (_name, condition, expected) => {
    // Act
    const result = evaluateSegments(profile, [segment('s', 'S').where(condition)], NOW);

    // Assess
    expect(result.nextEvaluationAt).toBe(expected);
  });

  it.each<[string, Condition]>([
    ['lapsed', lastSeen().moreThanDaysAgo(30)],
    ['new', firstSeen().withinLastDays(7)],
    ['window', event('Order Completed').atLeast(2).inLastDays(30)],
    ['trait date', trait('signupDate').withinLastDays(7)],
  ])('%s: the value holds until nextEvaluationAt and changes at it', (_name, condition) => {
    // Prepare
    const next = new Date(evaluateSegments(profile, [segment('s', 'S').where(condition)], NOW).nextEvaluationAt as string);

    // Act
    const justBefore = holds(condition, profile, new Date(next.getTime() - 1));
    const at = holds(condition, profile, next);

    // Assess
    expect(justBefore).toBe(holds(condition));
    expect(at).toBe(!holds(condition));
  });

  it('schedules a future-dated trait for when it comes into range', () => {
    // Prepare
    const future: Profile = { ...profile, traits: { ...profile.traits, signupDate: '2026-04-01T00:00:00Z' } };

    // Act
    const result = evaluateSegments(future, [segment('s', 'S').where(trait('signupDate').withinLastDays(7))], NOW);

    // Assess
    expect(result.memberships).toEqual({});
    expect(result.nextEvaluationAt).toBe('2026-04-01T00:00:00.000Z');
  });
});
