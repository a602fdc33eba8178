import { DEFAULT_EVENT_RETENTION_DAYS, DEFAULT_FREQUENCY_CAPS, DEFAULT_RFM, type EngineConfig } from '../lib/core/config';
import type { SegmentDefinition } from '../lib/core/segments/definition';
import { parseJourneys } from '../lib/core/journeys/validate';
import { and, consent, event, firstSeen, lastSeen, location, metric, or, rfmTier, segment, trait } from '../lib/core/segments/builder';
import { parseSegments } from '../lib/core/segments/validate';
import { exampleJourneys, exampleTemplates } from './journeys';

/**
 * Eastern Indonesia, by the names customers and address forms actually use: the official Indonesian
 * name, its English form and common abbreviations (matching ignores case and accents, not
 * spelling). Sulawesi is included: it belongs to Kawasan Timur Indonesia (the government's
 * eastern-region development area) and its payment mix (top-ups, groceries, transfers home) is
 * closer to Maluku and Nusa Tenggara than to Java. Bali and Kalimantan are left out: their spending
 * follows tourism and resource-town patterns that a regional cross-sell would misread.
 */
export const EASTERN_PROVINCES: readonly string[] = [
  'Papua',
  'Papua Barat', 'West Papua',
  'Papua Tengah', 'Central Papua',
  'Papua Pegunungan', 'Highland Papua',
  'Papua Selatan', 'South Papua',
  'Papua Barat Daya', 'Southwest Papua',
  'Maluku',
  'Maluku Utara', 'North Maluku',
  'Nusa Tenggara Timur', 'East Nusa Tenggara', 'NTT',
  'Nusa Tenggara Barat', 'West Nusa Tenggara', 'NTB',
  'Sulawesi Utara', 'North Sulawesi',
  'Gorontalo',
  'Sulawesi Tengah', 'Central Sulawesi',
  'Sulawesi Barat', 'West Sulawesi',
  'Sulawesi Selatan', 'South Sulawesi',
  'Sulawesi Tenggara', 'Southeast Sulawesi',
];

/** Loyalty points at which the reward unlocks; members just below it are nudged to buy. */
const LOYALTY_REWARD_POINTS = 1000;

/**
 * The segments of an Indonesian e-commerce and payments business, passed through `parseSegments`
 * so a bad edit fails at import. Their own export, so the journeys can be checked against them.
 *
 * @example
 * indonesiaSegments.map((s) => s.id); // ['eastern-provinces', 'high-value', ...]
 */
export const indonesiaSegments: readonly SegmentDefinition[] = parseSegments([
  segment('eastern-provinces', 'Customers in eastern provinces', 'Papua, Maluku, Nusa Tenggara and Sulawesi: offer everyday services')
    .where(location('region').in(EASTERN_PROVINCES)),
  segment('high-value', 'High-value customers', 'Lifetime value of Rp 5,000,000 or more, or RFM champions')
    .where(or(metric('clv').gte(5_000_000), rfmTier('champions'))),
  segment('repeat-buyers-30d', 'Repeat buyers (30 days)', 'Two or more completed orders in the last 30 days')
    .where(event('Order Completed').atLeast(2).inLastDays(30)),
  segment('lapsed-30d', 'Lapsed customers (30 days)', 'Have ordered, not seen for more than 30 days: win-back')
    .where(and(metric('orders.count').gte(1), lastSeen().moreThanDaysAgo(30))),
  segment('email-opted-in', 'Email opted in').where(consent('email').granted()),
  segment('loyalty-near-reward', 'Close to a loyalty reward', `800 to ${LOYALTY_REWARD_POINTS - 1} points: the reward unlocks at ${LOYALTY_REWARD_POINTS}`)
    .where(and(trait('loyaltyPoints').gte(800), trait('loyaltyPoints').lt(LOYALTY_REWARD_POINTS))),
  segment('new-customers', 'New customers', 'First seen within the last 7 days').where(firstSeen().withinLastDays(7)),
]);

/**
 * The engine configuration for that business (revenue in IDR): its segments, the example journeys
 * (`journeys.ts`, checked here against the segments and templates) and messaging through SES,
 * End User Messaging SMS and push.
 *
 * @example
 * indonesiaConfig.journeys?.map((j) => j.id); // ['welcome', 'cart-abandonment', ...]
 */
export const indonesiaConfig: EngineConfig = {
  currency: 'IDR',
  eventRetentionDays: DEFAULT_EVENT_RETENTION_DAYS,
  rfm: DEFAULT_RFM,
  segments: indonesiaSegments,
  journeys: parseJourneys(exampleJourneys, { segments: indonesiaSegments, templates: exampleTemplates }),
  templates: exampleTemplates,
  // 5% of customers get no journey message at all: the baseline every journey's lift is measured against.
  globalControlShare: 0.05,
  messaging: {
    frequencyCaps: DEFAULT_FREQUENCY_CAPS,
    defaultTimeZone: 'Asia/Jakarta',
    defaultLocale: 'id',
    email: { from: '"Toko Kita" <halo@tokokita.co.id>', configurationSet: 'journey-engine', contactList: 'journey-engine' },
    sms: { messageType: 'PROMOTIONAL' },
    push: { applicationId: 'local-push-app' },
  },
};
