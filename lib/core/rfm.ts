import type { RfmThresholds } from './config';
import type { Metrics, RfmScores } from './profile';
import { daysBetween } from './time';

/**
 * RFM tiers, the first matching rule wins:
 * - `champions`: R>=4, F>=4, M>=4 — bought recently, often, and for a lot.
 * - `loyal`: R>=3, F>=4 — buy often and not long ago.
 * - `new`: R=5, F=1 — a first order very recently.
 * - `potential`: R>=4 — recent buyers who may become loyal.
 * - `at_risk`: R<=2, F>=3 — used to buy often, have not for a while.
 * - `hibernating`: R<=2 — few orders, long ago.
 * - `needs_attention`: everyone else (middling recency and frequency).
 */
export const RFM_TIERS = ['champions', 'loyal', 'new', 'potential', 'at_risk', 'hibernating', 'needs_attention'] as const;
export type RfmTier = (typeof RFM_TIERS)[number];

/**
 * Score a profile's orders as of `now`: recency, frequency and monetary from 1 to 5 by the four
 * ascending cut points of `thresholds`, and the tier. `undefined` when the profile has no orders.
 *
 * @example
 * computeRfm(profile.metrics, new Date('2026-03-01T00:00:00Z'), DEFAULT_RFM);
 * // { recency: 5, frequency: 1, monetary: 4, cell: '514', tier: 'new', asOf: '2026-03-01T00:00:00.000Z' }
 */
export function computeRfm(metrics: Metrics, now: Date, thresholds: RfmThresholds): RfmScores | undefined {
  const { count, revenue, lastAt } = metrics.orders;
  if (count <= 0 || lastAt === undefined) return undefined;
  const recency = recencyScore(daysBetween(lastAt, now), thresholds.recencyDays);
  const frequency = ascendingScore(count, thresholds.frequency);
  const monetary = ascendingScore(revenue, thresholds.monetary);
  return { recency, frequency, monetary, cell: `${recency}${frequency}${monetary}`, tier: rfmTier(recency, frequency, monetary), asOf: now.toISOString() };
}

/**
 * The recency score for a number of days since the last order: 5 up to the first cut point, 1
 * beyond the last.
 *
 * @example
 * recencyScore(20, [14, 30, 90, 180]); // 4
 */
export function recencyScore(days: number, cuts: readonly number[]): number {
  const index = cuts.findIndex((cut) => days <= cut);
  return index === -1 ? 1 : 5 - index;
}

function ascendingScore(value: number, cuts: readonly number[]): number {
  return 1 + cuts.filter((cut) => value >= cut).length;
}

function rfmTier(r: number, f: number, m: number): RfmTier {
  if (r >= 4 && f >= 4 && m >= 4) return 'champions';
  if (r >= 3 && f >= 4) return 'loyal';
  if (r === 5 && f === 1) return 'new';
  if (r >= 4) return 'potential';
  if (r <= 2 && f >= 3) return 'at_risk';
  if (r <= 2) return 'hibernating';
  return 'needs_attention';
}
