import { createHash } from 'node:crypto';
import type { CustomerEvent } from '../events';
import type { SegmentBatch, SegmentCall } from './segment-schema';

/**
 * Turns validated Segment calls into {@link CustomerEvent}s: stamps `receivedAt` and `source`,
 * corrects client clock skew the way Segment does, merges the batch context and gives every event a
 * messageId (the idempotency key downstream).
 */

/** What the ingest request adds to every event it carries. */
export interface Stamp {
  /** When the request reached us: `receivedAt`, and the reference for skew correction. */
  readonly receivedAt: Date;
  /** The write key's name. */
  readonly source: string;
}

/** Batch-level fields that apply to each call of the batch. */
export type BatchDefaults = Pick<SegmentBatch, 'context' | 'sentAt'>;

/**
 * When the event happened, in ISO UTC. Device clocks are often wrong, but they are wrong by the same
 * amount when the event is stamped and when it is sent, so `sentAt - timestamp` is a trustworthy
 * age: Segment's `timestamp = receivedAt - (sentAt - originalTimestamp)`.
 *
 * @example
 * correctedTimestamp({ timestamp: '2024-05-01T10:00:00Z', sentAt: '2024-05-01T10:00:05Z' }, undefined, new Date('2024-05-01T12:00:00Z'));
 * // '2024-05-01T11:59:55.000Z' (the device clock was 2 h slow)
 */
export function correctedTimestamp(call: SegmentCall, batchSentAt: string | undefined, receivedAt: Date): string {
  const happened = call.timestamp ?? call.originalTimestamp;
  if (happened === undefined) return receivedAt.toISOString();
  const sentAt = call.sentAt ?? batchSentAt;
  if (sentAt === undefined) return new Date(happened).toISOString();
  const age = Date.parse(sentAt) - Date.parse(happened);
  return new Date(receivedAt.getTime() - age).toISOString();
}

/** JSON with object keys sorted at every level, so equal content always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A messageId for a call that came without one: `gen_` and the SHA-256 of the call's canonical JSON.
 * Deterministic, so a client resending the same call (same content) is deduplicated downstream.
 * `sentAt` and `writeKey` are left out: they change between resends of the same call.
 *
 * @example
 * generatedMessageId({ type: 'track', userId: 'u1', event: 'Signed Up' }); // 'gen_3f2a…'
 */
export function generatedMessageId(call: SegmentCall): string {
  const { sentAt: _sentAt, writeKey: _writeKey, messageId: _messageId, ...content } = call;
  return `gen_${createHash('sha256').update(canonicalJson(content)).digest('hex')}`;
}

/**
 * Normalise one validated call.
 *
 * @example
 * normaliseCall({ type: 'track', userId: 'u1', event: 'Signed Up' }, { receivedAt: now, source: 'web' });
 * // { type: 'track', messageId: 'gen_…', userId: 'u1', event: 'Signed Up', properties: {}, traits: {},
 * //   context: {}, timestamp: now.toISOString(), receivedAt: now.toISOString(), source: 'web' }
 */
export function normaliseCall(call: SegmentCall, stamp: Stamp, batch: BatchDefaults = {}): CustomerEvent {
  // The item's own context wins over the batch's, key by key.
  const context = batch.context || call.context ? { ...batch.context, ...call.context } : undefined;
  const merged: SegmentCall = context ? { ...call, context } : call;
  const messageId = call.messageId ?? generatedMessageId(merged);
  return {
    type: call.type,
    messageId,
    ...(call.userId !== undefined && { userId: call.userId }),
    ...(call.anonymousId !== undefined && { anonymousId: call.anonymousId }),
    ...(call.type === 'alias' && call.previousId !== undefined && { previousId: call.previousId }),
    ...(call.type === 'group' && call.groupId !== undefined && { groupId: call.groupId }),
    ...(call.type === 'track' && call.event !== undefined && { event: call.event }),
    ...((call.type === 'page' || call.type === 'screen') && call.name !== undefined && { name: call.name }),
    properties: call.properties ?? {},
    traits: call.traits ?? {},
    context: context ?? {},
    timestamp: correctedTimestamp(call, batch.sentAt, stamp.receivedAt),
    receivedAt: stamp.receivedAt.toISOString(),
    source: stamp.source,
  };
}

/**
 * Normalise every call of a validated batch, with the batch's context and sentAt applied.
 *
 * @example
 * normaliseBatch(batch, { receivedAt: now, source: 'backend' }); // CustomerEvent[], in batch order
 */
export function normaliseBatch(batch: SegmentBatch, stamp: Stamp): CustomerEvent[] {
  return batch.calls.map((call) => normaliseCall(call, stamp, batch));
}
