import { SQSClient } from '@aws-sdk/client-sqs';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { CachedWriteKeyStore } from '../lib/adapters/cached-write-key-store';
import { DynamoWriteKeyStore } from '../lib/adapters/dynamo-write-key-store';
import { SqsEventQueue } from '../lib/adapters/sqs-event-queue';
import { ingest, toHttpResponse, type IngestResult } from '../lib/app/ingest';
import { bodyBytes } from '../lib/app/ingest-http';
import { documentClient } from './shared/dynamo';
import { requiredEnv, observability } from './shared/runtime';
import { DIMENSION, METRIC, type RejectionReason } from '../lib/infrastructure/metrics';
import { clock } from '../lib/app/clock';

/**
 * Ingest Lambda (API Gateway HTTP API, payload format 2.0): the composition root of the ingest use
 * case. Env: TABLE_NAME (write keys), QUEUE_URL (events), POWERTOOLS_METRICS_NAMESPACE.
 * Logs carry counts and the source name only: never the key, the body, traits or other PII.
 */


const tableName = requiredEnv('TABLE_NAME', 'ingest');
const queueUrl = requiredEnv('QUEUE_URL', 'ingest');

const { logger, metrics } = observability('ingest');
const deps = {
  writeKeys: new CachedWriteKeyStore(new DynamoWriteKeyStore(documentClient(), tableName)),
  queue: new SqsEventQueue(new SQSClient({}), queueUrl),
};

/** Stage-trimmed path: `rawPath`, or the path part of a `POST /v1/batch` route key. */
function requestPath(event: APIGatewayProxyEventV2): string {
  return event.rawPath ?? event.requestContext?.http?.path ?? event.routeKey?.split(' ')[1] ?? '';
}

function record(result: IngestResult): void {
  switch (result.kind) {
    case 'accepted':
      metrics.addMetric(METRIC.eventsIngested, MetricUnit.Count, result.count);
      logger.info('events ingested', { source: result.source, count: result.count });
      return;
    case 'invalid':
    case 'too_large':
      rejected(result.kind, result.rejected);
      logger.info('request rejected', { source: result.source, reason: result.kind, rejected: result.rejected });
      return;
    case 'unauthorized':
      rejected('unauthorized');
      logger.info('request unauthorized');
      return;
    case 'unavailable':
      logger.error('events not enqueued', { source: result.source, count: result.count, failed: result.failed });
      return;
    case 'not_found':
    case 'method_not_allowed':
      return;
  }
}

/** RequestsRejected, and EventsRejected when the events were counted, by reason (see lib/infrastructure/metrics). */
function rejected(reason: RejectionReason, events?: number): void {
  metrics.addDimension(DIMENSION.reason, reason);
  metrics.addMetric(METRIC.requestsRejected, MetricUnit.Count, 1);
  if (events !== undefined) metrics.addMetric(METRIC.eventsRejected, MetricUnit.Count, events);
}

/**
 * @example
 * // Wired by the CDK construct behind `POST /v1/{type}`; locally, called with an
 * // APIGatewayProxyEventV2-shaped object:
 * await handler({ rawPath: '/v1/track', requestContext: { http: { method: 'POST' } }, headers, body, isBase64Encoded: false } as APIGatewayProxyEventV2);
 */
export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  try {
    const result = await ingest(
      {
        path: requestPath(event),
        method: event.requestContext?.http?.method ?? event.routeKey?.split(' ')[0] ?? '',
        headers: event.headers ?? {},
        body: bodyBytes(event.body, event.isBase64Encoded),
        now: clock().now(),
      },
      deps,
    );
    record(result);
    return toHttpResponse(result);
  } catch (error) {
    // Unexpected (e.g. the write-key table unreachable): answer a retryable 5xx rather than crash,
    // so SDKs resend. The error names the failure, not the request's content.
    logger.error('ingest failed', { error: error as Error });
    return { statusCode: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'internal_error', retryable: true }) };
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
