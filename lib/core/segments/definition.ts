import { z } from 'zod';

/**
 * Segments are data: a JSON-serialisable condition tree, validated by these schemas. The typed
 * builder (`builder.ts`) produces the same shapes. Membership is evaluated by `evaluator.ts`.
 */

export const traitOperators = [
  'equals', 'notEquals', 'in', 'notIn', 'contains', 'exists', 'notExists',
  'gt', 'gte', 'lt', 'lte',
  /** date comparisons: the trait is an ISO date/time; `value` is an ISO date/time */
  'before', 'after',
  /** date relative to now: the trait date is within the last `value` days / more than `value` days ago */
  'withinLastDays', 'moreThanDaysAgo',
] as const;
export type TraitOperator = (typeof traitOperators)[number];

export const numericOperators = ['equals', 'gt', 'gte', 'lt', 'lte'] as const;
export type NumericOperator = (typeof numericOperators)[number];

/** Computed metrics a condition can compare with a number. */
export const metricNames = [
  'orders.count', 'orders.revenue', 'clv',
  'rfm.recency', 'rfm.frequency', 'rfm.monetary',
  'daysSinceLastSeen', 'daysSinceFirstSeen', 'daysSinceLastOrder',
] as const;
export type MetricName = (typeof metricNames)[number];

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const traitConditionSchema = z.object({
  type: z.literal('trait'),
  /** Dot path into traits, e.g. `plan` or `address.city`. */
  trait: z.string().min(1),
  operator: z.enum(traitOperators),
  value: z.union([scalar, z.array(scalar)]).optional(),
});

export const eventConditionSchema = z.object({
  type: z.literal('event'),
  /** Event key: a track name (`Order Completed`) or `page` / `screen` / `identify`. */
  event: z.string().min(1),
  atLeast: z.number().int().min(0).optional(),
  atMost: z.number().int().min(0).optional(),
  /** Count only the last N days (1..90, UTC days including today); omitted = all time. */
  withinDays: z.number().int().min(1).max(90).optional(),
});

export const metricConditionSchema = z.object({
  type: z.literal('metric'),
  metric: z.enum(metricNames),
  operator: z.enum(numericOperators),
  value: z.number(),
});

export const rfmTierConditionSchema = z.object({
  type: z.literal('rfmTier'),
  tiers: z.array(z.string().min(1)).min(1),
});

export const consentConditionSchema = z.object({
  type: z.literal('consent'),
  channel: z.enum(['email', 'sms', 'push']).optional(),
  topic: z.string().min(1).optional(),
  /** `unknown`: no consent recorded either way. */
  status: z.enum(['granted', 'revoked', 'unknown']),
});

export const locationConditionSchema = z.object({
  type: z.literal('location'),
  field: z.enum(['country', 'region', 'city']),
  operator: z.enum(['in', 'notIn']),
  /** Compared case- and accent-insensitively. */
  values: z.array(z.string().min(1)).min(1),
});

export type TraitCondition = z.infer<typeof traitConditionSchema>;
export type EventCondition = z.infer<typeof eventConditionSchema>;
export type MetricCondition = z.infer<typeof metricConditionSchema>;
export type RfmTierCondition = z.infer<typeof rfmTierConditionSchema>;
export type ConsentCondition = z.infer<typeof consentConditionSchema>;
export type LocationCondition = z.infer<typeof locationConditionSchema>;

export type Condition =
  | TraitCondition
  | EventCondition
  | MetricCondition
  | RfmTierCondition
  | ConsentCondition
  | LocationCondition
  | { type: 'and'; conditions: Condition[] }
  | { type: 'or'; conditions: Condition[] }
  | { type: 'not'; condition: Condition };

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.discriminatedUnion('type', [
    traitConditionSchema,
    eventConditionSchema,
    metricConditionSchema,
    rfmTierConditionSchema,
    consentConditionSchema,
    locationConditionSchema,
    z.object({ type: z.literal('and'), conditions: z.array(conditionSchema).min(1) }),
    z.object({ type: z.literal('or'), conditions: z.array(conditionSchema).min(1) }),
    z.object({ type: z.literal('not'), condition: conditionSchema }),
  ]),
);

export const segmentDefinitionSchema = z.object({
  /** Stable id, used in memberships and in `segment_entered` events: lower-case slug. */
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'use 1-64 lower-case letters, digits, "-" or "_"'),
  name: z.string().min(1),
  description: z.string().optional(),
  condition: conditionSchema,
});

export type SegmentDefinition = z.infer<typeof segmentDefinitionSchema>;
