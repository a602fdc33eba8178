import { z } from 'zod';
import { conditionSchema } from '../segments/definition';

/**
 * Journeys are data: a flat list of steps linked by ids, validated by these schemas, produced by
 * the typed builder (`builder.ts`) or read from JSON, compiled to Amazon States Language by
 * `compiler.ts` (JSONPath only). Durations are in seconds.
 */

const id = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,47}$/, 'use 1-48 lower-case letters, digits, "-" or "_"');
const stepId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/, 'use 1-48 letters, digits, "-" or "_"');
const scalar = z.union([z.string(), z.number(), z.boolean()]);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM, 24-hour clock');
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A filter on an event's properties (dot path), e.g. `{ property: 'total', operator: 'gte', value: 100000 }`. */
export const propertyFilterSchema = z.object({
  property: z.string().min(1),
  operator: z.enum(['equals', 'notEquals', 'in', 'notIn', 'exists', 'notExists', 'contains', 'gt', 'gte', 'lt', 'lte']),
  value: z.union([scalar, z.array(scalar)]).optional(),
});
export type PropertyFilter = z.infer<typeof propertyFilterSchema>;

export const eventMatchSchema = z.object({
  event: z.string().min(1),
  where: z.array(propertyFilterSchema).optional(),
  /** Only events whose entry-key property equals the run's entry key (keyed journeys). */
  matchEntryKey: z.boolean().optional(),
});
export type EventMatch = z.infer<typeof eventMatchSchema>;

export const entrySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('event'), event: z.string().min(1), where: z.array(propertyFilterSchema).optional() }),
  z.object({ type: z.literal('segment'), segmentId: z.string().min(1) }),
  /** Started through the admin API (`POST /admin/journeys/{id}/entries`), with extra context. */
  z.object({ type: z.literal('api') }),
]);
export type EntryTrigger = z.infer<typeof entrySchema>;

export const reentrySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('never') }),
  z.object({ type: z.literal('cooldown'), seconds: z.number().int().positive() }),
  z.object({ type: z.literal('maxTimes'), times: z.number().int().positive(), cooldownSeconds: z.number().int().nonnegative().optional() }),
]);
export type Reentry = z.infer<typeof reentrySchema>;

export const quietHoursSchema = z.object({
  /** Local time (customer's time zone) quiet hours start, e.g. `21:00`. */
  start: hhmm,
  /** Local time they end, e.g. `08:00` (may be earlier than start: over midnight). */
  end: hhmm,
  /** `defer`: hold the message until they end; `drop`: suppress it. */
  action: z.enum(['defer', 'drop']),
});
export type QuietHours = z.infer<typeof quietHoursSchema>;

const next = stepId;
export const stepSchema = z.discriminatedUnion('type', [
  z.object({ id: stepId, type: z.literal('wait'), seconds: z.number().int().positive(), next }),
  z.object({
    id: stepId,
    type: z.literal('waitUntilTime'),
    /** Local time of day in the customer's time zone. */
    time: hhmm,
    /** Allowed days (customer's calendar); all days when omitted. */
    days: z.array(z.enum(WEEKDAYS)).min(1).optional(),
    next,
  }),
  z.object({
    id: stepId,
    type: z.literal('waitUntilDate'),
    /** Where the date comes from: a profile trait, or a property of the entry event. */
    from: z.enum(['trait', 'event']),
    path: z.string().min(1),
    /** Added to the date (negative: before it), e.g. -86400 for "a day before". */
    offsetSeconds: z.number().int().optional(),
    /** Where to go when the date is missing or invalid. A date in the past continues at once to `next`. */
    ifMissing: next,
    next,
  }),
  z.object({
    id: stepId,
    type: z.literal('waitForEvent'),
    ...eventMatchSchema.shape,
    timeoutSeconds: z.number().int().positive(),
    onEvent: next,
    onTimeout: next,
  }),
  z.object({
    id: stepId,
    type: z.literal('branch'),
    paths: z
      .array(
        z.object({
          name: stepId,
          /** Member of this segment (as stored on the profile). */
          segmentId: z.string().min(1).optional(),
          /** Or any segment condition, evaluated on the profile at this moment. */
          condition: conditionSchema.optional(),
          next,
        }),
      )
      .min(1),
    /** "Everyone else". */
    otherwise: next,
  }),
  z.object({
    id: stepId,
    type: z.literal('split'),
    variants: z.array(z.object({ name: stepId, weight: z.number().positive(), next })).min(1),
    /** A holdout group that receives nothing from here on (recorded, for lift). */
    holdout: z.object({ weight: z.number().positive() }).optional(),
  }),
  z.object({
    id: stepId,
    type: z.literal('send'),
    channel: z.enum(['email', 'sms', 'push']),
    template: z.string().min(1),
    /** Subscription topic: customers who revoked it are suppressed. */
    topic: z.string().min(1).optional(),
    next,
  }),
  z.object({ id: stepId, type: z.literal('updateProfile'), traits: z.record(z.string(), z.unknown()), next }),
  z.object({ id: stepId, type: z.literal('exit') }),
]);
export type Step = z.infer<typeof stepSchema>;
export type StepType = Step['type'];

/**
 * A conversion goal: an event (with property filters) within a window counted from the run's entry
 * or from its last send. Conversions are recorded per journey, per variant and per last touched step,
 * for holdout and control customers too (see lib/core/measurement/attribution.ts).
 */
export const goalSchema = z.object({
  id,
  event: z.string().min(1),
  where: z.array(propertyFilterSchema).optional(),
  /**
   * Keyed journeys: only goal events whose entry-key property equals the run's entry key (the order
   * of that cart). @default false
   */
  matchEntryKey: z.boolean().optional(),
  /** 1..90 days. */
  windowDays: z
    .number()
    .int('use a whole number of days')
    .min(1, 'a goal window is at least 1 day')
    .max(90, 'a goal window is at most 90 days: run history is kept 90 days, and a longer window credits the journey with orders it hardly caused'),
  /** @default 'entry' */
  from: z.enum(['entry', 'lastSend']).optional(),
  /** Property holding the conversion's value (revenue). @default 'revenue' */
  valueProperty: z.string().min(1).optional(),
  /** Stop the run when the goal is reached. @default false */
  exitOnConversion: z.boolean().optional(),
});
export type Goal = z.infer<typeof goalSchema>;

export const journeyDefinitionSchema = z.object({
  id,
  name: z.string().min(1),
  description: z.string().optional(),
  entry: entrySchema,
  /** @default { type: 'never' } */
  reentry: reentrySchema.optional(),
  /** Keyed journey: one active run per customer per value of this entry-event property (e.g. `cartId`). */
  entryKey: z.string().min(1).optional(),
  /** Stop the run at once, nothing more sent, when one of these events arrives or a segment is left. */
  exitCriteria: z
    .object({ events: z.array(eventMatchSchema).optional(), segmentExited: z.array(z.string().min(1)).optional() })
    .optional(),
  /** Quiet hours in the customer's time zone. @default none */
  quietHours: quietHoursSchema.optional(),
  /** Transactional journeys skip frequency caps (never consent). @default false */
  ignoreFrequencyCaps: z.boolean().optional(),
  /** Conversion goals measured for this journey. @default [] */
  goals: z.array(goalSchema).optional(),
  startAt: stepId,
  steps: z.array(stepSchema).min(1),
});
export type JourneyDefinition = z.infer<typeof journeyDefinitionSchema>;

const emailContent = z.object({ subject: z.string().min(1), html: z.string().optional(), text: z.string().min(1) });
const smsContent = z.object({ body: z.string().min(1) });
const pushContent = z.object({
  title: z.string().min(1),
  body: z.string().min(1),
  url: z.string().optional(),
  data: z.record(z.string(), z.string()).optional(),
});
export type EmailContent = z.infer<typeof emailContent>;
export type SmsContent = z.infer<typeof smsContent>;
export type PushContent = z.infer<typeof pushContent>;

/** A message template: Liquid text per locale (`id`, `en`, `id-ID`...), with a fallback locale. */
export const templateSchema = z.discriminatedUnion('channel', [
  z.object({ id: z.string().min(1), channel: z.literal('email'), defaultLocale: z.string().min(2), locales: z.record(z.string(), emailContent) }),
  z.object({ id: z.string().min(1), channel: z.literal('sms'), defaultLocale: z.string().min(2), locales: z.record(z.string(), smsContent) }),
  z.object({ id: z.string().min(1), channel: z.literal('push'), defaultLocale: z.string().min(2), locales: z.record(z.string(), pushContent) }),
]);
export type TemplateDefinition = z.infer<typeof templateSchema>;
