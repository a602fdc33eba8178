import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoProfileStore } from '../lib/adapters/dynamo-profile-store';
import { loadEngineConfig } from '../lib/app/engine-config';
import { reevaluateDueProfiles } from '../lib/app/reevaluate-segments';
import { documentClient } from './shared/dynamo';
import { journeyEffects } from './shared/journey-effects';
import { requiredEnv, observability } from './shared/runtime';
import { METRIC } from '../lib/infrastructure/metrics';
import { clock } from '../lib/app/clock';

/**
 * Scheduled Lambda (EventBridge rule): re-evaluates profiles whose time-based segments are due.
 * A failed run throws, so EventBridge retries it and then sends it to the re-evaluation DLQ; the
 * next run catches up anyway (the lookback covers 48 hours). Env: TABLE_NAME, ENGINE_CONFIG, and when
 * the configuration has journeys START_QUEUE_URL and STATE_MACHINE_ARN_PREFIX (segment entries and
 * exits start and stop journeys).
 */


const { logger, metrics } = observability('reevaluate');
const client = documentClient();
const tableName = requiredEnv('TABLE_NAME', 'reevaluate');
const store = new DynamoProfileStore({ client, tableName });
const config = loadEngineConfig(process.env.ENGINE_CONFIG);
const journeys = journeyEffects(config, client, tableName, 'reevaluate');

/**
 * @example
 * // Wired by the CDK construct to a schedule (hourly by default); locally, a timer calls it:
 * const { evaluated, changed } = await handler();
 */
export const handler = async (): Promise<{ evaluated: number; changed: number; transitions: number }> => {
  try {
    const result = await reevaluateDueProfiles({ store, config, now: clock().now(), journeys });
    metrics.addMetric(METRIC.profilesReevaluated, MetricUnit.Count, result.evaluated);
    metrics.addMetric(METRIC.segmentTransitions, MetricUnit.Count, result.transitions.length);
    logger.info('re-evaluation done', { evaluated: result.evaluated, changed: result.changed, transitions: result.transitions.length });
    return { evaluated: result.evaluated, changed: result.changed, transitions: result.transitions.length };
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
