import type { CustomerEvent } from '../../lib/core/events';
import { evaluateProfile } from '../../lib/core/evaluate-profile';
import { emptyProfile, foldEvents } from '../../lib/core/reducer';
import { parseSegments } from '../../lib/core/segments/validate';
import { indonesiaConfig } from '../../examples/indonesia';

let seq = 0;
function ev(partial: Partial<CustomerEvent>): CustomerEvent {
  seq += 1;
  return {
    type: 'track',
    messageId: `m-${seq}`,
    userId: 'u-42',
    properties: {},
    traits: {},
    context: {},
    timestamp: '2026-03-01T02:00:00.000Z',
    receivedAt: '2026-03-01T02:00:01.000Z',
    source: 'web',
    ...partial,
  };
}

const customer = (region: string) =>
  foldEvents(
    emptyProfile('p_42', '2026-03-01T02:00:00.000Z'),
    [
      ev({ type: 'identify', traits: { email: 'sari@example.co.id', loyaltyPoints: 850, address: { state: region, country: 'ID' } } }),
      ev({ event: 'Order Completed', properties: { revenue: 3_500_000, currency: 'IDR' }, timestamp: '2026-03-01T03:00:00.000Z' }),
      ev({ event: 'Order Completed', properties: { total: '2500000' }, timestamp: '2026-03-10T03:00:00.000Z' }),
      ev({ event: 'Consent Granted', properties: { channel: 'email' }, timestamp: '2026-03-01T02:05:00.000Z' }),
    ],
    indonesiaConfig,
  ).profile;

describe('indonesiaConfig', () => {
  it('parses, in IDR, with the segments our journeys use, and survives a JSON round trip', () => {
    // Assess
    expect(indonesiaConfig.currency).toBe('IDR');
    expect(indonesiaConfig.segments.map((s) => s.id)).toEqual([
      'eastern-provinces', 'high-value', 'repeat-buyers-30d', 'lapsed-30d', 'email-opted-in', 'loyalty-near-reward', 'new-customers',
    ]);
    expect(parseSegments(JSON.parse(JSON.stringify(indonesiaConfig.segments)))).toEqual(indonesiaConfig.segments);
  });

  it('puts a high-value repeat buyer in Papua Barat in the right segments', () => {
    // Prepare
    const profile = customer('papua barat');

    // Act
    const { profile: evaluated, entered, exited } = evaluateProfile(profile, indonesiaConfig, new Date('2026-03-12T00:00:00.000Z'));

    // Assess
    expect(entered).toEqual(['eastern-provinces', 'high-value', 'repeat-buyers-30d', 'email-opted-in', 'loyalty-near-reward']);
    expect(exited).toEqual([]);
    expect(evaluated.segments['high-value']).toEqual({ since: '2026-03-12T00:00:00.000Z' });
    expect(evaluated.metrics.rfm).toEqual({ recency: 5, frequency: 2, monetary: 4, cell: '524', tier: 'potential', asOf: '2026-03-12T00:00:00.000Z' });
    // The high-value RFM rule can change 15 days after the last order (recency leaves the <=14-day band).
    expect(evaluated.nextEvaluationAt).toBe('2026-03-25T03:00:00.000Z');
  });

  it('moves the customer out of the 30-day segments and into lapsed-30d when time passes', () => {
    // Prepare
    const first = evaluateProfile(customer('Nusa Tenggara Timur'), indonesiaConfig, new Date('2026-03-12T00:00:00.000Z')).profile;

    // Act
    const later = evaluateProfile(first, indonesiaConfig, new Date('2026-04-15T00:00:00.000Z'));

    // Assess
    expect(later.entered).toEqual(['lapsed-30d']);
    expect(later.exited).toEqual(['repeat-buyers-30d']);
    expect(later.profile.segments['eastern-provinces']).toEqual({ since: '2026-03-12T00:00:00.000Z' });
    expect(later.profile.metrics.rfm?.tier).toBe('needs_attention');
  });

  it('leaves a Jakarta customer out of eastern-provinces and drops nextEvaluationAt when nothing is time-dependent', () => {
    // Prepare
    const jakarta = customer('DKI Jakarta');
    const onlyStatic = { ...indonesiaConfig, segments: indonesiaConfig.segments.filter((s) => ['eastern-provinces', 'email-opted-in'].includes(s.id)) };

    // Act
    const result = evaluateProfile({ ...jakarta, nextEvaluationAt: '2026-03-01T00:00:00.000Z' }, onlyStatic, new Date('2026-03-12T00:00:00.000Z'));

    // Assess
    expect(Object.keys(result.profile.segments)).toEqual(['email-opted-in']);
    expect('nextEvaluationAt' in result.profile).toBe(false);
  });
});
