import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { report } from '../../bin/cli';
import type { EngineConfig } from '../../lib/core/config';
import { profileIdFor } from '../../lib/core/identity';
import type { JourneyDefinition, Step } from '../../lib/core/journeys/definition';
import { assignVariant } from '../../lib/core/journeys/split';
import { formatReadout, type JourneyReadout } from '../../lib/core/measurement/readout';
import { compareMeans, compareProportions, summaryFromSums, type MeanComparison, type ProportionComparison } from '../../lib/core/measurement/stats';
import { JourneyHarness } from '../../lib/testing';

/**
 * "Did this journey work?" end to end on the local runtime: a seeded population of 400 customers
 * enters a win-back journey with a 20% holdout, the offer goes out by email, and offer customers
 * order three times as often as holdout customers. The report must show it the same way through
 * the admin API and the CLI, with the lift, its confidence interval and p-value the stats module
 * computes from the same counts.
 */
jest.setTimeout(180_000);

const ROOT = join(__dirname, '..', '..');

const split: Extract<Step, { type: 'split' }> = { id: 'offer-test', type: 'split', variants: [{ name: 'offer', weight: 80, next: 'send-offer' }], holdout: { weight: 20 } };
const winBack: JourneyDefinition = {
  id: 'win-back',
  name: 'Win back lapsed customers',
  entry: { type: 'event', event: 'Win-back Eligible' },
  goals: [{ id: 'order', event: 'Order Completed', windowDays: 14, valueProperty: 'revenue' }],
  startAt: 'offer-test',
  steps: [split, { id: 'send-offer', type: 'send', channel: 'email', template: 'winback-offer', next: 'done' }, { id: 'done', type: 'exit' }],
};
const config: EngineConfig = {
  segments: [],
  journeys: [winBack],
  templates: [{ id: 'winback-offer', channel: 'email', defaultLocale: 'en', locales: { en: { subject: 'We miss you, {{ profile.traits.firstName }}', text: 'Come back with KEMBALI10.' } } }],
  messaging: { email: { from: '"Toko Kita" <halo@tokokita.co.id>' }, defaultTimeZone: 'Asia/Jakarta' },
  globalControlShare: 0,
};

// The seeded population: c-001 .. c-400. The split is a hash of the profile id, which is a hash of
// the userId, so who lands in the holdout is the same on every run.
const customers = Array.from({ length: 400 }, (_, i) => `c-${String(i + 1).padStart(3, '0')}`);
const variantOf = (userId: string) => assignVariant(profileIdFor({ kind: 'user', id: userId }), winBack.id, split);
const offer = customers.filter((userId) => variantOf(userId) === 'offer');
const holdout = customers.filter((userId) => variantOf(userId) === 'holdout');
// Who orders: 3 in 10 offer customers, 1 in 10 holdout customers, for 100k, 150k or 200k IDR.
const ordersOf = (group: readonly string[], perTen: number) =>
  group.filter((_, i) => i % 10 < perTen).map((userId, i) => ({ userId, revenue: 100_000 + 50_000 * (i % 3) }));
const offerOrders = ordersOf(offer, 3);
const holdoutOrders = ordersOf(holdout, 1);
const sums = (orders: readonly { revenue: number }[]) => ({
  value: orders.reduce((sum, o) => sum + o.revenue, 0),
  valueSq: orders.reduce((sum, o) => sum + o.revenue ** 2, 0),
});

describe('journey readout, end to end', () => {
  let h: JourneyHarness;

  const batch = async (label: string, calls: readonly Record<string, unknown>[]) => {
    const now = h.now.toISOString();
    const response = await fetch(`${h.runtime.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${h.runtime.writeKey}:`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ batch: calls.map((call, i) => ({ ...call, messageId: `${label}-${i}`, timestamp: now })), sentAt: now }),
    });
    if (response.status >= 300) throw new Error(`batch answered ${response.status}: ${await response.text()}`);
    await h.drain();
  };
  const admin = async (path: string) => {
    const response = await fetch(`${h.runtime.url}/admin/${path}`, { headers: { authorization: `Bearer ${h.runtime.adminKey}` } });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    h = await JourneyHarness.start({ config, startAt: '2026-11-23T01:00:00Z', reevaluateEveryMs: 0 });
    // Prepare: every customer with an email address and email consent, then eligible for win-back.
    await batch('profiles', customers.flatMap((userId) => [
      { type: 'identify', userId, traits: { email: `${userId}@example.co.id`, firstName: userId } },
      { type: 'track', userId, event: 'Consent Granted', properties: { channel: 'email' } },
    ]));
    await batch('eligible', customers.map((userId) => ({ type: 'track', userId, event: 'Win-back Eligible' })));
    await h.advance('1h');
    // Act: two days later, the customers who order do so; then the 14-day window closes.
    await h.advance('2d');
    await batch('orders', [...offerOrders, ...holdoutOrders].map(({ userId, revenue }) => ({ type: 'track', userId, event: 'Order Completed', properties: { revenue } })));
    await h.advance('14d');
  });
  afterAll(async () => {
    await h.stop();
  });

  it('seeds a population split about 80/20 by the journey', () => {
    // Assess: the seeded population and its orders, pinned.
    expect([offer.length, holdout.length]).toEqual([317, 83]);
    expect([offerOrders.length, holdoutOrders.length]).toEqual([96, 9]);
    expect([sums(offerOrders), sums(holdoutOrders)]).toEqual([{ value: 14_400_000, valueSq: 2_320_000_000_000 }, { value: 1_350_000, valueSq: 217_500_000_000 }]);
  });

  it('lists the journeys and answers 404 for a report of an unknown one', async () => {
    // Act
    const list = await admin('journeys');
    const unknown = await admin('journeys/nope/report');

    // Assess
    expect(list).toEqual({ status: 200, body: { journeys: [{ id: 'win-back', name: 'Win back lapsed customers', entry: 'event', goals: ['order'] }] } });
    expect(unknown).toEqual({ status: 404, body: { error: 'not_found', message: 'no journey nope' } });
  });

  it('reports entries, exposure per variant and the sends through the admin API', async () => {
    // Act
    const { status, body } = await admin('journeys/win-back/report');
    const readout = body.readout as JourneyReadout;

    // Assess
    expect(status).toBe(200);
    expect(h.sent({ journeyId: 'win-back' })).toHaveLength(317);
    expect(readout.totals).toEqual({ entered: 400, inProgress: 0, exited: { completed: 317, holdout: 83, failed: 0, exit_criteria: 0, 'goal:order': 0 } });
    expect(readout.steps.map((step) => [step.stepId, step.sent, step.suppressedTotal, step.assigned])).toEqual([
      ['offer-test', 0, 0, { offer: 317, holdout: 83 }],
      ['send-offer', 317, 0, undefined],
      ['done', 0, 0, undefined],
    ]);
    expect(readout.goals[0].splits[0].variants.map((v) => [v.name, v.exposed])).toEqual([['offer', 317], ['holdout', 83]]);
  });

  // Conversions are counted by the processor's goal attribution (lib/core/measurement/attribution.ts).
  it('shows the lift of the offer over the holdout, the same through the admin API and the CLI', async () => {
    // Act
    const { body } = await admin('journeys/win-back/report');
    const readout = body.readout as JourneyReadout;
    const printed: string[] = [];
    const code = await report(['win-back', '--url', h.runtime.url, '--admin-key', h.runtime.adminKey], { out: (text) => printed.push(text), err: (text) => printed.push(text) });

    // Assess: exposure, conversions, rates, revenue per customer.
    const [goal] = readout.goals;
    const [offerOutcome, holdoutOutcome] = goal.splits[0].variants;
    expect(offerOutcome).toEqual({ name: 'offer', exposed: 317, converted: 96, conversionRate: 96 / 317, value: 14_400_000, valueSq: 2_320_000_000_000, revenuePerCustomer: 14_400_000 / 317 });
    expect(holdoutOutcome).toEqual({ name: 'holdout', exposed: 83, converted: 9, conversionRate: 9 / 83, value: 1_350_000, valueSq: 217_500_000_000, revenuePerCustomer: 1_350_000 / 83 });
    expect([offerOutcome.conversionRate, holdoutOutcome.conversionRate, offerOutcome.revenuePerCustomer, holdoutOutcome.revenuePerCustomer]).toEqual([
      0.3028391167192429, 0.10843373493975904, 45_425.86750788643, 16_265.060240963856,
    ]);
    expect(goal.groups[0]).toMatchObject({ name: 'treatment', exposed: 400, converted: 105, value: 15_750_000 });
    expect(readout.steps[1].attributed).toEqual([{ goalId: 'order', converted: 96, value: 14_400_000 }]);

    // The comparison is the stats module's on the same counts...
    const [comparison] = goal.splits[0].comparisons;
    const expectedRate = compareProportions({ conversions: 96, exposed: 317 }, { conversions: 9, exposed: 83 }) as ProportionComparison;
    const expectedRevenue = compareMeans(
      summaryFromSums(317, 14_400_000, 2_320_000_000_000),
      summaryFromSums(83, 1_350_000, 217_500_000_000),
    ) as MeanComparison;
    expect(comparison.conversionRate).toEqual(expectedRate);
    expect(comparison.revenuePerCustomer).toEqual(expectedRevenue);
    // ... and these numbers, pinned.
    const rate = comparison.conversionRate as ProportionComparison;
    expect(rate.difference.estimate).toBeCloseTo(0.194405, 6);
    expect(rate.difference.interval).toEqual({ lower: expect.closeTo(0.110543, 6), upper: expect.closeTo(0.278268, 6) });
    expect(rate.relativeLift?.estimate).toBeCloseTo(1.792850, 6);
    expect(rate.relativeLift?.interval).toEqual({ lower: expect.closeTo(0.473981, 6), upper: expect.closeTo(4.291798, 6) });
    expect(rate.z).toBeCloseTo(3.583450, 6);
    expect(rate.pValue).toBeCloseTo(0.000339086, 9);
    expect(rate.significant).toBe(true);
    const revenue = comparison.revenuePerCustomer as MeanComparison;
    expect(revenue.difference.estimate).toBeCloseTo(29_160.807, 3);
    expect(revenue.difference.interval).toEqual({ lower: expect.closeTo(15_874.845, 3), upper: expect.closeTo(42_446.769, 3) });
    expect(revenue.t).toBeCloseTo(4.329708, 6);
    expect(revenue.degreesOfFreedom).toBeCloseTo(188.0508, 4);
    expect(revenue.pValue).toBeCloseTo(0.0000242473, 10);

    // The CLI prints the API's numbers.
    expect(code).toBe(0);
    expect(printed.join('')).toBe(formatReadout(readout));
    expect(printed.join('')).toMatch(/offer\s+317\s+96\s+30\.3%\s+14,400,000\s+45,425\.87\n/);
    expect(printed.join('')).toMatch(/holdout\s+83\s+9\s+10\.8%\s+1,350,000\s+16,265\.06\n/);
    expect(printed.join('')).toContain('conversion rate   +19.4 pp [95% CI +11.1, +27.8]  lift +179.3% [95% CI +47.4%, +429.2%]  z=3.58  p=3.4e-4');
    expect(printed.join('')).toContain('revenue/customer  +29,160.81 [95% CI +15,874.85, +42,446.77]  lift +179.3% [95% CI +43.0%, +445.5%]  t=4.33  df=188.1  p=2.4e-5');
  });

  it('prints the report from the command line: bin/cli.ts report as a child process', async () => {
    // Act
    const { stdout } = await promisify(execFile)('npx', ['tsx', join(ROOT, 'bin', 'cli.ts'), 'report', 'win-back', '--url', h.runtime.url, '--admin-key', h.runtime.adminKey], { cwd: ROOT });
    const { body } = await admin('journeys/win-back/report');

    // Assess
    expect(stdout).toBe(formatReadout(body.readout as JourneyReadout));
    expect(stdout).toMatch(/offer\s+317\s+\d+\s+[\d.]+%/);
    expect(stdout).toMatch(/holdout\s+83\s+\d+\s+[\d.]+%/);
  });
});
