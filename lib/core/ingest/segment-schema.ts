import { z } from 'zod';
import { EVENT_TYPES, type EventType } from '../events';

/**
 * Schemas of the Segment HTTP tracking API calls (track, identify, page, screen, group, alias) and of
 * a batch of them, as clients really send them: extra fields are allowed (`_metadata`,
 * `integrations`, `context.library`...), `null` means absent (analytics.js sends `userId: null`) and
 * numeric ids are coerced to strings. Validation never stops at the first problem: a rejected
 * request lists every bad field so a developer fixes them in one go.
 */

/** Segment's own limit on the number of events in one batch. */
export const MAX_BATCH_EVENTS = 2500;

/** One reason a request was rejected. `index` is the position in `batch` (absent for single calls). */
export interface IngestProblem {
  readonly index?: number;
  /** Where the bad value is, e.g. `batch[3].userId` or `properties`. */
  readonly path: string;
  readonly message: string;
  /** What would have been accepted there. */
  readonly expected: string;
}

const record = z.record(z.string(), z.unknown());
const optionalRecord = record.nullish().transform((v) => v ?? undefined);
const dateTime = z.iso.datetime({ offset: true }).nullish().transform((v) => v ?? undefined);
/** An id: a string, or a number some clients send (coerced); `null` and `''` mean absent. */
const identifier = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => (v === null || v === undefined || v === '' ? undefined : String(v)));

const present = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

const common = {
  userId: identifier,
  anonymousId: identifier,
  messageId: identifier,
  context: optionalRecord,
  timestamp: dateTime,
  originalTimestamp: dateTime,
  sentAt: dateTime,
};

// `when: () => true`: run the cross-field rule even when another field is bad, so every problem is listed.
const always = { when: () => true };

const requireUserOrAnonymousId = <T extends { userId?: unknown; anonymousId?: unknown }>(schema: z.ZodType<T>) =>
  schema.refine((v) => present(v.userId) || present(v.anonymousId), {
    ...always,
    path: ['userId'],
    message: 'userId or anonymousId is required',
  });

const trackSchema = requireUserOrAnonymousId(
  z.looseObject({ ...common, event: z.string().min(1), properties: optionalRecord }),
);
const identifySchema = requireUserOrAnonymousId(z.looseObject({ ...common, traits: optionalRecord }));
const pageSchema = requireUserOrAnonymousId(
  z.looseObject({
    ...common,
    name: z.string().nullish().transform((v) => v ?? undefined),
    properties: optionalRecord,
  }),
);
const groupSchema = requireUserOrAnonymousId(
  z.looseObject({ ...common, groupId: identifier, traits: optionalRecord }),
).refine((v) => present(v.groupId), { ...always, path: ['groupId'], message: 'groupId is required for group' });
const aliasSchema = z
  .looseObject({ ...common, previousId: identifier })
  .refine((v) => present(v.userId), { ...always, path: ['userId'], message: 'userId is required for alias' })
  .refine((v) => present(v.previousId), { ...always, path: ['previousId'], message: 'previousId is required for alias' });

const callSchemas = {
  track: trackSchema,
  identify: identifySchema,
  page: pageSchema,
  screen: pageSchema,
  group: groupSchema,
  alias: aliasSchema,
} satisfies Record<EventType, z.ZodType>;

/** A call after validation: ids are strings or absent, `null`s are gone, extra fields kept as sent. */
export interface SegmentCall {
  readonly type: EventType;
  readonly userId?: string;
  readonly anonymousId?: string;
  readonly messageId?: string;
  readonly previousId?: string;
  readonly groupId?: string;
  readonly event?: string;
  readonly name?: string;
  readonly properties?: Record<string, unknown>;
  readonly traits?: Record<string, unknown>;
  readonly context?: Record<string, unknown>;
  readonly timestamp?: string;
  readonly originalTimestamp?: string;
  readonly sentAt?: string;
  readonly [extra: string]: unknown;
}

/** A validated batch: its calls and the batch-level fields that apply to each of them. */
export interface SegmentBatch {
  readonly calls: readonly SegmentCall[];
  readonly context?: Record<string, unknown>;
  readonly sentAt?: string;
}

export type Validated<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: IngestProblem[] };

const batchEnvelope = z.looseObject({
  batch: z.array(z.unknown()).min(1).max(MAX_BATCH_EVENTS),
  context: optionalRecord,
  sentAt: dateTime,
});

const EXPECTED: Record<string, string> = {
  userId: 'a non-empty string',
  anonymousId: 'a non-empty string',
  previousId: 'a non-empty string',
  groupId: 'a non-empty string',
  messageId: 'a non-empty string',
  event: 'a non-empty string',
  name: 'a string',
  properties: 'a JSON object',
  traits: 'a JSON object',
  context: 'a JSON object',
  timestamp: 'an ISO 8601 date-time with a time zone, e.g. 2024-05-01T12:00:00.000Z',
  originalTimestamp: 'an ISO 8601 date-time with a time zone, e.g. 2024-05-01T12:00:00.000Z',
  sentAt: 'an ISO 8601 date-time with a time zone, e.g. 2024-05-01T12:00:00.000Z',
  type: `one of ${EVENT_TYPES.join(', ')}`,
  batch: `an array of 1 to ${MAX_BATCH_EVENTS} events`,
};

function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out === '' ? String(key) : `${out}.${String(key)}`),
    prefix,
  );
}

/** The value the client sent at `path` (zod does not keep it in its issues). */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((value, key) => (typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined), input);
}

function toProblems(issues: readonly z.core.$ZodIssue[], input: unknown, prefix: string, index: number | undefined): IngestProblem[] {
  return issues.map((issue) => {
    const field = String(issue.path[0] ?? '');
    const expected = EXPECTED[field] ?? 'a valid value';
    const path = formatPath(prefix, issue.path);
    // Our own rules carry their message; zod's generic ones are rephrased in the request's words.
    const message =
      issue.code === 'custom'
        ? issue.message
        : issue.code === 'too_big' && field === 'batch'
          ? `batch has more than ${MAX_BATCH_EVENTS} events`
          : issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined
            ? `${path} is required`
            : `${path} must be ${expected}`;
    return index === undefined ? { path, message, expected } : { index, path, message, expected };
  });
}

/**
 * Validate one call of a known type (from a single-event route such as `/v1/track`, or a batch item).
 *
 * @example
 * const result = validateCall('track', { userId: 42, event: 'Order Completed' });
 * // { ok: true, value: { type: 'track', userId: '42', event: 'Order Completed' } }
 * validateCall('track', { event: 'x' });
 * // { ok: false, problems: [{ path: 'userId', message: 'userId or anonymousId is required', expected: 'a non-empty string' }] }
 */
export function validateCall(type: EventType, input: unknown, index?: number): Validated<SegmentCall> {
  const prefix = index === undefined ? '' : `batch[${index}]`;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    const path = prefix === '' ? '(body)' : prefix;
    const problem = { path, message: `${path} must be a JSON object`, expected: 'a JSON object (one event)' };
    return { ok: false, problems: [index === undefined ? problem : { index, ...problem }] };
  }
  const parsed = callSchemas[type].safeParse(input);
  if (!parsed.success) return { ok: false, problems: toProblems(parsed.error.issues, input, prefix, index) };
  return { ok: true, value: { ...(parsed.data as object), type } as SegmentCall };
}

/**
 * Validate a `/v1/batch` body: `{ batch: [...], context?, sentAt?, ... }`, each item carrying its
 * `type`. All or nothing: the problems of every item are reported together.
 *
 * @example
 * validateBatch({ batch: [{ type: 'track', userId: 'u1', event: 'Signed Up' }], sentAt: '2024-05-01T12:00:00Z' });
 * // { ok: true, value: { calls: [...], sentAt: '2024-05-01T12:00:00Z' } }
 */
export function validateBatch(input: unknown): Validated<SegmentBatch> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, problems: [{ path: '(body)', message: 'the body must be a JSON object with a batch array', expected: 'a JSON object' }] };
  }
  const envelope = batchEnvelope.safeParse(input);
  const problems = envelope.success ? [] : toProblems(envelope.error.issues, input, '', undefined);
  const items = (input as { batch?: unknown }).batch;
  const calls: SegmentCall[] = [];
  // Items are checked even when the envelope is bad (say, a wrong `context`), as long as there is a batch to check.
  if (Array.isArray(items) && items.length <= MAX_BATCH_EVENTS) {
    items.forEach((item: unknown, index) => {
      const type = (item as { type?: unknown } | null)?.type;
      if (typeof item === 'object' && item !== null && !EVENT_TYPES.includes(type as EventType)) {
        const path = `batch[${index}].type`;
        const message = type === undefined ? `${path} is required` : `${path} must be ${EXPECTED.type}`;
        problems.push({ index, path, message, expected: EXPECTED.type });
        return;
      }
      const result = validateCall(type as EventType, item, index);
      if (result.ok) calls.push(result.value);
      else problems.push(...result.problems);
    });
  }
  if (!envelope.success || problems.length > 0) return { ok: false, problems };
  const { context, sentAt } = envelope.data;
  return { ok: true, value: { calls, ...(context && { context }), ...(sentAt && { sentAt }) } };
}
