import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { PinpointClient } from '@aws-sdk/client-pinpoint';
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { z } from 'zod';
import { DynamoJourneyStore } from '../lib/adapters/dynamo-journey-store';
import { DynamoProfileStore } from '../lib/adapters/dynamo-profile-store';
import { PushSender } from '../lib/adapters/push-sender';
import { SesEmailSender } from '../lib/adapters/ses-email-sender';
import { SmsSender } from '../lib/adapters/sms-sender';
import { clock } from '../lib/app/clock';
import { loadEngineConfig } from '../lib/app/engine-config';
import { runJourneyTask, type JourneyTaskResult } from '../lib/app/journey-task';
import type { SendTaskResult, TaskRequest } from '../lib/core/journeys/protocol';
import type { ChannelSender } from '../lib/core/ports';
import type { Channel } from '../lib/core/profile';
import { DIMENSION, METRIC, SUPPRESSION_REASON_VALUES, dimensionValue } from '../lib/infrastructure/metrics';
import { documentClient } from './shared/dynamo';
import { observability, requiredEnv } from './shared/runtime';

/**
 * Journey task Lambda: every Task state of every compiled journey calls it with a TaskRequest
 * (`{ action, stepId, run, taskToken?, outcome?, error? }`) and stores the result in `$.last`.
 * Errors are thrown for Step Functions: `TransientError` (a provider throttled or failed) is retried
 * by the state's Retry, anything else is caught and ends the run as failed.
 * Env: TABLE_NAME, ENGINE_CONFIG (with journeys, templates and messaging). Logs carry ids and
 * outcomes only, never traits, addresses or content.
 */

const { logger, metrics } = observability('journey-task');
const client = documentClient();
const tableName = requiredEnv('TABLE_NAME', 'journey-task');
const config = loadEngineConfig(process.env.ENGINE_CONFIG);
const messaging = config.messaging ?? {};
const senders: Partial<Record<Channel, ChannelSender>> = {
  ...(messaging.email !== undefined && { email: new SesEmailSender(new SESv2Client({}), messaging.email) }),
  sms: new SmsSender(new PinpointSMSVoiceV2Client({}), messaging.sms ?? {}),
  ...(messaging.push !== undefined && { push: new PushSender(new PinpointClient({}), messaging.push) }),
};
const deps = {
  store: new DynamoProfileStore({ client, tableName }),
  journeyStore: new DynamoJourneyStore({ client, tableName, now: () => clock().now() }),
  senders,
  config,
  now: () => clock().now(),
};

const runSchema = z.object({
  journeyId: z.string().min(1),
  runId: z.string().min(1),
  profileId: z.string().min(1),
  entryKey: z.string().optional(),
  entryEvent: z.object({ messageId: z.string(), event: z.string(), properties: z.record(z.string(), z.unknown()), timestamp: z.string() }).optional(),
  context: z.record(z.string(), z.unknown()).optional(),
  enteredAt: z.string(),
});
const taskRequestSchema = z.object({
  action: z.enum(['send', 'branch', 'split', 'waitUntilTime', 'waitUntilDate', 'waitForEvent', 'updateProfile', 'complete']),
  stepId: z.string().min(1),
  run: runSchema,
  taskToken: z.string().min(1).optional(),
  outcome: z.enum(['completed', 'exited', 'holdout', 'failed']).optional(),
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});

/**
 * Sends by channel and outcome, suppressions by reason (lib/infrastructure/metrics). Journey and
 * step ids go in as metadata, not dimensions: searchable in the logs, no metric per journey.
 */
function recordSend(request: TaskRequest, result: SendTaskResult): void {
  const step = config.journeys?.find((j) => j.id === request.run.journeyId)?.steps.find((s) => s.id === request.stepId);
  const channel = step?.type === 'send' ? step.channel : 'unknown';
  // Two records, one per dimension set (by channel; all channels): one record with both sets would
  // share the Outcome key, which Powertools warns about on every send.
  const dimensionSets: Record<string, string>[] = [{ [DIMENSION.channel]: channel, [DIMENSION.outcome]: result.outcome }, { [DIMENSION.outcome]: result.outcome }];
  for (const dimensions of dimensionSets) {
    const sends = metrics.singleMetric();
    sends.addDimensions(dimensions);
    sends.addMetadata('journeyId', request.run.journeyId);
    sends.addMetadata('stepId', request.stepId);
    sends.addMetric(METRIC.sends, MetricUnit.Count, 1);
  }
  if (result.outcome === 'suppressed') {
    const suppressions = metrics.singleMetric();
    suppressions.addDimension(DIMENSION.reason, dimensionValue(result.reason, SUPPRESSION_REASON_VALUES));
    suppressions.addMetadata('journeyId', request.run.journeyId);
    suppressions.addMetric(METRIC.suppressions, MetricUnit.Count, 1);
  }
}

/**
 * @example
 * // A compiled Task state: { "Resource": "arn:aws:states:::lambda:invoke", "Parameters": { "FunctionName": ..., "Payload": { "action": "send", "stepId": "reminder", "run.$": "$.run" } } }
 * const result = await handler({ action: 'branch', stepId: 'by-region', run });
 */
export const handler = async (event: unknown): Promise<JourneyTaskResult> => {
  const request = taskRequestSchema.parse(event) as TaskRequest;
  const ids = { action: request.action, journeyId: request.run.journeyId, runId: request.run.runId, stepId: request.stepId };
  try {
    const result = await runJourneyTask(request, deps);
    if (request.action === 'send' && 'outcome' in result) recordSend(request, result as SendTaskResult);
    if (request.action === 'complete' && request.outcome === 'failed') {
      // The caught error's name only: a Cause may quote content.
      logger.warn('run failed', { ...ids, error: request.error?.Error });
    }
    logger.info('task done', { ...ids, outcome: 'outcome' in result ? result.outcome : undefined });
    return result;
  } catch (error) {
    const { name, message } = error as Error;
    logger.error('task failed', { ...ids, error: { name, message: name === 'TransientError' ? message : undefined } });
    throw error;
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
