import type { JourneyDefinition } from '../../lib/core/journeys/definition';
import { checkJourneys } from '../../lib/core/journeys/validate';

const base: JourneyDefinition = { id: 'welcome', name: 'Welcome', entry: { type: 'event', event: 'Signed Up' }, startAt: 'done', steps: [{ id: 'done', type: 'exit' }] };

describe('parseJourneys: goals', () => {
  it.each<[string, unknown[], Partial<JourneyDefinition>, string[]]>([
    ['a valid goal with exitOnConversion', [{ id: 'order', event: 'Order Completed', windowDays: 7, from: 'lastSend', valueProperty: 'total', exitOnConversion: true }], {}, []],
    [
      'duplicate goal ids',
      [{ id: 'order', event: 'Order Completed', windowDays: 7 }, { id: 'order', event: 'Order Refunded', windowDays: 7 }],
      {},
      ['journey "welcome" goal "order": duplicate goal id (goals[0] and goals[1]); conversions are counted per goal id, so give each goal its own id'],
    ],
    ['a window under a day', [{ id: 'order', event: 'Order Completed', windowDays: 0 }], {}, ['journey "welcome": goals[0].windowDays: must be at least 1, got 0']],
    [
      'a window over 90 days',
      [{ id: 'order', event: 'Order Completed', windowDays: 91 }],
      {},
      ['journey "welcome": goals[0].windowDays: a goal window is at most 90 days: run history is kept 90 days, and a longer window credits the journey with orders it hardly caused, got 91'],
    ],
    [
      'matchEntryKey without an entryKey',
      [{ id: 'order', event: 'Order Completed', windowDays: 2, matchEntryKey: true }],
      {},
      ['journey "welcome" goal "order": matchEntryKey needs the journey\'s entryKey (e.g. "cartId") to compare the goal event with the run\'s; set entryKey or remove matchEntryKey'],
    ],
    ['matchEntryKey on a keyed journey', [{ id: 'order', event: 'Order Completed', windowDays: 2, matchEntryKey: true }], { entryKey: 'cartId' }, []],
    [
      'an unknown key and a bad filter',
      [{ id: 'order', event: 'Order Completed', windowDays: 7, window: 7, where: [{ property: 'total', operator: 'gte', value: 'big' }] }],
      {},
      [
        'journey "welcome" goal "order": unknown key "window"; use one of "id", "event", "where", "matchEntryKey", "windowDays", "from", "valueProperty", "exitOnConversion"',
        'journey "welcome" goal "order": where[0] ("total" gte) needs a number, got "big"',
      ],
    ],
  ])('%s', (_name, goals, extra, problems) => {
    // Act
    const checked = checkJourneys([{ ...base, ...extra, ...(extra.entryKey !== undefined && { entry: { type: 'event', event: 'Cart Abandoned' } }), goals }]);

    // Assess
    expect(checked.problems).toEqual(problems);
  });
});
