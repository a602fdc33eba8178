import type { EngineConfig } from '../../lib/core/config';
import type { JourneyDefinition, TemplateDefinition } from '../../lib/core/journeys/definition';

/**
 * A small engine configuration with two journeys that between them use every step type, all three
 * channels and every messaging setting the infrastructure reads: the fixture of the infrastructure
 * tests, independent of the example configuration.
 */
const cartAbandonment: JourneyDefinition = {
  id: 'cart-abandonment',
  name: 'Cart abandonment',
  entry: { type: 'event', event: 'Cart Abandoned' },
  entryKey: 'cartId',
  reentry: { type: 'cooldown', seconds: 86_400 },
  exitCriteria: { events: [{ event: 'Order Completed', matchEntryKey: true }] },
  quietHours: { start: '21:00', end: '08:00', action: 'defer' },
  startAt: 'wait-1h',
  steps: [
    { id: 'wait-1h', type: 'wait', seconds: 3600, next: 'remind' },
    { id: 'remind', type: 'send', channel: 'email', template: 'cart-reminder', topic: 'cart', next: 'bought' },
    {
      id: 'bought',
      type: 'waitForEvent',
      event: 'Order Completed',
      matchEntryKey: true,
      timeoutSeconds: 86_400,
      onEvent: 'done',
      onTimeout: 'nudge',
    },
    { id: 'nudge', type: 'send', channel: 'push', template: 'cart-push', next: 'done' },
    { id: 'done', type: 'exit' },
  ],
};

const welcome: JourneyDefinition = {
  id: 'welcome',
  name: 'Welcome',
  entry: { type: 'event', event: 'Signed Up' },
  startAt: 'split',
  steps: [
    {
      id: 'split',
      type: 'split',
      variants: [
        { name: 'morning', weight: 45, next: 'at-ten' },
        { name: 'birthday', weight: 45, next: 'before-birthday' },
      ],
      holdout: { weight: 10 },
    },
    { id: 'at-ten', type: 'waitUntilTime', time: '10:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'], next: 'hello' },
    { id: 'before-birthday', type: 'waitUntilDate', from: 'trait', path: 'birthday', offsetSeconds: -86_400, ifMissing: 'hello', next: 'hello' },
    { id: 'hello', type: 'send', channel: 'sms', template: 'welcome-sms', next: 'branch' },
    { id: 'branch', type: 'branch', paths: [{ name: 'vip', condition: { type: 'trait', trait: 'tier', operator: 'equals', value: 'gold' }, next: 'mark' }], otherwise: 'done' },
    { id: 'mark', type: 'updateProfile', traits: { welcomed: true }, next: 'done' },
    { id: 'done', type: 'exit' },
  ],
};

const templates: TemplateDefinition[] = [
  { id: 'cart-reminder', channel: 'email', defaultLocale: 'id', locales: { id: { subject: 'Keranjangmu menunggu', text: 'Halo {{ profile.traits.firstName }}' } } },
  { id: 'cart-push', channel: 'push', defaultLocale: 'id', locales: { id: { title: 'Keranjang', body: 'Masih ada barang di keranjangmu' } } },
  { id: 'welcome-sms', channel: 'sms', defaultLocale: 'id', locales: { id: { body: 'Selamat datang!' } } },
];

export const journeyConfig: EngineConfig = {
  segments: [],
  journeys: [cartAbandonment, welcome],
  templates,
  messaging: {
    email: { from: '"Toko Kita" <halo@tokokita.co.id>', configurationSet: 'toko-journeys', contactList: 'toko-customers' },
    sms: { originationIdentity: 'pool-0123456789abcdef', configurationSet: 'toko-sms' },
    push: { applicationId: 'a1b2c3d4e5f6' },
  },
};

/** What the test tasks are invoked as once CloudFormation substitutes `${TaskFunctionArn}`. */
export const FAKE_TASK_FUNCTION_ARN = 'arn:aws:lambda:ap-southeast-3:123456789012:function:journey-task';
