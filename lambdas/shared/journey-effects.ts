import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoJourneyStore } from '../../lib/adapters/dynamo-journey-store';
import { SfnJourneyRunner } from '../../lib/adapters/sfn-journey-runner';
import { SqsStartQueue } from '../../lib/adapters/sqs-start-queue';
import { clock } from '../../lib/app/clock';
import type { JourneyEffectsDeps } from '../../lib/app/journey-effects';
import type { EngineConfig } from '../../lib/core/config';
import { requiredEnv } from './runtime';

/**
 * Where segment and event transitions start, stop and resume journeys (the processor and the
 * re-evaluation both need it), or `undefined` when the configuration has no journeys: then no
 * queue, no Step Functions and no env for them are needed.
 *
 * @example
 * const journeys = journeyEffects(config, client, tableName, 'processor');
 */
export function journeyEffects(config: EngineConfig, client: DynamoDBDocumentClient, tableName: string, handler: string): JourneyEffectsDeps | undefined {
  if ((config.journeys ?? []).length === 0) return undefined;
  return {
    startQueue: new SqsStartQueue({ client: new SQSClient({}), queueUrl: requiredEnv('START_QUEUE_URL', handler) }),
    runner: new SfnJourneyRunner({ client: new SFNClient({}), stateMachineArnPrefix: requiredEnv('STATE_MACHINE_ARN_PREFIX', handler) }),
    journeyStore: new DynamoJourneyStore({ client, tableName, now: () => clock().now() }),
  };
}
