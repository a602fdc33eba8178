import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoProfileStore } from '../lib/adapters/dynamo-profile-store';
import { loadEngineConfig } from '../lib/app/engine-config';
import { reevaluateDueProfiles } from '../lib/app/reevaluate-segments';
import { requiredEnv, documentClient, observability } from './shared/runtime';
import { clock } from '../lib/app/clock';

/**
 * Scheduled Lambda (EventBridge rule): re-evaluates profiles whose time-based segments are due.
 * A failed run throws, so EventBridge retries it and then sends it to the re-evaluation DLQ; the
 * next run catches up anyway (the lookback covers 48 hours). Env: TABLE_NAME, ENGINE_CONFIG.
 */


const { logger, metrics } = observability('reevaluate');
const client = documentClient();
const store = new DynamoProfileStore({ client, tableName: requiredEnv('TABLE_NAME', 'reevaluate') });
const config = loadEngineConfig(process.env.ENGINE_CONFIG);

/**
 * @example
 * // Wired by the CDK construct to a schedule (hourly by default); locally, a timer calls it:
 * const { evaluated, changed } = await handler();
 */
export const handler = async (): Promise<{ evaluated: number; changed: number; transitions: number }> => {
  try {
    const result = await reevaluateDueProfiles({ store, config, now: clock().now() });
    metrics.addMetric('ProfilesReevaluated', MetricUnit.Count, result.evaluated);
    metrics.addMetric('SegmentTransitions', MetricUnit.Count, result.transitions.length);
    logger.info('re-evaluation done', { evaluated: result.evaluated, changed: result.changed, transitions: result.transitions.length });
    return { evaluated: result.evaluated, changed: result.changed, transitions: result.transitions.length };
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
