import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { EVAL_AT, EVAL_BUCKET, EVAL_INDEX, PK, SK } from './table-keys';

/**
 * The `CreateTable` input for the profiles table, as laid out in `table-keys.ts`: string keys `pk` /
 * `sk`, on-demand billing, and the sparse keys-only index `byNextEvaluation` that only profiles with a
 * `nextEvaluationAt` appear in. Tests and local mode create the table in dynalite from it; the CDK
 * construct declares the same shape (plus the TTL on `expiresAt`, which `CreateTable` cannot set).
 *
 * @example
 * await client.send(new CreateTableCommand(profilesTableDefinition('profiles')));
 */
export function profilesTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: PK, AttributeType: 'S' },
      { AttributeName: SK, AttributeType: 'S' },
      { AttributeName: EVAL_BUCKET, AttributeType: 'S' },
      { AttributeName: EVAL_AT, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: PK, KeyType: 'HASH' },
      { AttributeName: SK, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: EVAL_INDEX,
        KeySchema: [
          { AttributeName: EVAL_BUCKET, KeyType: 'HASH' },
          { AttributeName: EVAL_AT, KeyType: 'RANGE' },
        ],
        // The re-evaluator only needs the profile's key; it reads the item itself before writing.
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
  };
}
