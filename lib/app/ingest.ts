/**
 * The ingest use case: a Segment HTTP tracking API request in, every event durably enqueued (or
 * nothing at all) out.
 *
 * Limits (Segment's, so SDKs that respect them never hit ours):
 * - 32 KB per event (the event's JSON),
 * - 500 KB per request body, measured after decompression,
 * - 2500 events per batch.
 * An oversize event or body is answered 413; a batch outside 1..2500 events is answered 400.
 */
import type { CustomerEvent, EventType } from '../core/events';
import { EVENT_TYPES } from '../core/events';
import { normaliseBatch, normaliseCall } from '../core/ingest/normalise';
import { MAX_BATCH_EVENTS, validateBatch, validateCall, type IngestProblem } from '../core/ingest/segment-schema';
import { EnqueueError, type EventQueue, type WriteKeyStore } from '../core/ports';
import { hashWriteKey } from '../core/write-keys';
import { decodeBody, header, writeKeyFromAuthorization, type HttpHeaders } from './ingest-http';

export { MAX_BATCH_EVENTS };
export const MAX_EVENT_BYTES = 32 * 1024;
export const MAX_REQUEST_BYTES = 500 * 1024;

export interface IngestRequest {
  /** The request path, e.g. `/v1/batch`; a stage prefix (`/prod/v1/batch`) is accepted. */
  readonly path: string;
  readonly method: string;
  readonly headers: HttpHeaders;
  /** The raw body bytes (already base64-decoded, possibly gzip-compressed). */
  readonly body: Buffer;
  readonly now: Date;
}

export interface IngestDeps {
  readonly writeKeys: WriteKeyStore;
  readonly queue: EventQueue;
}

export type IngestResult =
  | { readonly kind: 'accepted'; readonly count: number; readonly source: string }
  | { readonly kind: 'unauthorized' }
  | { readonly kind: 'invalid'; readonly message: string; readonly problems: readonly IngestProblem[]; readonly rejected: number; readonly source: string }
  | {
      readonly kind: 'too_large';
      readonly limit: 'event' | 'request';
      readonly maxBytes: number;
      /** The batch index of the first oversize event. */
      readonly index?: number;
      readonly rejected: number;
      readonly source?: string;
    }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'method_not_allowed' }
  | { readonly kind: 'unavailable'; readonly count: number; readonly failed: number; readonly source: string };

export type Route = 'batch' | EventType;

const ROUTE = new RegExp(`^(?:/[^/]+)?/v1/(batch|${EVENT_TYPES.join('|')})/?$`);

/**
 * The route a path names, with or without a stage prefix; undefined for any other path.
 *
 * @example
 * matchRoute('/v1/track'); // 'track'
 * matchRoute('/prod/v1/batch'); // 'batch'
 * matchRoute('/v2/track'); // undefined
 */
export function matchRoute(path: string): Route | undefined {
  return ROUTE.exec(path)?.[1] as Route | undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The events of the body, before validation: the batch items, or the body itself for single calls. */
function rawEvents(route: Route, body: unknown): unknown[] {
  if (route !== 'batch') return [body];
  const batch = isObject(body) ? body.batch : undefined;
  return Array.isArray(batch) ? batch : [];
}

function firstOversize(events: readonly unknown[]): number | undefined {
  const index = events.findIndex((e) => Buffer.byteLength(JSON.stringify(e) ?? '') > MAX_EVENT_BYTES);
  return index === -1 ? undefined : index;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

async function authenticate(key: string | undefined, writeKeys: WriteKeyStore): Promise<string | undefined> {
  if (key === undefined || key === '') return undefined;
  return (await writeKeys.findByHash(hashWriteKey(key)))?.name;
}

/**
 * Handle one ingest request: route, authenticate (Basic, Bearer, or `writeKey` in the body),
 * decode, check the limits, validate every event, normalise and enqueue them all. Every outcome a
 * client can cause is a value; only unexpected failures (say, the write-key table unreachable) throw.
 *
 * Nothing is enqueued unless the whole request is valid.
 *
 * @example
 * const result = await ingest(
 *   { path: '/v1/track', method: 'POST', headers: { authorization: 'Bearer wk_…' }, body, now: new Date() },
 *   { writeKeys, queue },
 * );
 * // { kind: 'accepted', count: 1, source: 'web' }
 */
export async function ingest(request: IngestRequest, deps: IngestDeps): Promise<IngestResult> {
  const route = matchRoute(request.path);
  if (route === undefined) return { kind: 'not_found' };
  if (request.method.toUpperCase() !== 'POST') return { kind: 'method_not_allowed' };

  // A key in the headers is checked before the body is even decoded: strangers get a 401, not parsing work.
  const headerKey = writeKeyFromAuthorization(header(request.headers, 'authorization'));
  let source = await authenticate(headerKey, deps.writeKeys);
  if (headerKey !== undefined && source === undefined) return { kind: 'unauthorized' };

  const decoded = decodeBody(request.body, header(request.headers, 'content-encoding'), MAX_REQUEST_BYTES);
  const parsed = decoded.ok ? parseJson(decoded.text) : undefined;
  if (source === undefined) {
    const bodyKey = parsed?.ok && isObject(parsed.value) ? parsed.value.writeKey : undefined;
    source = typeof bodyKey === 'string' ? await authenticate(bodyKey, deps.writeKeys) : undefined;
    if (source === undefined) return { kind: 'unauthorized' };
  }

  if (!decoded.ok && decoded.reason === 'too_large') {
    return { kind: 'too_large', limit: 'request', maxBytes: MAX_REQUEST_BYTES, rejected: 0, source };
  }
  if (!decoded.ok) return invalid(source, 0, [{ path: '(body)', message: decoded.message, expected: 'a JSON body, gzip-compressed or not' }]);
  if (!parsed?.ok) return invalid(source, 0, [{ path: '(body)', message: 'the body is not valid JSON', expected: 'a JSON object' }]);

  const raw = rawEvents(route, parsed.value);
  const oversize = firstOversize(raw);
  if (oversize !== undefined) {
    return { kind: 'too_large', limit: 'event', maxBytes: MAX_EVENT_BYTES, rejected: raw.length, source, ...(route === 'batch' && { index: oversize }) };
  }

  const stamp = { receivedAt: request.now, source };
  let events: CustomerEvent[];
  if (route === 'batch') {
    const batch = validateBatch(parsed.value);
    if (!batch.ok) return invalid(source, raw.length, batch.problems);
    events = normaliseBatch(batch.value, stamp);
  } else {
    const call = validateCall(route, parsed.value);
    if (!call.ok) return invalid(source, 1, call.problems);
    events = [normaliseCall(call.value, stamp)];
  }

  try {
    await deps.queue.enqueue(events);
  } catch (error) {
    if (error instanceof EnqueueError) return { kind: 'unavailable', count: events.length, failed: error.failed.length, source };
    throw error;
  }
  return { kind: 'accepted', count: events.length, source };
}

function invalid(source: string, rejected: number, problems: readonly IngestProblem[]): IngestResult {
  const message = `${problems.length} problem(s) found; nothing was ingested`;
  return { kind: 'invalid', message, problems, rejected, source };
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

const kb = (bytes: number) => `${bytes / 1024} KB`;

/**
 * The HTTP answer for an ingest result. 5xx answers say `retryable: true`: Segment SDKs retry them,
 * and messageId deduplication downstream makes a resend harmless.
 *
 * @example
 * toHttpResponse({ kind: 'accepted', count: 3, source: 'web' });
 * // { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"success":true}' }
 */
export function toHttpResponse(result: IngestResult): HttpResponse {
  switch (result.kind) {
    case 'accepted':
      return json(200, { success: true });
    case 'unauthorized':
      return json(401, {
        error: 'unauthorized',
        message: 'a valid write key is required: HTTP Basic auth with the write key as user name, or Authorization: Bearer <write key>',
      });
    case 'invalid':
      return json(400, { error: 'invalid_request', message: result.message, problems: result.problems });
    case 'too_large': {
      const message =
        result.limit === 'request'
          ? `the request body exceeds the limit of ${kb(result.maxBytes)} (after decompression)`
          : `${result.index === undefined ? 'the event' : `event batch[${result.index}]`} exceeds the limit of ${kb(result.maxBytes)} per event`;
      return json(413, { error: 'payload_too_large', message, limit: result.limit, maxBytes: result.maxBytes, ...(result.index !== undefined && { index: result.index }) });
    }
    case 'not_found':
      return json(404, { error: 'not_found', message: `routes: POST /v1/batch and /v1/{${EVENT_TYPES.join(',')}}` });
    case 'method_not_allowed':
      return json(405, { error: 'method_not_allowed', message: 'use POST' }, { allow: 'POST' });
    case 'unavailable':
      return json(503, { error: 'unavailable', message: 'the events could not be stored; retry the request', retryable: true }, { 'retry-after': '1' });
    default: {
      const unexpected: never = result;
      throw new Error(`unknown ingest result ${JSON.stringify(unexpected)}`);
    }
  }
}
