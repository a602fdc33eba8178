import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { DynamoProfileStore } from '../lib/adapters/dynamo-profile-store';
import { DynamoWriteKeyStore } from '../lib/adapters/dynamo-write-key-store';
import { handleAdminRequest } from '../lib/app/admin-api';
import { requiredEnv, documentClient, observability } from './shared/runtime';

const tableName = requiredEnv('TABLE_NAME', 'admin');
const client = documentClient();
const store = new DynamoProfileStore({ client, tableName });
const writeKeys = new DynamoWriteKeyStore(client, tableName);
const { logger } = observability('admin');

/**
 * The admin API behind `ANY /admin/{proxy+}`. API Gateway's IAM authorizer admits only signed
 * requests from principals allowed to invoke the route (an admin key does so in local mode), so the
 * handler does no authentication of its own.
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
    { store, writeKeys },
  );
  // Ids and outcomes only: profiles are PII and never logged.
  logger.info('admin request', { method: event.requestContext.http.method, route: result.route, status: result.status });
  return json(result.status, result.body);
};

function json(statusCode: number, body: unknown): APIGatewayProxyResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

