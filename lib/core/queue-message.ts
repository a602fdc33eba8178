import { z } from 'zod';
import { EVENT_TYPES, type CustomerEvent, type EventType } from './events';

/**
 * The body of one SQS message between ingest and processor: several normalised events packed
 * together (up to the SQS message size), so that a Segment batch of 100 small events costs one
 * message, not 100. Versioned so a future shape can be told apart.
 */
export interface QueueMessage {
  readonly v: 1;
  readonly events: readonly CustomerEvent[];
}

const record = z.record(z.string(), z.unknown());

export const customerEventSchema = z.object({
  type: z.enum(EVENT_TYPES as [EventType, ...EventType[]]),
  messageId: z.string().min(1),
  userId: z.string().min(1).optional(),
  anonymousId: z.string().min(1).optional(),
  previousId: z.string().min(1).optional(),
  groupId: z.string().min(1).optional(),
  event: z.string().min(1).optional(),
  name: z.string().optional(),
  properties: record,
  traits: record,
  context: record,
  timestamp: z.string(),
  receivedAt: z.string(),
  source: z.string(),
});

export const queueMessageSchema = z.object({
  v: z.literal(1),
  events: z.array(customerEventSchema),
});

/** Parse a queue message body; throws (a poison message) when it is not one. */
export function parseQueueMessage(body: string): QueueMessage {
  return queueMessageSchema.parse(JSON.parse(body)) as QueueMessage;
}

export function serialiseQueueMessage(events: readonly CustomerEvent[]): string {
  const message: QueueMessage = { v: 1, events };
  return JSON.stringify(message);
}
