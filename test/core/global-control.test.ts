import { EngineConfigValidationError, loadEngineConfig } from '../../lib/app/engine-config';
import { planEntry, planJourneyActions } from '../../lib/core/journeys/entry';
import type { JourneyDefinition } from '../../lib/core/journeys/definition';
import { assignVariant } from '../../lib/core/journeys/split';
import { checkGlobalControlShare, groupOf, isGlobalControl } from '../../lib/core/measurement/control';
import type { CustomerEvent } from '../../lib/core/events';
import { emptyProfile } from '../../lib/core/reducer';

const ids = Array.from({ length: 10_000 }, (_, i) => `p_${i.toString(16).padStart(24, '0')}`);
const NOW = new Date('2026-11-05T12:00:00.000Z');
const welcome: JourneyDefinition = { id: 'welcome', name: 'Welcome', entry: { type: 'event', event: 'Signed Up' }, startAt: 'done', steps: [{ id: 'done', type: 'exit' }] };

describe('isGlobalControl', () => {
  it.each([0.01, 0.05, 0.1, 0.5])('puts %p of 10,000 customers in the control group, within tolerance', (share) => {
    // Act
    const inControl = ids.filter((id) => isGlobalControl(id, share)).length;

    // Assess: 4 standard deviations of a binomial count.
    const tolerance = 4 * Math.sqrt(ids.length * share * (1 - share));
    expect(Math.abs(inControl - ids.length * share)).toBeLessThan(tolerance);
  });

  it('is sticky: the same answer every time, and a larger share keeps everyone a smaller one had', () => {
    // Act
    const first = ids.map((id) => isGlobalControl(id, 0.05));
    const again = ids.map((id) => isGlobalControl(id, 0.05));
    const wider = ids.map((id) => isGlobalControl(id, 0.1));

    // Assess
    expect(again).toEqual(first);
    expect(first.every((inControl, i) => !inControl || wider[i])).toBe(true);
  });

  it.each<[string, number | undefined]>([['no share', undefined], ['a share of 0', 0], ['a negative share', -1]])('holds nobody out with %s', (_name, share) => {
    expect(ids.some((id) => isGlobalControl(id, share))).toBe(false);
  });

  it('is independent of split assignments (salted: not the same hash)', () => {
    // Prepare: a 50/50 split and a 50% control group.
    const split = { id: 'ab', type: 'split' as const, variants: [{ name: 'a', weight: 50, next: 'x' }, { name: 'b', weight: 50, next: 'x' }] };

    // Act
    const control = ids.filter((id) => isGlobalControl(id, 0.5));
    const inA = control.filter((id) => assignVariant(id, 'welcome', split) === 'a').length;

    // Assess: about half of the control group lands in each variant.
    expect(Math.abs(inA / control.length - 0.5)).toBeLessThan(0.03);
  });

  it('names the group of a customer', () => {
    const member = ids.find((id) => isGlobalControl(id, 0.05)) as string;
    expect([groupOf(member, 0.05), groupOf(member, 0)]).toEqual(['global-control', 'treatment']);
  });
});

describe('entries record the group', () => {
  const member = ids.find((id) => isGlobalControl(id, 0.05)) as string;
  const signedUp: CustomerEvent = { type: 'track', event: 'Signed Up', messageId: 'm-1', userId: 'u', properties: {}, traits: {}, context: {}, timestamp: NOW.toISOString(), receivedAt: NOW.toISOString(), source: 'web' };

  it.each<[string, string, number | undefined, string]>([
    ['a control customer', member, 0.05, 'global-control'],
    ['the same customer without a control group', member, undefined, 'treatment'],
    ['a treatment customer', ids.find((id) => !isGlobalControl(id, 0.05)) as string, 0.05, 'treatment'],
  ])('%s', (_name, profileId, share, group) => {
    // Act
    const plan = planJourneyActions(emptyProfile(profileId, NOW.toISOString()), [signedUp], [welcome], NOW, { globalControlShare: share });

    // Assess: entered and recorded normally, whatever the group.
    expect(plan.starts).toHaveLength(1);
    expect(plan.groups).toEqual({ [plan.starts[0].runId]: group });
    expect(plan.profile.journeys?.welcome.recent).toEqual([expect.objectContaining({ runId: plan.starts[0].runId, group, enteredAt: NOW.toISOString() })]);
  });

  it('planEntry returns the group with the start', () => {
    const entered = planEntry(emptyProfile(member, NOW.toISOString()), welcome, { key: '_', messageId: 'api:1' }, NOW, { globalControlShare: 0.05 });
    expect(entered).toMatchObject({ group: 'global-control' });
  });
});

describe('globalControlShare validation', () => {
  it.each<[unknown, string[]]>([
    [undefined, []],
    [0, []],
    [0.05, []],
    [0.5, []],
    [0.6, ['globalControlShare: 0.6 is over 0.5; the control group must stay the smaller group (it receives nothing), so use a share such as 0.05 to 0.1']],
    [-0.1, ['globalControlShare: -0.1 is below 0; use 0 for no control group, or a share such as 0.05']],
    ['5%', ['globalControlShare: expected a number from 0 to 0.5 (the share of customers who get no journey message), got "5%"']],
  ])('%p', (share, problems) => {
    expect(checkGlobalControlShare(share)).toEqual(problems);
  });

  it('loadEngineConfig lists a bad share with every other problem at once', () => {
    // Prepare
    const config = {
      segments: [],
      globalControlShare: 0.9,
      journeys: [{ ...welcome, goals: [{ id: 'order', event: 'Order Completed', windowDays: 7 }, { id: 'order', event: 'Order Completed', windowDays: 120 }] }],
    };

    // Act
    const error = (() => {
      try {
        loadEngineConfig(JSON.stringify(config));
        return undefined;
      } catch (e) {
        return e;
      }
    })();

    // Assess
    expect(error).toBeInstanceOf(EngineConfigValidationError);
    expect((error as EngineConfigValidationError).problems).toEqual([
      expect.stringMatching(/^globalControlShare: 0.9 is over 0.5/),
      'journey "welcome": goals[1].windowDays: a goal window is at most 90 days: run history is kept 90 days, and a longer window credits the journey with orders it hardly caused, got 120',
      'journey "welcome" goal "order": duplicate goal id (goals[0] and goals[1]); conversions are counted per goal id, so give each goal its own id',
    ]);
  });

  it('loadEngineConfig accepts a valid share', () => {
    expect(loadEngineConfig(JSON.stringify({ segments: [], globalControlShare: 0.05 })).globalControlShare).toBe(0.05);
  });
});
