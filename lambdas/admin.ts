import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoJourneyStore } from '../lib/adapters/dynamo-journey-store';
import { DynamoProfileStore } from '../lib/adapters/dynamo-profile-store';
import { DynamoWriteKeyStore } from '../lib/adapters/dynamo-write-key-store';
import { SqsStartQueue } from '../lib/adapters/sqs-start-queue';
import { handleAdminRequest, type AdminDeps } from '../lib/app/admin-api';
import { clock } from '../lib/app/clock';
import { loadEngineConfig } from '../lib/app/engine-config';
import { documentClient } from './shared/dynamo';
import { requiredEnv, observability } from './shared/runtime';

const tableName = requiredEnv('TABLE_NAME', 'admin');
const client = documentClient();
const store = new DynamoProfileStore({ client, tableName });
const writeKeys = new DynamoWriteKeyStore(client, tableName);
const { logger } = observability('admin');
// Journeys and starts are optional: without ENGINE_CONFIG / START_QUEUE_URL the entries route says so
// (and without ENGINE_CONFIG there are no journeys to report on).
const config = process.env.ENGINE_CONFIG ? loadEngineConfig(process.env.ENGINE_CONFIG) : undefined;
const deps: AdminDeps = {
  store,
  writeKeys,
  journeys: config?.journeys ?? [],
  globalControlShare: config?.globalControlShare,
  ...(process.env.START_QUEUE_URL && { startQueue: new SqsStartQueue({ client: new SQSClient({}), queueUrl: process.env.START_QUEUE_URL }) }),
  journeyStore: new DynamoJourneyStore({ client, tableName, now: () => clock().now() }),
  now: () => clock().now(),
};

/**
 * The admin API behind `ANY /admin/{proxy+}`. API Gateway's IAM authorizer admits only signed
 * requests from principals allowed to invoke the route (an admin key does so in local mode), so the
 * handler does no authentication of its own. Env: TABLE_NAME; for journey entries also ENGINE_CONFIG
 * and START_QUEUE_URL; the journey list and reports (`GET /admin/journeys/{id}/report`, read from
 * the journey counters) need ENGINE_CONFIG.
 */
export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
  let body: unknown;
  try {
    body = event.body ? JSON.parse(event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : undefined;
  } catch {
    return json(400, { error: 'invalid_request', message: 'the body is not valid JSON' });
  }
  const result = await handleAdminRequest(
    { method: event.requestContext.http.method, path: event.pathParameters?.proxy ?? event.rawPath.replace(/^\/admin\//, ''), query: event.queryStringParameters ?? {}, body },
    deps,
  );
  // Ids and outcomes only: profiles are PII and never logged.
  logger.info('admin request', { method: event.requestContext.http.method, route: result.route, status: result.status });
  return json(result.status, result.body);
};

function json(statusCode: number, body: unknown): APIGatewayProxyResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

