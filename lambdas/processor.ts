import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DynamoProfileStore } from '../lib/adapters/dynamo-profile-store';
import { loadEngineConfig } from '../lib/app/engine-config';
import { processEvents } from '../lib/app/process-events';
import { parseQueueMessage } from '../lib/core/queue-message';
import { documentClient } from './shared/dynamo';
import { journeyEffects } from './shared/journey-effects';
import { requiredEnv, observability } from './shared/runtime';
import { METRIC } from '../lib/infrastructure/metrics';
import { clock } from '../lib/app/clock';

/**
 * Processor Lambda (SQS, `reportBatchItemFailures`): the composition root of `processEvents`.
 * Each record is one queue message of several events. A record that does not parse or fails to
 * process is reported in `batchItemFailures`, so SQS redelivers only it (and after maxReceiveCount
 * moves it to the DLQ) while the rest of the batch is deleted; redelivery is safe because processing
 * is idempotent by messageId. Env: TABLE_NAME, ENGINE_CONFIG, POWERTOOLS_METRICS_NAMESPACE, and when
 * the configuration has journeys START_QUEUE_URL and STATE_MACHINE_ARN_PREFIX (journey starts are
 * queued for the paced starter; stops and resumes call Step Functions directly).
 * Logs carry counts and ids only: never traits, properties or identities.
 */


const { logger, metrics } = observability('processor');
const client = documentClient();
const tableName = requiredEnv('TABLE_NAME', 'processor');
const store = new DynamoProfileStore({ client, tableName });
const config = loadEngineConfig(process.env.ENGINE_CONFIG);
const journeys = journeyEffects(config, client, tableName, 'processor');
const processor = new BatchProcessor(EventType.SQS);

async function processRecord(record: SQSRecord): Promise<void> {
  try {
    const { events } = parseQueueMessage(record.body);
    const result = await processEvents(events, { store, config, now: () => clock().now(), journeys });
    metrics.addMetric(METRIC.eventsProcessed, MetricUnit.Count, result.applied);
    metrics.addMetric(METRIC.duplicateEvents, MetricUnit.Count, result.duplicates);
    metrics.addMetric(METRIC.segmentTransitions, MetricUnit.Count, result.segmentTransitions);
    metrics.addMetric(METRIC.journeyStartsQueued, MetricUnit.Count, result.journeys.started);
    metrics.addMetric(METRIC.journeyStops, MetricUnit.Count, result.journeys.stopped);
    metrics.addMetric(METRIC.journeyResumes, MetricUnit.Count, result.journeys.resumed);
    logger.info('message processed', {
      sqsMessageId: record.messageId,
      events: events.length,
      applied: result.applied,
      duplicates: result.duplicates,
      profilesWritten: result.profilesWritten,
      merges: result.merges,
      segmentTransitions: result.segmentTransitions,
      journeyStarts: result.journeys.started,
      journeyStops: result.journeys.stopped,
      journeyResumes: result.journeys.resumed,
      staleResumes: result.journeys.staleResumes,
    });
  } catch (error) {
    // Name and message only: a validation error's details could quote event content.
    const { name, message } = error as Error;
    metrics.addMetric(METRIC.messagesFailed, MetricUnit.Count, 1);
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
