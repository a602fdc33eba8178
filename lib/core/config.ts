import type { SegmentDefinition } from './segments/definition';

/** RFM score thresholds: score n+1 when the value passes thresholds[n] (4 ascending cut points). */
export interface RfmThresholds {
  /** Days since last order, ascending; fewer days = higher recency score. @default [14, 30, 90, 180] */
  readonly recencyDays: readonly number[];
  /** Order counts, ascending. @default [2, 3, 5, 10] */
  readonly frequency: readonly number[];
  /** Revenue, ascending, in the configured currency. @default IDR [250_000, 1_000_000, 5_000_000, 20_000_000] */
  readonly monetary: readonly number[];
}

/** What the processor and evaluator need to know: data, shared by the CDK app and local mode. */
export interface EngineConfig {
  readonly segments: readonly SegmentDefinition[];
  /** How long raw events are kept (DynamoDB TTL). @default 90 */
  readonly eventRetentionDays?: number;
  /** ISO 4217 currency that revenue is counted in. @default 'IDR' */
  readonly currency?: string;
  readonly rfm?: RfmThresholds;
}

export const DEFAULT_EVENT_RETENTION_DAYS = 90;
export const DEFAULT_RFM: RfmThresholds = {
  recencyDays: [14, 30, 90, 180],
  frequency: [2, 3, 5, 10],
  monetary: [250_000, 1_000_000, 5_000_000, 20_000_000],
};
