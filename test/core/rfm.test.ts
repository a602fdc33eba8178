import { DEFAULT_RFM } from '../../lib/core/config';
import type { Metrics } from '../../lib/core/profile';
import { computeRfm, recencyScore } from '../../lib/core/rfm';

const NOW = new Date('2026-06-01T00:00:00.000Z');

function metrics(count: number, revenue: number, lastAt?: string): Metrics {
  return { eventCounts: {}, daily: {}, orders: { count, revenue, ...(lastAt && { lastAt }) }, clv: revenue };
}

const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();

describe('computeRfm', () => {
  it('is undefined without orders', () => {
    expect(computeRfm(metrics(0, 0), NOW, DEFAULT_RFM)).toBeUndefined();
  });

  it.each([
    // days, count, revenue -> R F M tier
    [3, 12, 25_000_000, '555', 'champions'],
    [20, 5, 5_000_000, '444', 'champions'],
    [40, 5, 300_000, '342', 'loyal'],
    [1, 1, 1_000_000, '513', 'new'],
    [10, 2, 100_000, '521', 'potential'],
    [100, 3, 2_000_000, '233', 'at_risk'],
    [400, 1, 50_000, '111', 'hibernating'],
    [60, 2, 500_000, '322', 'needs_attention'],
  ])('%i days ago, %i orders, revenue %i -> %s %s', (days, count, revenue, cell, tier) => {
    // Act
    const rfm = computeRfm(metrics(count, revenue, daysAgo(days)), NOW, DEFAULT_RFM);

    // Assess
    expect(rfm).toEqual({
      recency: Number(cell[0]),
      frequency: Number(cell[1]),
      monetary: Number(cell[2]),
      cell,
      tier,
      asOf: '2026-06-01T00:00:00.000Z',
    });
  });

  it.each([
    [0, 5], [14, 5], [15, 4], [30, 4], [31, 3], [90, 3], [91, 2], [180, 2], [181, 1],
  ])('recency: %i days -> %i', (days, score) => {
    expect(recencyScore(days, DEFAULT_RFM.recencyDays)).toBe(score);
    expect(computeRfm(metrics(1, 1, daysAgo(days)), NOW, DEFAULT_RFM)?.recency).toBe(score);
  });

  it.each([
    [1, 1], [2, 2], [3, 3], [4, 3], [5, 4], [9, 4], [10, 5],
  ])('frequency: %i orders -> %i', (count, score) => {
    expect(computeRfm(metrics(count, 0, daysAgo(1)), NOW, DEFAULT_RFM)?.frequency).toBe(score);
  });

  it('uses the thresholds it is given', () => {
    // Prepare
    const usd = { recencyDays: [7, 14, 28, 56], frequency: [2, 4, 8, 16], monetary: [20, 100, 500, 2000] };

    // Act
    const rfm = computeRfm(metrics(4, 600, daysAgo(10)), NOW, usd);

    // Assess
    expect(rfm?.cell).toBe('434');
  });
});
