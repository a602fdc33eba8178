import { readFileSync } from 'node:fs';
import { indonesiaConfig } from '../../examples/indonesia';
import { profileIdFor } from '../../lib/core/identity';
import { assignVariant } from '../../lib/core/journeys/split';
import { isGlobalControl } from '../../lib/core/measurement/control';
import { GLOBAL_CONTROL_GROUP } from '../../lib/core/measurement/counters';
import { JourneyHarness } from '../../lib/testing';

/**
 * Every example journey end to end on the local runtime, through the journey test harness: events
 * in through the ingest API, the compiled state machines on local Step Functions, the journey task
 * Lambda, the messages in the outbox, time on a manual clock. Monday 2026-11-23 01:00Z is 08:00 in
 * Jakarta, just after the example journeys' quiet hours (21:00-08:00).
 */
const MONDAY_8AM_WIB = '2026-11-23T01:00:00Z';
jest.setTimeout(120_000);

const ios = (token: string) => ({ device: { token, type: 'ios' } });
const jakarta = { timezone: 'Asia/Jakarta' };

function harnessFor(startAt = MONDAY_8AM_WIB): { get: () => JourneyHarness } {
  let h: JourneyHarness;
  beforeAll(async () => {
    h = await JourneyHarness.start({ config: indonesiaConfig, startAt });
  });
  afterAll(async () => {
    await h.stop();
  });
  return { get: () => h };
}

describe('welcome', () => {
  const harness = harnessFor();

  it('welcomes by email at once, then sends the first-order offer after 3 days to a customer who has not ordered', async () => {
    // Prepare
    const h = harness.get();
    await h.identify('w-email', { email: 'sari@example.co.id', firstName: 'Sari' }, { context: jakarta });
    await h.consent('w-email', 'email');

    // Act
    await h.track('w-email', 'Signed Up');
    const welcome = h.sent({ userId: 'w-email' });
    await h.advance('3d');

    // Assess
    expect(welcome).toEqual([expect.objectContaining({ channel: 'email', stepId: 'welcome-email', subject: 'Selamat datang di Toko Kita, Sari!', sentAt: '2026-11-23T01:00:00.000Z' })]);
    expect(h.sent({ userId: 'w-email' }).map((m) => [m.stepId, m.topic, m.sentAt])).toEqual([
      ['welcome-email', undefined, '2026-11-23T01:00:00.000Z'],
      ['first-order-email', 'promotions', '2026-11-26T01:00:00.000Z'],
    ]);
    const [run] = h.runs('welcome').filter((r) => r.output !== undefined && (r.output as any).run.profileId === h.sent({ userId: 'w-email' })[0].profileId);
    expect(run.status).toBe('SUCCEEDED');
    expect(h.path('welcome', run.runId)).toEqual([
      'channel', 'channel.choice', 'welcome-email', 'welcome-email.choice', 'ordered',
      'offer-channel', 'offer-channel.choice', 'first-order-email', 'first-order-email.choice', 'Complete.completed',
    ]);
  });

  it('welcomes by SMS a customer who prefers it, and skips the offer once they ordered', async () => {
    // Prepare
    const h = harness.get();
    await h.identify('w-sms', { phone: '+6281234500001', preferredChannel: 'sms' }, { context: jakarta });
    await h.consent('w-sms', 'sms');

    // Act
    await h.track('w-sms', 'Signed Up');
    await h.advance('1d');
    await h.track('w-sms', 'Order Completed', { order_id: 'o-1', revenue: 150_000 });
    await h.advance('3d');

    // Assess
    expect(h.sent({ userId: 'w-sms' }).map((m) => [m.channel, m.stepId, m.to[0]])).toEqual([['sms', 'welcome-sms', '+6281234500001']]);
  });

  it('welcomes by push on the device the app registered', async () => {
    // Prepare
    const h = harness.get();
    await h.identify('w-push', { preferredChannel: 'push' }, { context: { ...jakarta, ...ios('apns-token-1') } });
    await h.consent('w-push', 'push');

    // Act
    await h.track('w-push', 'Signed Up');

    // Assess
    expect(h.sent({ userId: 'w-push' })).toEqual([expect.objectContaining({ channel: 'push', stepId: 'welcome-push', to: ['apns-token-1'], title: expect.stringContaining('Selamat datang') })]);
  });

  it('suppresses with no_consent a customer who never opted in, and records why', async () => {
    // Prepare
    const h = harness.get();
    await h.identify('w-none', { email: 'none@example.co.id' }, { context: jakarta });

    // Act
    await h.track('w-none', 'Signed Up');

    // Assess
    expect(h.sent({ userId: 'w-none' })).toEqual([]);
    expect(await h.decisions('w-none', { journeyId: 'welcome' })).toEqual([expect.objectContaining({ stepId: 'welcome-email', outcome: 'suppressed', reason: 'no_consent' })]);
  });

  it('defers a welcome signed up during quiet hours to 08:00 their time, then sends it', async () => {
    // Prepare: 22:00 in Jakarta.
    const h = harness.get();
    await h.advanceTo(nextUtcAt(h.now, 15));
    await h.identify('w-night', { email: 'night@example.co.id' }, { context: jakarta });
    await h.consent('w-night', 'email');

    // Act
    await h.track('w-night', 'Signed Up');
    const atNight = h.sent({ userId: 'w-night' }).length;
    await h.advance('10h');

    // Assess
    expect(atNight).toBe(0);
    const [sent] = h.sent({ userId: 'w-night' });
    expect(sent.sentAt.slice(11)).toBe('01:00:00.000Z');
    expect((await h.decisions('w-night')).map((d) => d.outcome)).toEqual(['deferred', 'sent']);
  });

  it('starts one run for a duplicated entry event, and none on re-entry (welcome is once)', async () => {
    // Prepare
    const h = harness.get();
    await h.identify('w-dup', { email: 'dup@example.co.id' }, { context: jakarta });
    await h.consent('w-dup', 'email');
    const before = h.runs('welcome').length;

    // Act: the same event twice (a client retry), then a second sign-up later.
    await h.track('w-dup', 'Signed Up', {}, { messageId: 'signup-dup-1' });
    await h.track('w-dup', 'Signed Up', {}, { messageId: 'signup-dup-1' });
    await h.advance('4d');
    await h.track('w-dup', 'Signed Up', {}, { messageId: 'signup-dup-2' });

    // Assess
    expect(h.runs('welcome').length - before).toBe(1);
    expect(h.sent({ userId: 'w-dup', stepId: 'welcome-email' })).toHaveLength(1);
  });
});

describe('cart-abandonment', () => {
  const harness = harnessFor();

  async function shopper(h: JourneyHarness, userId: string, channels: ('email' | 'push')[] = ['email']): Promise<void> {
    await h.identify(userId, { email: `${userId}@example.co.id`, firstName: 'Budi' }, { context: { ...jakarta, ...(channels.includes('push') && ios(`token-${userId}`)) } });
    for (const channel of channels) await h.consent(userId, channel);
  }

  it('reminds by email an hour after the cart was abandoned', async () => {
    // Prepare
    const h = harness.get();
    await shopper(h, 'c-email');

    // Act
    await h.track('c-email', 'Cart Abandoned', { cartId: 'cart-1', total: 250_000 });
    await h.advance('59m');
    const early = h.sent({ userId: 'c-email' }).length;
    await h.advance('1m');

    // Assess
    expect(early).toBe(0);
    expect(h.sent({ userId: 'c-email' })).toEqual([
      expect.objectContaining({ channel: 'email', stepId: 'remind-email', body: 'Total belanjamu Rp 250000. Selesaikan pesanan sebelum stok habis.' }),
    ]);
    const run = h.runs('cart-abandonment').find((r) => r.runId === h.sent({ userId: 'c-email' })[0].runId);
    expect(run?.status).toBe('SUCCEEDED');
    expect(run?.transitions).toEqual({ statesEntered: 6, retries: 0, billed: 6 });
  });

  it('reminds by push a customer reachable by push', async () => {
    // Prepare
    const h = harness.get();
    await shopper(h, 'c-push', ['email', 'push']);

    // Act
    await h.track('c-push', 'Cart Abandoned', { cartId: 'cart-2', total: 90_000 });
    await h.advance('1d');

    // Assess
    expect(h.sent({ userId: 'c-push' }).map((m) => [m.channel, m.stepId, m.to[0]])).toEqual([['push', 'remind-push', 'token-c-push']]);
  });

  it('stops the run (exit criteria) when that cart is bought, and not for an order of another cart', async () => {
    // Prepare
    const h = harness.get();
    await shopper(h, 'c-buy');
    await shopper(h, 'c-other');
    await h.track('c-buy', 'Cart Abandoned', { cartId: 'cart-a', total: 100_000 });
    await h.track('c-other', 'Cart Abandoned', { cartId: 'cart-b', total: 200_000 });

    // Act: bought within the hour
    await h.advance('30m');
    await h.track('c-buy', 'Order Completed', { order_id: 'o-a', cartId: 'cart-a', revenue: 100_000 });
    await h.track('c-other', 'Order Completed', { order_id: 'o-z', cartId: 'cart-z', revenue: 100_000 });
    await h.advance('1d');

    // Assess
    expect(h.sent({ userId: 'c-buy', journeyId: 'cart-abandonment' })).toEqual([]);
    expect(h.runs('cart-abandonment', { userId: 'c-buy' }).map((r) => [r.entryKey, r.status])).toEqual([['cart-a', 'ABORTED']]);
    expect(h.sent({ userId: 'c-other', journeyId: 'cart-abandonment' }).map((m) => m.body)).toEqual([expect.stringContaining('200000')]);
  });

  it('does not start again within the 1-day cooldown (the cart still active), and does after it', async () => {
    // Prepare
    const h = harness.get();
    await shopper(h, 'c-again');
    await h.track('c-again', 'Cart Abandoned', { cartId: 'cart-r', total: 50_000 });

    // Act
    await h.advance('12h');
    await h.track('c-again', 'Cart Abandoned', { cartId: 'cart-r', total: 50_000 });
    await h.track('c-again', 'Cart Abandoned', { cartId: 'cart-s', total: 60_000 });
    await h.advance('14h');
    const withinCooldown = h.runs('cart-abandonment', { userId: 'c-again' }).length;
    await h.track('c-again', 'Cart Abandoned', { cartId: 'cart-r', total: 50_000 });
    await h.advance('1d');

    // Assess
    expect(withinCooldown).toBe(1);
    expect(h.runs('cart-abandonment', { userId: 'c-again' }).map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(h.sent({ userId: 'c-again' })).toHaveLength(2);
  });

  it('caps email at 2 a day (their calendar): a third email the same day is suppressed with frequency_cap', async () => {
    // Prepare: two emails this morning (Friday 11:30 WIB on this suite's clock).
    const h = harness.get();
    await shopper(h, 'c-cap');
    await h.identify('c-cap', { shoeSize: 45 });
    await h.track('c-cap', 'Order Completed', { order_id: 'o-cap', revenue: 2_000_000 });
    await h.enter('limited-drop', 'c-cap', { context: { productName: 'Sepatu' } });
    await h.track('c-cap', 'Signed Up');

    // Act: a cart abandoned now; its reminder an hour later would be the third email today.
    await h.track('c-cap', 'Cart Abandoned', { cartId: 'cap-1', total: 10_000 });
    await h.advance('1h');

    // Assess
    expect(h.sent({ userId: 'c-cap', channel: 'email' }).map((m) => m.stepId)).toEqual(['pre-order', 'welcome-email']);
    expect((await h.decisions('c-cap')).filter((d) => d.channel === 'email').map((d) => `${d.stepId}:${d.reason ?? d.outcome}`)).toEqual(['pre-order:sent', 'welcome-email:sent', 'remind-email:frequency_cap']);
  });

  it('suppresses with unsubscribed a customer who unsubscribed from email', async () => {
    // Prepare
    const h = harness.get();
    await shopper(h, 'c-unsub');
    await h.track('c-unsub', 'Cart Abandoned', { cartId: 'cart-u', total: 10_000 });

    // Act
    await h.track('c-unsub', 'Unsubscribed', { channel: 'email' });
    await h.advance('1d');

    // Assess
    expect(h.sent({ userId: 'c-unsub' })).toEqual([]);
    expect(await h.decisions('c-unsub')).toEqual([expect.objectContaining({ outcome: 'suppressed', reason: 'unsubscribed' })]);
  });

  it('suppresses with hard_bounce after SES reported a permanent bounce through the feedback handler', async () => {
    // Prepare: one reminder goes out and bounces.
    const h = harness.get();
    await shopper(h, 'c-bounce');
    await h.track('c-bounce', 'Cart Abandoned', { cartId: 'cart-x', total: 10_000 });
    await h.advance('1d');
    const [bounced] = h.sent({ userId: 'c-bounce' });

    // Act
    await h.emailEvent(bounced, 'Bounce', { bounceType: 'Permanent' });
    await h.advance('1d');
    await h.track('c-bounce', 'Cart Abandoned', { cartId: 'cart-y', total: 20_000 });
    await h.advance('1d');

    // Assess
    expect(h.sent({ userId: 'c-bounce' })).toHaveLength(1);
    expect((await h.profile('c-bounce'))?.suppression?.email?.reason).toBe('hard_bounce');
    expect((await h.decisions('c-bounce')).map((d) => d.reason ?? d.outcome)).toEqual(['sent', 'hard_bounce']);
  });

  it('sends exactly one message when the task is retried after its send went out', async () => {
    // Prepare: the remind-email task sends, then its response is lost (Step Functions retries it).
    const h = harness.get();
    await shopper(h, 'c-retry');
    h.failTask({ journeyId: 'cart-abandonment', stepId: 'remind-email', when: 'after' });

    // Act
    await h.track('c-retry', 'Cart Abandoned', { cartId: 'cart-t', total: 10_000 });
    await h.advance('1d');

    // Assess
    const sent = h.sent({ userId: 'c-retry' });
    expect(sent).toHaveLength(1);
    const run = h.runs('cart-abandonment').find((r) => r.runId === sent[0].runId);
    expect(run).toMatchObject({ status: 'SUCCEEDED', transitions: { statesEntered: 6, retries: 1, billed: 7 } });
  });
});

describe('first-purchase-cross-sell', () => {
  const harness = harnessFor();

  async function buyer(h: JourneyHarness, userId: string, state: string): Promise<void> {
    await h.identify(userId, { address: { state, country: 'ID' } }, { context: { ...jakarta, ...ios(`token-${userId}`) } });
    await h.consent(userId, 'push');
  }

  it('offers top-ups and groceries in the east, bills elsewhere, a day after the first order', async () => {
    // Prepare
    const h = harness.get();
    await buyer(h, 'x-east', 'Papua');
    await buyer(h, 'x-west', 'DKI Jakarta');

    // Act
    await h.track('x-east', 'Order Completed', { order_id: 'o-e', revenue: 100_000 });
    await h.track('x-west', 'Order Completed', { order_id: 'o-w', revenue: 100_000 });
    await h.advance('23h');
    const early = h.sent().length;
    await h.advance('1h');

    // Assess
    expect(early).toBe(0);
    expect(h.sent({ userId: 'x-east' }).map((m) => m.stepId)).toEqual(['offer-everyday']);
    expect(h.sent({ userId: 'x-west' }).map((m) => m.stepId)).toEqual(['offer-bills']);
  });

  it('suppresses with topic_unsubscribed a customer who left the promotions topic', async () => {
    // Prepare
    const h = harness.get();
    await buyer(h, 'x-topic', 'Papua');
    await h.track('x-topic', 'Unsubscribed', { topic: 'promotions' });

    // Act
    await h.track('x-topic', 'Order Completed', { order_id: 'o-t', revenue: 100_000 });
    await h.advance('1d');

    // Assess
    expect(h.sent({ userId: 'x-topic' })).toEqual([]);
    expect(await h.decisions('x-topic')).toEqual([expect.objectContaining({ stepId: 'offer-everyday', outcome: 'suppressed', reason: 'topic_unsubscribed' })]);
  });

  it('ends at once for a customer whose entry order is not their first', async () => {
    // Prepare: two orders before the journey sees the second... the entry is once per customer, so order twice first.
    const h = harness.get();
    await buyer(h, 'x-second', 'Papua');
    await h.track('x-second', 'Order Completed', { order_id: 'o-1', revenue: 100_000 });
    await h.advance('2d');

    // Act
    await h.track('x-second', 'Order Completed', { order_id: 'o-2', revenue: 100_000 });
    await h.advance('2d');

    // Assess: one run (entered once), one offer.
    expect(h.sent({ userId: 'x-second' })).toHaveLength(1);
  });
});

describe('win-back', () => {
  const harness = harnessFor();

  it('enters lapsed high-value customers after 30 days; the holdout gets nothing, the rest an email then a push, unless they order', async () => {
    // Prepare: high-value buyers who then go quiet.
    const h = harness.get();
    const users = Array.from({ length: 8 }, (_, i) => `wb-${i}`);
    for (const userId of users) {
      await h.identify(userId, { email: `${userId}@example.co.id` }, { context: { ...jakarta, ...ios(`token-${userId}`) } });
      await h.consent(userId, 'email');
      await h.consent(userId, 'push');
      await h.track(userId, 'Order Completed', { order_id: `o-${userId}`, revenue: 6_000_000 });
    }
    const profileIds = Object.fromEntries(await Promise.all(users.map(async (u) => [u, (await h.profile(u))?.profileId as string])));
    const step = indonesiaConfig.journeys?.find((j) => j.id === 'win-back')?.steps.find((s) => s.id === 'holdout-test');
    const variantOf = (u: string) => assignVariant(profileIds[u], 'win-back', step as never);
    const buyerAgain = users.find((u) => variantOf(u) !== 'holdout');

    // Act: 31 quiet days (hourly re-evaluation finds them lapsed), then one of them orders during the wait.
    await h.advance('31d');
    const entered = h.runs('win-back').length;
    if (buyerAgain) await h.track(buyerAgain, 'Order Completed', { order_id: 'o-back', revenue: 100_000 });
    await h.advance('4d');

    // Assess
    expect(entered).toBe(users.length);
    for (const userId of users) {
      const steps = h.sent({ userId, journeyId: 'win-back' }).map((m) => m.stepId);
      if (variantOf(userId) === 'holdout') expect(steps).toEqual([]);
      else if (userId === buyerAgain) expect(steps).toEqual(['send-offer']);
      else expect(steps).toEqual(['send-offer', 'last-chance']);
    }
    expect(buyerAgain).toBeDefined();
  });
});

describe('loyalty-reward-reminder', () => {
  const harness = harnessFor();

  async function member(h: JourneyHarness, userId: string, points: number): Promise<void> {
    await h.identify(userId, { loyaltyPoints: points, firstName: 'Dewi' }, { context: { ...jakarta, ...ios(`token-${userId}`) } });
  }

  it('nudges a member near a reward at 2 pm their time on a weekday, and remembers it on the profile', async () => {
    // Prepare
    const h = harness.get();
    await h.identify('l-near', {}, { context: { ...jakarta, ...ios('token-l-near') } });
    await h.consent('l-near', 'push');

    // Act
    await member(h, 'l-near', 900);
    await h.advance('1d');

    // Assess
    expect(h.sent({ userId: 'l-near' })).toEqual([expect.objectContaining({ stepId: 'remind', sentAt: '2026-11-23T07:00:00.000Z', body: expect.stringContaining('900') })]);
    expect((await h.profile('l-near'))?.traits.lastRewardReminderAt).toBeDefined();
  });

  it('stops the run when the member leaves the segment before 2 pm', async () => {
    // Prepare
    const h = harness.get();
    await h.advanceTo(nextUtcAt(h.now, 1));
    await h.identify('l-left', {}, { context: { ...jakarta, ...ios('token-l-left') } });
    await h.consent('l-left', 'push');
    await member(h, 'l-left', 950);

    // Act
    await h.advance('1h');
    await member(h, 'l-left', 1200);
    await h.advance('3d');

    // Assess
    expect(h.sent({ userId: 'l-left' })).toEqual([]);
    expect(h.runs('loyalty-reward-reminder').map((r) => r.status)).toContain('ABORTED');
  });
});

describe('limited-drop (API entry)', () => {
  const harness = harnessFor();
  const context = { productName: 'Sepatu Lari Nusantara' };

  async function customer(h: JourneyHarness, userId: string, traits: Record<string, unknown>, revenue: number): Promise<void> {
    await h.identify(userId, { email: `${userId}@example.co.id`, ...traits }, { context: { ...jakarta, ...ios(`token-${userId}`) } });
    await h.consent(userId, 'email');
    await h.consent(userId, 'push');
    if (revenue > 0) await h.track(userId, 'Order Completed', { order_id: `o-${userId}`, revenue });
  }

  it('skips low-value customers, offers pre-order to sold-out sizes, announces to the rest after 2 hours', async () => {
    // Prepare
    const h = harness.get();
    await customer(h, 'd-low', {}, 100_000);
    await customer(h, 'd-size', { shoeSize: 45 }, 2_000_000);
    await customer(h, 'd-rest', { shoeSize: 40 }, 2_000_000);

    // Act
    for (const userId of ['d-low', 'd-size', 'd-rest']) await h.enter('limited-drop', userId, { context });
    const beforeWait = h.sent({ journeyId: 'limited-drop' }).map((m) => m.stepId);
    await h.advance('2h');

    // Assess
    expect(beforeWait).toEqual(['pre-order']);
    expect(h.sent({ userId: 'd-low' })).toEqual([]);
    expect(h.sent({ userId: 'd-size' })).toEqual([expect.objectContaining({ channel: 'email', subject: 'Pre-order Sepatu Lari Nusantara' })]);
    expect(h.sent({ userId: 'd-rest', journeyId: 'limited-drop' })).toEqual([expect.objectContaining({ channel: 'push', stepId: 'announce', body: expect.stringContaining('Sepatu Lari Nusantara') })]);
  });

  it('enters once for a repeated request with the same idempotency key', async () => {
    // Prepare
    const h = harness.get();
    await customer(h, 'd-once', { shoeSize: 46 }, 2_000_000);

    // Act
    const first = await h.enter('limited-drop', 'd-once', { context, idempotencyKey: 'drop-2026-11-d-idem' });
    const second = await h.enter('limited-drop', 'd-once', { context, idempotencyKey: 'drop-2026-11-d-idem' });

    // Assess
    expect(second).toBe(first);
    expect(h.sent({ userId: 'd-once' })).toHaveLength(1);
  });
});

describe('global control group', () => {
  const harness = harnessFor();
  const share = indonesiaConfig.globalControlShare ?? 0;
  const inControl = (userId: string) => isGlobalControl(profileIdFor({ kind: 'user', id: userId }), share);

  it('keeps every other test\'s customer out of the example 5% control group (else their messages would be suppressed)', () => {
    // The user ids this file uses, as string literals such as 'w-email', 'c-buy', 'wb-' + i.
    const source = readFileSync(__filename, 'utf8');
    const literals = [...source.matchAll(/'((?:w|c|x|l|d)-[a-z0-9-]+)'/g)].map((m) => m[1]);
    const userIds = [...new Set([...literals, ...Array.from({ length: 8 }, (_, i) => `wb-${i}`)])];
    expect(share).toBe(0.05);
    expect(userIds.filter(inControl)).toEqual([]);
  });

  it('enters a control customer and records the run, sends them nothing, and counts their conversion', async () => {
    // Prepare: 'gc-23' is in the control group at 5% (its profile id hashes under the share).
    const h = harness.get();
    const userId = 'gc-23';
    expect(inControl(userId)).toBe(true);
    await h.identify(userId, { email: 'gc@example.co.id', firstName: 'Rina' }, { context: jakarta });
    await h.consent(userId, 'email');
    const before = await h.counters('welcome', { variant: GLOBAL_CONTROL_GROUP });

    // Act: signs up, orders two days later, then a week passes.
    await h.track(userId, 'Signed Up');
    await h.advance('2d');
    await h.track(userId, 'Order Completed', { order_id: 'o-gc', revenue: 150_000 });
    await h.advance('7d');

    // Assess
    expect(h.sent({ userId })).toEqual([]);
    expect(await h.decisions(userId, { journeyId: 'welcome' })).toEqual([expect.objectContaining({ stepId: 'welcome-email', outcome: 'suppressed', reason: 'global_control' })]);
    const run = (await h.profile(userId))?.journeys?.welcome.recent?.[0];
    expect(run).toMatchObject({ group: 'global-control', conversions: { 'first-order': { value: 150_000 } } });
    expect(run?.lastSend).toBeUndefined();
    const delta = Object.fromEntries((await h.counters('welcome', { variant: GLOBAL_CONTROL_GROUP })).map((c) => [c.metric, c.by - (before.find((b) => b.metric === c.metric)?.by ?? 0)]));
    expect(delta).toEqual({ entered: 1, 'converted:first-order': 1, 'value:first-order': 150_000, 'valueSq:first-order': 150_000 ** 2 });
  });
});

/** The next instant after `from` whose UTC hour is `hour` (e.g. 15 = 22:00 in Jakarta). */
function nextUtcAt(from: Date, hour: number): Date {
  const next = new Date(from);
  next.setUTCHours(hour, 0, 0, 0);
  if (next <= from) next.setUTCDate(next.getUTCDate() + 1);
  return next;
}
