import {
  MONDAY_TO_FRIDAY,
  branch,
  cooldown,
  days,
  email,
  eventMatches,
  exit,
  hours,
  inSegment,
  journey,
  maxTimes,
  minutes,
  push,
  seconds,
  segmentExited,
  send,
  sms,
  split,
  updateProfile,
  wait,
  waitForEvent,
  waitUntilDate,
  waitUntilTime,
  where,
} from '../../lib/core/journeys/builder';
import { JourneyValidationError } from '../../lib/core/journeys/validate';
import { consent } from '../../lib/core/segments/builder';

describe('journey builder', () => {
  it('builds the cart-abandonment journey as plain data, linking each step to the next', () => {
    // Act
    const definition = journey('cart-abandonment', 'Cart abandonment')
      .onEvent('Cart Abandoned', where('total').gte(100_000))
      .keyedBy('cartId')
      .reentry(cooldown(days(1)))
      .exitWhen(eventMatches('Order Completed', { matchEntryKey: true }))
      .quietHours('21:00', '08:00', 'defer')
      .steps(
        wait('wait-1h', hours(1)),
        waitForEvent('bought', 'Order Completed', { matchEntryKey: true, timeout: hours(23), onEvent: 'done', onTimeout: 'remind' }),
        send('remind', email('cart-reminder')),
        exit('done'),
      )
      .build();

    // Assess
    expect(definition).toEqual({
      id: 'cart-abandonment',
      name: 'Cart abandonment',
      entry: { type: 'event', event: 'Cart Abandoned', where: [{ property: 'total', operator: 'gte', value: 100000 }] },
      reentry: { type: 'cooldown', seconds: 86400 },
      entryKey: 'cartId',
      exitCriteria: { events: [{ event: 'Order Completed', matchEntryKey: true }] },
      quietHours: { start: '21:00', end: '08:00', action: 'defer' },
      startAt: 'wait-1h',
      steps: [
        { id: 'wait-1h', type: 'wait', seconds: 3600, next: 'bought' },
        { id: 'bought', type: 'waitForEvent', event: 'Order Completed', matchEntryKey: true, timeoutSeconds: 82800, onEvent: 'done', onTimeout: 'remind' },
        { id: 'remind', type: 'send', channel: 'email', template: 'cart-reminder', next: 'done' },
        { id: 'done', type: 'exit' },
      ],
    });
    expect(JSON.parse(JSON.stringify(definition))).toEqual(definition);
  });

  it('builds every step kind, keeping an explicit next over the following step', () => {
    // Act
    const definition = journey('all-kinds', 'All kinds', 'Every step once')
      .onSegmentEntered('lapsed-30d')
      .reentry(maxTimes(3, days(30)))
      .exitWhen(segmentExited('lapsed-30d'), eventMatches('Order Completed', { where: [where('total').gt(0)] }))
      .ignoringFrequencyCaps()
      .steps(
        branch('channel').when('push', consent('push').granted(), 'afternoon').when('vip', inSegment('high-value'), 'ab').otherwise('birthday'),
        waitUntilTime('afternoon', '14:00', { days: MONDAY_TO_FRIDAY, next: 'ab' }),
        waitUntilDate('birthday', { trait: 'birthday' }, { offset: days(-1), ifMissing: 'done' }),
        split('ab').variant('a', 45, 'send-a').variant('b', 45, 'send-b').holdout(10),
        send('send-a', sms('offer-sms'), { topic: 'promotions', next: 'remember' }),
        send('send-b', push('offer-push')),
        updateProfile('remember', { lastOfferAt: '{{ now }}' }),
        wait('short', minutes(5)),
        exit('done'),
      )
      .build();

    // Assess
    expect(definition).toEqual({
      id: 'all-kinds',
      name: 'All kinds',
      description: 'Every step once',
      entry: { type: 'segment', segmentId: 'lapsed-30d' },
      reentry: { type: 'maxTimes', times: 3, cooldownSeconds: 2592000 },
      exitCriteria: { events: [{ event: 'Order Completed', where: [{ property: 'total', operator: 'gt', value: 0 }] }], segmentExited: ['lapsed-30d'] },
      ignoreFrequencyCaps: true,
      startAt: 'channel',
      steps: [
        {
          id: 'channel',
          type: 'branch',
          paths: [
            { name: 'push', condition: { type: 'consent', channel: 'push', status: 'granted' }, next: 'afternoon' },
            { name: 'vip', segmentId: 'high-value', next: 'ab' },
          ],
          otherwise: 'birthday',
        },
        { id: 'afternoon', type: 'waitUntilTime', time: '14:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'], next: 'ab' },
        { id: 'birthday', type: 'waitUntilDate', from: 'trait', path: 'birthday', offsetSeconds: -86400, ifMissing: 'done', next: 'ab' },
        { id: 'ab', type: 'split', variants: [{ name: 'a', weight: 45, next: 'send-a' }, { name: 'b', weight: 45, next: 'send-b' }], holdout: { weight: 10 } },
        { id: 'send-a', type: 'send', channel: 'sms', template: 'offer-sms', topic: 'promotions', next: 'remember' },
        { id: 'send-b', type: 'send', channel: 'push', template: 'offer-push', next: 'remember' },
        { id: 'remember', type: 'updateProfile', traits: { lastOfferAt: '{{ now }}' }, next: 'short' },
        { id: 'short', type: 'wait', seconds: 300, next: 'done' },
        { id: 'done', type: 'exit' },
      ],
    });
  });

  it('builds an API-entry journey; a split without holdout is plain data too', () => {
    // Act
    const definition = journey('drop', 'Drop').onApiCall().steps(split('ab').variant('a', 50, 'done').variant('b', 50, 'done'), exit('done')).build();

    // Assess
    expect(definition.entry).toEqual({ type: 'api' });
    expect(JSON.stringify(definition.steps[0])).toBe('{"id":"ab","type":"split","variants":[{"name":"a","weight":50,"next":"done"},{"name":"b","weight":50,"next":"done"}]}');
  });

  it('converts durations to seconds', () => {
    // Assess
    expect([seconds(30), minutes(2), hours(1), days(2), days(-1)].map((d) => d.seconds)).toEqual([30, 120, 3600, 172800, -86400]);
  });

  it('leaves earlier builders unchanged (each call returns a new builder)', () => {
    // Prepare
    const base = journey('j', 'J').onEvent('Signed Up');

    // Act
    base.keyedBy('cartId');
    const definition = base.steps(exit('done')).build();

    // Assess
    expect(definition).toEqual({ id: 'j', name: 'J', entry: { type: 'event', event: 'Signed Up' }, startAt: 'done', steps: [{ id: 'done', type: 'exit' }] });
  });

  it('throws JourneyValidationError listing every problem, with the fix', () => {
    // Prepare
    const build = () =>
      journey('broken', 'Broken')
        .onApiCall()
        .steps(wait('pause', seconds(0)), send('hello', email('missing')), wait('pause', hours(1)), send('last', sms('welcome-sms')))
        .build({ templates: [{ id: 'welcome-sms', channel: 'sms', defaultLocale: 'id', locales: { id: { body: 'Halo' } } }] });

    // Act
    let error: unknown;
    try {
      build();
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(JourneyValidationError);
    expect((error as JourneyValidationError).name).toBe('JourneyValidationError');
    expect((error as JourneyValidationError).problems).toEqual([
      'journey "broken" step "pause": seconds: must be greater than 0, got 0',
      'journey "broken" step "last": next: is required: name the step that follows (the builder links a step to the one after it; the last step must be an exit step or name its next)',
      'journey "broken" step "pause": duplicate step id (steps[0] and steps[2]); give each step its own id',
      'journey "broken" step "hello": template "missing" does not exist; add it to templates or add an email template',
    ]);
  });

  it('checks segments only when the context lists them', () => {
    // Prepare
    const steps = journey('seg', 'Seg').onSegmentEntered('nope').steps(exit('done'));

    // Act / Assess
    expect(steps.build().entry).toEqual({ type: 'segment', segmentId: 'nope' });
    expect(() => steps.build({ segments: [] })).toThrow('journey "seg" entry: unknown segment "nope"; define it in the segments or use one of (none)');
  });
});
