import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { SfnJourneyRunner } from '../lib/adapters/sfn-journey-runner';
import { startRuns } from '../lib/app/start-runs';
import { TokenBucket } from '../lib/core/journeys/pacing';
import type { StartRequest } from '../lib/core/ports';
import { METRIC } from '../lib/infrastructure/metrics';
import { observability, requiredEnv } from './shared/runtime';

/**
 * Starter Lambda (SQS start queue, `reportBatchItemFailures`): the paced starter. Each record is
 * one StartRequest; each instance starts at most START_RATE_PER_SECOND (default 50) runs a second
 * with a token bucket kept across invocations, and the event source's maxConcurrency caps the fleet
 * so that it stays under the StartExecution quota. Throttled starts (by the bucket or by Step
 * Functions) and failures go back to the queue as batch item failures; a record that is not a
 * StartRequest too (the DLQ takes it after maxReceiveCount).
 * Env: STATE_MACHINE_ARN_PREFIX, START_RATE_PER_SECOND. Logs carry journey and run ids only.
 */

const { logger, metrics } = observability('starter');
const runner = new SfnJourneyRunner({ client: new SFNClient({}), stateMachineArnPrefix: requiredEnv('STATE_MACHINE_ARN_PREFIX', 'starter') });
const rate = Number(process.env.START_RATE_PER_SECOND ?? '50');
if (!(rate > 0)) throw new Error(`starter handler: START_RATE_PER_SECOND must be a positive number, got ${process.env.START_RATE_PER_SECOND}`);
const bucket = new TokenBucket(rate, Math.max(1, rate), Date.now());

/**
 * @example
 * const { batchItemFailures } = await handler({ Records: [{ messageId: 'm1', body: JSON.stringify(startRequest) }] });
 */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  try {
    const items: { id: string; request: StartRequest }[] = [];
    const failures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      const request = parseStartRequest(record.body);
      if (request === undefined) {
        logger.error('not a start request', { sqsMessageId: record.messageId });
        failures.push({ itemIdentifier: record.messageId });
      } else {
        items.push({ id: record.messageId, request });
      }
    }
    const outcomes = await startRuns(items, { runner, bucket, nowMs: Date.now });
    for (const outcome of outcomes) {
      if (outcome.status === 'started') continue;
      failures.push({ itemIdentifier: outcome.id });
      const request = items.find((item) => item.id === outcome.id)?.request;
      logger.warn('start not done', { status: outcome.status, error: outcome.error, journeyId: request?.journeyId, runId: request?.runId });
    }
    const started = outcomes.filter((o) => o.status === 'started').length;
    // Hand-backs by our own token bucket ('RateLimited') are pacing, not trouble: apart from Step Functions' throttles.
    const count = (match: (o: (typeof outcomes)[number]) => boolean) => outcomes.filter(match).length;
    metrics.addMetric(METRIC.journeyStarts, MetricUnit.Count, started);
    metrics.addMetric(METRIC.journeyStartsThrottled, MetricUnit.Count, count((o) => o.status === 'throttled' && o.error !== 'RateLimited'));
    metrics.addMetric(METRIC.journeyStartsPaced, MetricUnit.Count, count((o) => o.status === 'throttled' && o.error === 'RateLimited'));
    metrics.addMetric(METRIC.journeyStartsFailed, MetricUnit.Count, count((o) => o.status === 'failed'));
    logger.info('starts done', { records: event.Records.length, started, failures: failures.length });
    return { batchItemFailures: failures };
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};

function parseStartRequest(body: string): StartRequest | undefined {
  try {
    const value = JSON.parse(body) as Partial<StartRequest>;
    const ok = typeof value.journeyId === 'string' && typeof value.runId === 'string' && typeof value.input?.profileId === 'string';
    return ok ? (value as StartRequest) : undefined;
  } catch {
    return undefined;
  }
}
