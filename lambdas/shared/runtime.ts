import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * What every handler builds once at module scope: its env, its DynamoDB document client, its
 * Powertools logger and metrics. One place, so the handlers stay composition roots only.
 */

/**
 * A required environment variable, or a cold-start error that names it and who sets it.
 *
 * @example
 * const tableName = requiredEnv('TABLE_NAME', 'processor');
 */
export function requiredEnv(name: string, handler: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${handler} handler: environment variable ${name} is required but not set (the JourneyEngine construct sets it)`);
  return value;
}

/**
 * The document client all adapters use (undefined attributes dropped on write).
 *
 * @example
 * const store = new DynamoProfileStore({ client: documentClient(), tableName });
 */
export function documentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * A handler's logger and metrics, named after it, in the configured namespace.
 *
 * @example
 * const { logger, metrics } = observability('ingest');
 */
export function observability(serviceName: string): { logger: Logger; metrics: Metrics } {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'JourneyEngine', serviceName }),
  };
}
