import { SQSClient } from '@aws-sdk/client-sqs';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EventBridgeEvent } from 'aws-lambda';
import { DynamoJourneyStore } from '../lib/adapters/dynamo-journey-store';
import { DynamoProfileStore } from '../lib/adapters/dynamo-profile-store';
import { SqsEventQueue } from '../lib/adapters/sqs-event-queue';
import { clock } from '../lib/app/clock';
import { loadEngineConfig } from '../lib/app/engine-config';
import { handleFeedback, type FeedbackResult } from '../lib/app/feedback';
import { DIMENSION, METRIC } from '../lib/infrastructure/metrics';
import { documentClient } from './shared/dynamo';
import { observability, requiredEnv } from './shared/runtime';

/**
 * Feedback Lambda: the composition root of `handleFeedback`. Target of EventBridge rules on SES
 * events (source `aws.ses`, published by the configuration set's EventBridge destination) and End
 * User Messaging SMS events (source `aws.sms-voice`, `Text Message Delivery Status Updated`).
 * Invoked asynchronously: an error is retried by Lambda, then goes to the function's DLQ; every
 * step is safe to repeat except the counter increment, which runs last.
 * Env: TABLE_NAME, QUEUE_URL (the events queue), ENGINE_CONFIG, POWERTOOLS_METRICS_NAMESPACE.
 * Logs carry ids and outcomes only: never addresses or message content.
 */

const tableName = requiredEnv('TABLE_NAME', 'feedback');
const queueUrl = requiredEnv('QUEUE_URL', 'feedback');
const config = loadEngineConfig(process.env.ENGINE_CONFIG);
const { logger, metrics } = observability('feedback');
const client = documentClient();
const deps = {
  journeys: new DynamoJourneyStore({ client, tableName }),
  profiles: new DynamoProfileStore({ client, tableName }),
  events: new SqsEventQueue(new SQSClient({}), queueUrl),
  now: () => clock().now(),
  retentionDays: config.eventRetentionDays,
};

function record(event: EventBridgeEvent<string, unknown>, result: FeedbackResult): void {
  if (result.status === 'ignored') {
    metrics.addDimension(DIMENSION.reason, result.reason);
    metrics.addMetric(METRIC.feedbackIgnored, MetricUnit.Count, 1);
    logger.info('feedback ignored', { eventId: event.id, detailType: event['detail-type'], reason: result.reason, detail: result.detail });
    return;
  }
  metrics.addDimension(DIMENSION.type, result.outcome);
  metrics.addMetric(METRIC.feedbackEvents, MetricUnit.Count, 1);
  logger.info('feedback recorded', {
    eventId: event.id,
    journeyId: result.journeyId,
    profileId: result.profileId,
    outcome: result.outcome,
    emitted: result.emitted.map((e) => e.event),
  });
}

/**
 * @example
 * // Wired by the CDK construct to EventBridge rules; in tests and local mode call it directly:
 * await handler({ id: 'e-1', source: 'aws.ses', 'detail-type': 'Email Bounced', time, detail: sesRecord, ... });
 */
export const handler = async (event: EventBridgeEvent<string, unknown>): Promise<FeedbackResult> => {
  try {
    const result = await handleFeedback(event, deps);
    record(event, result);
    return result;
  } catch (error) {
    const { name, message } = error as Error;
    logger.error('feedback failed', { eventId: event.id, detailType: event['detail-type'], error: { name, message } });
    throw error;
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
