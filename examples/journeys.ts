import type { JourneyDefinition, TemplateDefinition } from '../lib/core/journeys/definition';
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
  push,
  segmentExited,
  send,
  sms,
  split,
  updateProfile,
  wait,
  waitForEvent,
  waitUntilTime,
  where,
} from '../lib/core/journeys/builder';
import { parseTemplates } from '../lib/core/journeys/validate';
import type { Channel } from '../lib/core/profile';
import { and, consent, metric, rfmTier, trait } from '../lib/core/segments/builder';

/**
 * The example journeys of an Indonesian e-commerce and payments business, and their templates
 * (Liquid, in Indonesian and English). Templates see `profile`, `event` (the entry event's
 * properties) and `journey` ({ id, runId, stepId, variant, context }).
 *
 * The segments they name live in `indonesia.ts`, which imports this file and checks the journeys
 * against them with `parseJourneys`; importing it back from here would be a cycle, so these are
 * built with the templates only.
 */

const HELLO = "{{ profile.traits.firstName | default: 'Kak' }}";
const HI = "{{ profile.traits.firstName | default: 'there' }}";

export const exampleTemplates: TemplateDefinition[] = parseTemplates([
  ...(['email', 'sms', 'push'] as const).map((channel) =>
    message(channel, `welcome-${channel}`, {
      id: [`Selamat datang di Toko Kita, ${HELLO}!`, 'Belanja kebutuhan harian, isi pulsa dan bayar tagihan di satu tempat.'],
      en: [`Welcome to Toko Kita, ${HI}!`, 'Shop for everyday needs, top up and pay bills in one place.'],
    }),
  ),
  ...(['email', 'sms', 'push'] as const).map((channel) =>
    message(channel, `first-order-${channel}`, {
      id: [`${HELLO}, gratis ongkir untuk pesanan pertama`, 'Pakai kode PERTAMA di checkout, berlaku 7 hari.'],
      en: [`${HI}, free delivery on your first order`, 'Use code PERTAMA at checkout, valid for 7 days.'],
    }),
  ),
  message('push', 'cart-reminder-push', {
    id: ['Keranjangmu masih menunggu', `${HELLO}, barang di keranjang {{ event.cartId }} hampir habis. Selesaikan pesananmu sekarang.`],
    en: ['Your cart is waiting', `${HI}, the items in cart {{ event.cartId }} are selling fast. Complete your order now.`],
  }),
  message('email', 'cart-reminder-email', {
    id: [`${HELLO}, ada yang tertinggal di keranjangmu`, 'Total belanjamu Rp {{ event.total }}. Selesaikan pesanan sebelum stok habis.'],
    en: [`${HI}, you left something in your cart`, 'Your cart total is Rp {{ event.total }}. Complete your order before it sells out.'],
  }),
  message('push', 'cross-sell-everyday', {
    id: ['Isi pulsa dan belanja harian lebih hemat', `${HELLO}, dapatkan cashback 10% untuk isi pulsa dan belanja sembako minggu ini.`],
    en: ['Save on top-ups and groceries', `${HI}, get 10% cashback on mobile top-ups and groceries this week.`],
  }),
  message('push', 'cross-sell-bills', {
    id: ['Bayar tagihan tanpa antre', `${HELLO}, bayar listrik, BPJS dan internet dari aplikasi. Gratis biaya admin untuk transaksi pertama.`],
    en: ['Pay your bills without queueing', `${HI}, pay electricity, BPJS and internet bills in the app. No admin fee on your first one.`],
  }),
  message('email', 'winback-offer', {
    id: [`Kami rindu, ${HELLO}! Diskon 10% untukmu`, 'Kembali belanja dengan kode KEMBALI10, berlaku sampai akhir minggu.'],
    en: [`We miss you, ${HI}! 10% off for you`, 'Come back with code KEMBALI10, valid until the end of the week.'],
  }),
  message('push', 'winback-last-chance', {
    id: ['Kesempatan terakhir', 'Kode KEMBALI10 berakhir hari ini.'],
    en: ['Last chance', 'Code KEMBALI10 expires today.'],
  }),
  message('push', 'loyalty-reward-reminder', {
    id: ['Sedikit lagi dapat hadiah!', `${HELLO}, poinmu {{ profile.traits.loyaltyPoints }}. Beli satu gratis satu setelah jam 2 siang hari ini.`],
    en: ['Almost at your reward!', `${HI}, you have {{ profile.traits.loyaltyPoints }} points. Buy one, get one free after 2 pm today.`],
  }),
  message('push', 'drop-early-access', {
    id: ['Akses lebih awal untukmu', `${HELLO}, {{ journey.context.productName }} bisa kamu beli sekarang, sebelum yang lain.`],
    en: ['Early access for you', `${HI}, you can buy {{ journey.context.productName }} now, before everyone else.`],
  }),
  message('email', 'drop-pre-order', {
    id: [`Pre-order {{ journey.context.productName }}`, `${HELLO}, ukuranmu sudah habis di rilis ini. Pesan dulu untuk batch berikutnya.`],
    en: [`Pre-order {{ journey.context.productName }}`, `${HI}, your size sold out in this drop. Pre-order it from the next batch.`],
  }),
  message('push', 'drop-announce', {
    id: ['Rilis terbatas sudah dibuka', '{{ journey.context.productName }} tersedia sekarang, stok terbatas.'],
    en: ['The limited drop is live', '{{ journey.context.productName }} is available now, while stocks last.'],
  }),
]);

/** The customer says this channel is their favourite and has opted in to it. */
const prefers = (channel: Channel) => and(trait('preferredChannel').equals(channel), consent(channel).granted());

/** EU sizes sold out in the current drop (apps send sizes as numbers or strings). */
const SOLD_OUT_SIZES = [44, 45, 46, '44', '45', '46'];

const context = { templates: exampleTemplates };

export const exampleJourneys: JourneyDefinition[] = [
  journey('welcome', 'Welcome series', 'Welcome on the preferred channel, then a first-order offer to those who have not ordered')
    .onEvent('Signed Up')
    .quietHours('21:00', '08:00', 'defer')
    .goals(
      // A first order within a week of signing up.
      { id: 'first-order', event: 'Order Completed', windowDays: 7 },
    )
    .steps(
      branch('channel').when('sms', prefers('sms'), 'welcome-sms').when('push', prefers('push'), 'welcome-push').otherwise('welcome-email'),
      send('welcome-email', email('welcome-email'), { next: 'ordered' }),
      send('welcome-sms', sms('welcome-sms'), { next: 'ordered' }),
      send('welcome-push', push('welcome-push')),
      // Stop waiting the moment they order: the offer goes only to those who have not, 3 days on.
      waitForEvent('ordered', 'Order Completed', { timeout: days(3), onEvent: 'done', onTimeout: 'offer-channel' }),
      branch('offer-channel').when('sms', prefers('sms'), 'first-order-sms').when('push', prefers('push'), 'first-order-push').otherwise('first-order-email'),
      send('first-order-email', email('first-order-email'), { topic: 'promotions', next: 'done' }),
      send('first-order-sms', sms('first-order-sms'), { topic: 'promotions', next: 'done' }),
      send('first-order-push', push('first-order-push'), { topic: 'promotions' }),
      exit('done'),
    )
    .build(context),

  journey('cart-abandonment', 'Cart abandonment', 'Remind about an abandoned cart unless that cart is bought')
    .onEvent('Cart Abandoned', where('cartId').exists())
    .keyedBy('cartId')
    .reentry(cooldown(days(1)))
    .exitWhen(eventMatches('Order Completed', { matchEntryKey: true }))
    .quietHours('21:00', '08:00', 'defer')
    .goals(
      // That cart bought within 2 days; the run stops at once (as its exit criterion would).
      { id: 'order', event: 'Order Completed', matchEntryKey: true, windowDays: 2, exitOnConversion: true },
    )
    .steps(
      // The exit criterion stops the run the moment this cart is bought, so a plain wait suffices.
      wait('wait-1h', hours(1)),
      // Device tokens are identities, not traits, so no condition can see them: push consent (granted
      // when the app registers for notifications) stands in, and the push send is suppressed without a token.
      branch('reachable-by-push').when('push', consent('push').granted(), 'remind-push').otherwise('remind-email'),
      send('remind-push', push('cart-reminder-push'), { next: 'done' }),
      send('remind-email', email('cart-reminder-email')),
      exit('done'),
    )
    .build(context),

  journey('first-purchase-cross-sell', 'Cross-sell after the first purchase', 'Offer the service their region uses: top-ups and groceries in the east, bills elsewhere')
    .onEvent('Order Completed')
    .quietHours('21:00', '08:00', 'defer')
    .goals(
      // The service offered, used within a week of the offer (value: the amount topped up or paid).
      { id: 'top-up', event: 'Top Up Completed', windowDays: 7, from: 'lastSend', valueProperty: 'amount' },
      { id: 'bill-payment', event: 'Payment Completed', windowDays: 7, from: 'lastSend', valueProperty: 'amount' },
    )
    .steps(
      // Entry is once per customer; this keeps out customers whose first order predates the journey.
      branch('first-order').when('first', metric('orders.count').equals(1), 'wait-1d').otherwise('done'),
      wait('wait-1d', days(1)),
      branch('region').when('eastern', inSegment('eastern-provinces'), 'offer-everyday').otherwise('offer-bills'),
      send('offer-everyday', push('cross-sell-everyday'), { topic: 'promotions', next: 'done' }),
      send('offer-bills', push('cross-sell-bills'), { topic: 'promotions' }),
      exit('done'),
    )
    .build(context),

  journey('win-back', 'Win back lapsed high-value customers', 'A 10% holdout measures the revenue lift of the offer')
    .onSegmentEntered('lapsed-30d')
    .reentry(cooldown(days(90)))
    .exitWhen(eventMatches('Order Completed'), segmentExited('lapsed-30d'))
    .quietHours('21:00', '08:00', 'defer')
    .goals(
      // Revenue within 14 days of entry, holdout included: the lift of the offer.
      { id: 'order', event: 'Order Completed', windowDays: 14, valueProperty: 'revenue' },
    )
    .steps(
      branch('value').when('high-value', inSegment('high-value'), 'holdout-test').otherwise('done'),
      split('holdout-test').variant('offer', 90, 'send-offer').holdout(10),
      send('send-offer', email('winback-offer'), { topic: 'promotions' }),
      wait('wait-3d', days(3)),
      send('last-chance', push('winback-last-chance'), { topic: 'promotions' }),
      exit('done'),
    )
    .build(context),

  journey('loyalty-reward-reminder', 'Loyalty reward reminder', 'Members close to a reward: a buy-one-get-one nudge at 2 pm their time on a weekday')
    .onSegmentEntered('loyalty-near-reward')
    .reentry(cooldown(days(14)))
    .exitWhen(segmentExited('loyalty-near-reward'))
    .steps(
      waitUntilTime('afternoon', '14:00', { days: MONDAY_TO_FRIDAY }),
      send('remind', push('loyalty-reward-reminder'), { topic: 'loyalty' }),
      updateProfile('remember', { lastRewardReminderAt: '{{ now }}' }),
      exit('done'),
    )
    .build(context),

  journey('limited-drop', 'Limited product drop', 'Skip low-value customers, offer pre-order to sold-out sizes, loyal high-CLV customers first')
    .onApiCall()
    .quietHours('21:00', '08:00', 'defer')
    .steps(
      branch('audience')
        .when('low-value', metric('clv').lt(1_000_000), 'done')
        .when('size-sold-out', trait('shoeSize').in(SOLD_OUT_SIZES), 'pre-order')
        .when('loyal-high-clv', and(rfmTier('champions', 'loyal'), metric('clv').gte(5_000_000)), 'early-access')
        .otherwise('wait-2h'),
      send('pre-order', email('drop-pre-order'), { topic: 'product-drops', next: 'done' }),
      send('early-access', push('drop-early-access'), { topic: 'product-drops', next: 'done' }),
      wait('wait-2h', hours(2)),
      send('announce', push('drop-announce'), { topic: 'product-drops' }),
      exit('done'),
    )
    .build(context),
];

/** One template in both locales: [subject or title, body] per locale; SMS joins them. */
function message(channel: Channel, id: string, text: { id: readonly [string, string]; en: readonly [string, string] }): TemplateDefinition {
  const content = ([title, body]: readonly [string, string]) =>
    channel === 'email' ? { subject: title, text: body } : channel === 'sms' ? { body: `${title} ${body}` } : { title, body };
  return { id, channel, defaultLocale: 'id', locales: { id: content(text.id), en: content(text.en) } } as TemplateDefinition;
}
