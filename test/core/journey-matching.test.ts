import type { CustomerEvent } from '../../lib/core/events';
import type { PropertyFilter } from '../../lib/core/journeys/definition';
import { matchesEvent, matchesFilters } from '../../lib/core/journeys/matching';

const properties = {
  total: 150000,
  totalText: '150000',
  coupon: 'HEMAT10',
  paid: false,
  nothing: null,
  cart: { id: 'c-42', items: [{ sku: 'SKU-1' }] },
  tags: ['promo', 'Flash'],
};

const f = (property: string, operator: PropertyFilter['operator'], value?: PropertyFilter['value']): PropertyFilter => ({
  property,
  operator,
  ...(value !== undefined && { value }),
});

describe('matchesFilters', () => {
  it.each<[string, PropertyFilter, boolean]>([
    ['equals: same number', f('total', 'equals', 150000), true],
    ['equals: is strict (string vs number)', f('totalText', 'equals', 150000), false],
    ['equals: false is a value', f('paid', 'equals', false), true],
    ['equals: a dot path', f('cart.id', 'equals', 'c-42'), true],
    ['equals: a dot path through an array index', f('cart.items.0.sku', 'equals', 'SKU-1'), true],
    ['equals: missing property', f('missing', 'equals', 'x'), false],
    ['notEquals: other value', f('coupon', 'notEquals', 'OTHER'), true],
    ['notEquals: same value', f('coupon', 'notEquals', 'HEMAT10'), false],
    ['notEquals: missing property', f('missing', 'notEquals', 'x'), true],
    ['in: member', f('coupon', 'in', ['A', 'HEMAT10']), true],
    ['in: is strict', f('totalText', 'in', [150000]), false],
    ['in: missing property', f('missing', 'in', ['A']), false],
    ['notIn: not a member', f('coupon', 'notIn', ['A']), true],
    ['notIn: member', f('coupon', 'notIn', ['HEMAT10']), false],
    ['notIn: missing property', f('missing', 'notIn', ['A']), true],
    ['exists: present', f('coupon', 'exists'), true],
    ['exists: false counts as present', f('paid', 'exists'), true],
    ['exists: null does not', f('nothing', 'exists'), false],
    ['exists: missing', f('missing', 'exists'), false],
    ['notExists: null', f('nothing', 'notExists'), true],
    ['notExists: present', f('coupon', 'notExists'), false],
    ['contains: substring, any case', f('coupon', 'contains', 'hemat'), true],
    ['contains: not a substring', f('coupon', 'contains', 'diskon'), false],
    ['contains: array element', f('tags', 'contains', 'promo'), true],
    ['contains: array element is exact', f('tags', 'contains', 'flash'), false],
    ['contains: number is not a string', f('total', 'contains', '150'), false],
    ['gt: number', f('total', 'gt', 100000), true],
    ['gt: equal is not greater', f('total', 'gt', 150000), false],
    ['gte: equal', f('total', 'gte', 150000), true],
    ['gte: numeric string', f('totalText', 'gte', 100000), true],
    ['lt: numeric string', f('totalText', 'lt', 100000), false],
    ['lte: number', f('total', 'lte', 150000), true],
    ['lt: non-numeric string', f('coupon', 'lt', 5), false],
    ['gt: missing property', f('missing', 'gt', 0), false],
  ])('%s', (_name, filter, expected) => {
    // Act / Assess
    expect(matchesFilters(properties, [filter])).toBe(expected);
  });

  it('needs every filter to hold, and holds with none', () => {
    // Assess
    expect(matchesFilters(properties, [f('total', 'gte', 100000), f('coupon', 'contains', 'hemat')])).toBe(true);
    expect(matchesFilters(properties, [f('total', 'gte', 100000), f('coupon', 'equals', 'OTHER')])).toBe(false);
    expect(matchesFilters(properties)).toBe(true);
    expect(matchesFilters(properties, [])).toBe(true);
  });

  it('does not read inherited properties through a path', () => {
    // Assess
    expect(matchesFilters({}, [f('constructor', 'exists')])).toBe(false);
    expect(matchesFilters({ a: {} }, [f('a.toString', 'exists')])).toBe(false);
  });
});

function track(event: string, props: Record<string, unknown>, type: CustomerEvent['type'] = 'track'): CustomerEvent {
  return {
    type,
    messageId: 'm-1',
    userId: 'u-1',
    ...(type === 'track' && { event }),
    properties: props,
    traits: {},
    context: {},
    timestamp: '2026-03-01T02:00:00.000Z',
    receivedAt: '2026-03-01T02:00:01.000Z',
    source: 'web',
  };
}

describe('matchesEvent', () => {
  const cartKey = { property: 'cartId', value: 'c-42' };

  it.each<[string, CustomerEvent, Parameters<typeof matchesEvent>[1], Parameters<typeof matchesEvent>[2], boolean]>([
    ['same name', track('Order Completed', {}), { event: 'Order Completed' }, undefined, true],
    ['other name', track('Order Refunded', {}), { event: 'Order Completed' }, undefined, false],
    ['name is case-sensitive', track('order completed', {}), { event: 'Order Completed' }, undefined, false],
    ['page events by type', track('', {}, 'page'), { event: 'page' }, undefined, true],
    ['where holds', track('Order Completed', { total: 200000 }), { event: 'Order Completed', where: [f('total', 'gte', 100000)] }, undefined, true],
    ['where fails', track('Order Completed', { total: 5000 }), { event: 'Order Completed', where: [f('total', 'gte', 100000)] }, undefined, false],
    ['entry key equal', track('Order Completed', { cartId: 'c-42' }), { event: 'Order Completed', matchEntryKey: true }, cartKey, true],
    ['entry key of another cart', track('Order Completed', { cartId: 'c-7' }), { event: 'Order Completed', matchEntryKey: true }, cartKey, false],
    ['entry key missing on the event', track('Order Completed', {}), { event: 'Order Completed', matchEntryKey: true }, cartKey, false],
    ['entry key as a number', track('Order Completed', { cartId: 42 }), { event: 'Order Completed', matchEntryKey: true }, { property: 'cartId', value: '42' }, true],
    ['entry key at a dot path', track('Order Completed', { cart: { id: 'c-42' } }), { event: 'Order Completed', matchEntryKey: true }, { property: 'cart.id', value: 'c-42' }, true],
    ['keyed match without a run key never matches', track('Order Completed', { cartId: 'c-42' }), { event: 'Order Completed', matchEntryKey: true }, undefined, false],
    ['key ignored unless matchEntryKey', track('Order Completed', { cartId: 'c-7' }), { event: 'Order Completed' }, cartKey, true],
  ])('%s', (_name, event, match, entryKey, expected) => {
    // Act / Assess
    expect(matchesEvent(event, match, entryKey)).toBe(expected);
  });
});
