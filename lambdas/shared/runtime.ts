import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * What every handler builds once at module scope: its env, its Powertools logger and metrics. One
 * place, so the handlers stay composition roots only. The DynamoDB client is in `dynamo.ts`, so a
 * handler that never reads the table (the starter) does not load it.
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
