import { performance } from 'node:perf_hooks';
import { indonesiaConfig } from '../examples/indonesia';
import { evaluateProfile } from '../lib/core/evaluate-profile';
import type { CustomerEvent } from '../lib/core/events';
import type { Profile } from '../lib/core/profile';
import { emptyProfile, foldEvents } from '../lib/core/reducer';
import { evaluateSegments } from '../lib/core/segments/evaluator';
import { QUICK, report, round } from './support';

/**
 * Segment bench: how many times a second the example configuration's segments can be evaluated
 * for one realistic profile: 90 days of activity over 15 event names folded by the real reducer
 * (so daily counts, event counts, orders, RFM inputs are what the engine stores), 14 orders,
 * email and push consent with a topic, a location in Papua, loyalty points near the reward.
 * Reported: all segments at once (what the processor runs after every fold), evaluateProfile
 * (RFM + segments + next evaluation time), and each segment alone.
 */

const NOW = new Date('2026-11-23T01:00:00Z');
const EVENT_NAMES = [
  'Product Viewed', 'Product Added', 'Cart Viewed', 'Checkout Started', 'Order Completed', 'Top Up Completed', 'Bill Paid', 'Products Searched',
  'Promotion Viewed', 'Coupon Applied', 'Product Added to Wishlist', 'Review Submitted', 'Application Opened', 'Signed In', 'Push Notification Opened',
];

export function realisticProfile(): Profile {
  const events: CustomerEvent[] = [];
  let n = 0;
  const event = (type: CustomerEvent['type'], at: Date, fields: Partial<CustomerEvent>): void => {
    events.push({
      type, messageId: `seg-bench-${++n}`, userId: 'seg-bench-user', properties: {}, traits: {},
      context: { timezone: 'Asia/Jayapura', locale: 'id-ID' }, timestamp: at.toISOString(), receivedAt: at.toISOString(), source: 'bench', ...fields,
    } as CustomerEvent);
  };
  const start = NOW.getTime() - 90 * 86_400_000;
  event('identify', new Date(start), {
    traits: { email: 'maria@example.co.id', firstName: 'Maria', address: { city: 'Jayapura', state: 'Papua', country: 'ID' }, loyaltyPoints: 900, preferredChannel: 'push', shoeSize: 42 },
    context: { timezone: 'Asia/Jayapura', locale: 'id-ID', device: { token: 'apns-token', type: 'ios' } },
  });
  event('track', new Date(start + 1000), { event: 'Consent Granted', properties: { channel: 'email' } });
  event('track', new Date(start + 2000), { event: 'Consent Granted', properties: { channel: 'push', topic: 'promotions' } });
  for (let day = 0; day < 90; day++) {
    EVENT_NAMES.forEach((name, i) => {
      const count = (day * 7 + i * 3) % 4; // 0..3 a day, varying by day and name
      for (let c = 0; c < count; c++) {
        const at = new Date(start + day * 86_400_000 + (i * 3 + c) * 60_000 + 3_600_000);
        if (name === 'Order Completed') {
          if ((day + c) % 6 !== 0) continue; // about 14 orders in 90 days
          event('track', at, { event: name, properties: { order_id: `o-${day}-${c}`, revenue: 185_000 + day * 1000, currency: 'IDR' } });
        } else {
          event('track', at, { event: name, properties: { day } });
        }
      }
    });
    event('page', new Date(start + day * 86_400_000 + 7_200_000), { name: 'Home', properties: { path: '/' } });
  }
  let profile = emptyProfile('p_seg_bench', new Date(start).toISOString());
  // In chunks, as the processor folds batches (and the ring of recent messageIds stays bounded).
  for (let i = 0; i < events.length; i += 100) profile = foldEvents(profile, events.slice(i, i + 100), indonesiaConfig).profile;
  return evaluateProfile(profile, indonesiaConfig, NOW).profile;
}

function rate(fn: () => void, ms: number): number {
  for (let i = 0; i < 200; i++) fn(); // warm-up
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 100; i++) fn();
    count += 100;
    elapsed = performance.now() - start;
  }
  return (count / elapsed) * 1000;
}

function main(): void {
  const profile = realisticProfile();
  const segments = indonesiaConfig.segments;
  const budget = QUICK ? 300 : 1500;
  const all = rate(() => evaluateSegments(profile, segments, NOW), budget);
  const withRfm = rate(() => evaluateProfile(profile, indonesiaConfig, NOW), budget);
  const perSegment = segments.map((segment) => ({ segmentId: segment.id, evaluationsPerSecond: round(rate(() => evaluateSegments(profile, [segment], NOW), budget / 3), 0) }));
  report({
    profile: {
      bytes: Buffer.byteLength(JSON.stringify(profile)),
      eventNames: Object.keys(profile.metrics.eventCounts).length,
      dailyBuckets: Object.values(profile.metrics.daily).reduce((sum, days) => sum + Object.keys(days).length, 0),
      orders: profile.metrics.orders.count,
      segments: Object.keys(profile.segments),
    },
    segmentCount: segments.length,
    allSegmentsPerSecond: round(all, 0),
    segmentEvaluationsPerSecond: round(all * segments.length, 0),
    evaluateProfilePerSecond: round(withRfm, 0),
    microsecondsPerProfile: round(1e6 / all, 1),
    perSegment,
  });
  process.stderr.write(`  segments: ${round(all, 0)} profile evaluations/s (${segments.length} segments each)\n`);
}

if (require.main === module) main();
