import type { JourneyDefinition, TemplateDefinition } from './journeys/definition';
import type { Channel } from './profile';
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
  /** @default [] */
  readonly journeys?: readonly JourneyDefinition[];
  /** @default [] */
  readonly templates?: readonly TemplateDefinition[];
  readonly messaging?: MessagingConfig;
  /**
   * Engine-wide global control group: this share of customers (sticky hash of the profile id)
   * receives no journey message at all, while their entries and conversions are still measured.
   * 0..0.5. @default 0
   */
  readonly globalControlShare?: number;
}

export interface FrequencyCap {
  /** At most this many sends per customer calendar day (their time zone), across all journeys. */
  readonly perDay?: number;
  /** At most this many per customer calendar week (Monday to Sunday). */
  readonly perWeek?: number;
}

export interface MessagingConfig {
  /** @default { email: { perDay: 2, perWeek: 5 }, sms: { perDay: 1, perWeek: 3 }, push: { perDay: 3, perWeek: 10 } } */
  readonly frequencyCaps?: Partial<Record<Channel, FrequencyCap>>;
  /** Time zone for customers without one. @default 'Asia/Jakarta' */
  readonly defaultTimeZone?: string;
  /** Locale for customers without one (templates fall back to their own default after this). @default 'id' */
  readonly defaultLocale?: string;
  readonly email?: {
    /** Verified SES identity, e.g. `"Toko Kita" <halo@tokokita.co.id>`. */
    readonly from: string;
    /** SES configuration set that publishes events to the feedback function. */
    readonly configurationSet?: string;
    /** SES contact list for one-click unsubscribe (list management). */
    readonly contactList?: string;
  };
  readonly sms?: {
    /** Phone number, sender id or pool (End User Messaging SMS). */
    readonly originationIdentity?: string;
    readonly configurationSet?: string;
    /** @default 'PROMOTIONAL' */
    readonly messageType?: 'TRANSACTIONAL' | 'PROMOTIONAL';
  };
  readonly push?: {
    /** The Pinpoint application (project) id whose APNs/FCM channels send push. */
    readonly applicationId: string;
  };
}

export const DEFAULT_FREQUENCY_CAPS: Record<Channel, FrequencyCap> = {
  email: { perDay: 2, perWeek: 5 },
  sms: { perDay: 1, perWeek: 3 },
  push: { perDay: 3, perWeek: 10 },
};
export const DEFAULT_TIME_ZONE = 'Asia/Jakarta';
export const DEFAULT_LOCALE = 'id';

export const DEFAULT_EVENT_RETENTION_DAYS = 90;
export const DEFAULT_RFM: RfmThresholds = {
  recencyDays: [14, 30, 90, 180],
  frequency: [2, 3, 5, 10],
  monetary: [250_000, 1_000_000, 5_000_000, 20_000_000],
};
