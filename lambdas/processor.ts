import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DynamoProfileStore } from '../lib/adapters/dynamo-profile-store';
import { loadEngineConfig } from '../lib/app/engine-config';
import { processEvents } from '../lib/app/process-events';
import { parseQueueMessage } from '../lib/core/queue-message';
import { requiredEnv, documentClient, observability } from './shared/runtime';
import { clock } from '../lib/app/clock';

/**
 * Processor Lambda (SQS, `reportBatchItemFailures`): the composition root of `processEvents`.
 * Each record is one queue message of several events. A record that does not parse or fails to
 * process is reported in `batchItemFailures`, so SQS redelivers only it (and after maxReceiveCount
 * moves it to the DLQ) while the rest of the batch is deleted; redelivery is safe because processing
 * is idempotent by messageId. Env: TABLE_NAME, ENGINE_CONFIG, POWERTOOLS_METRICS_NAMESPACE.
 * Logs carry counts and ids only: never traits, properties or identities.
 */


const { logger, metrics } = observability('processor');
const client = documentClient();
const store = new DynamoProfileStore({ client, tableName: requiredEnv('TABLE_NAME', 'processor') });
const config = loadEngineConfig(process.env.ENGINE_CONFIG);
const processor = new BatchProcessor(EventType.SQS);

async function processRecord(record: SQSRecord): Promise<void> {
  try {
    const { events } = parseQueueMessage(record.body);
    const result = await processEvents(events, { store, config, now: () => clock().now() });
    metrics.addMetric('EventsProcessed', MetricUnit.Count, result.applied);
    metrics.addMetric('DuplicateEvents', MetricUnit.Count, result.duplicates);
    metrics.addMetric('SegmentTransitions', MetricUnit.Count, result.segmentTransitions);
    logger.info('message processed', {
      sqsMessageId: record.messageId,
      events: events.length,
      applied: result.applied,
      duplicates: result.duplicates,
      profilesWritten: result.profilesWritten,
      merges: result.merges,
      segmentTransitions: result.segmentTransitions,
    });
  } catch (error) {
    // Name and message only: a validation error's details could quote event content.
    const { name, message } = error as Error;
    logger.error('message failed', { sqsMessageId: record.messageId, receiveCount: record.attributes?.ApproximateReceiveCount, error: { name, message } });
    throw error;
  }
}

/**
 * @example
 * // Wired by the CDK construct to the events queue; locally, the in-process queue calls it:
 * const { batchItemFailures } = await handler({ Records: [sqsRecord(serialiseQueueMessage(events))] }, context);
 */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  try {
    return await processPartialResponse(event, processRecord, processor, { context });
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
