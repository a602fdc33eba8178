import type { IdentityKey } from '../core/ports';

/**
 * The single-table layout of the profiles table (partition key `pk`, sort key `sk`, both strings;
 * TTL attribute `expiresAt`, epoch seconds). Every hot path is a GetItem, a BatchGetItem or a Query
 * on one partition: nothing Scans.
 *
 * | item               | pk                          | sk                               |
 * |--------------------|-----------------------------|----------------------------------|
 * | profile            | `PROFILE#<profileId>`       | `PROFILE`                        |
 * | raw event          | `PROFILE#<profileId>`       | `EVENT#<timestamp>#<messageId>`  |
 * | identity link      | `IDENTITY#<kind>#<id>`      | `IDENTITY`                       |
 * | write key (hashed) | `WRITEKEY#<sha256 hex>`     | `WRITEKEY`                       |
 * | send claim         | `PROFILE#<profileId>`       | `SEND#<runId>#<stepId>`          |
 * | message history    | `PROFILE#<profileId>`       | `MESSAGE#<at>#<runId>#<stepId>`  |
 * | provider message   | `PROVIDER#<providerMsgId>`  | `PROVIDER`                       |
 * | journey counter    | `JOURNEY#<journeyId>`       | `COUNTER#<step>#<variant>#<metric>#<shard>` |
 *
 * Index `byNextEvaluation` (sparse, keys only): partition `evalBucket` = `<YYYY-MM-DDTHH>#<shard>`
 * (UTC hour of `nextEvaluationAt`, shard 0..EVAL_SHARDS-1 by profile id hash), sort `nextEvaluationAt`.
 */
export const PK = 'pk';
export const SK = 'sk';
export const TTL_ATTRIBUTE = 'expiresAt';
export const EVAL_INDEX = 'byNextEvaluation';
export const EVAL_BUCKET = 'evalBucket';
export const EVAL_AT = 'nextEvaluationAt';
export const EVAL_SHARDS = 16;

export const WRITE_KEY_PREFIX = 'WRITEKEY#';

export const keys = {
  profile: (profileId: string) => ({ [PK]: `PROFILE#${profileId}`, [SK]: 'PROFILE' }),
  event: (profileId: string, timestamp: string, messageId: string) => ({
    [PK]: `PROFILE#${profileId}`,
    [SK]: `EVENT#${timestamp}#${messageId}`,
  }),
  eventPrefix: 'EVENT#',
  identity: (key: IdentityKey) => ({ [PK]: `IDENTITY#${key.kind}#${key.id}`, [SK]: 'IDENTITY' }),
  /** Where the scheduled segment re-evaluation got to. */
  reevaluationCursor: { [PK]: 'SCHEDULE#reevaluation', [SK]: 'CURSOR' },
  writeKey: (sha256Hex: string) => ({ [PK]: `${WRITE_KEY_PREFIX}${sha256Hex}`, [SK]: 'WRITEKEY' }),
  sendClaim: (profileId: string, runId: string, stepId: string) => ({ [PK]: `PROFILE#${profileId}`, [SK]: `SEND#${runId}#${stepId}` }),
  message: (profileId: string, at: string, runId: string, stepId: string) => ({ [PK]: `PROFILE#${profileId}`, [SK]: `MESSAGE#${at}#${runId}#${stepId}` }),
  messagePrefix: 'MESSAGE#',
  providerMessage: (providerMessageId: string) => ({ [PK]: `PROVIDER#${providerMessageId}`, [SK]: 'PROVIDER' }),
  counter: (journeyId: string, stepId: string, variant: string, metric: string, shard: number) => ({
    [PK]: `JOURNEY#${journeyId}`,
    [SK]: `COUNTER#${stepId}#${variant}#${metric}#${shard}`,
  }),
  journeyPartition: (journeyId: string) => `JOURNEY#${journeyId}`,
  counterPrefix: 'COUNTER#',
};

/**
 * Each counter is spread over this many items (a random one per increment, summed on read): one
 * DynamoDB item takes at most 1,000 WCU/s, and spreading the sort keys lets adaptive capacity split
 * a hot journey partition. Eight shards carry about 8,000 increments/s per counter, far above the
 * StartExecution quota that bounds how fast a journey can send.
 */
export const COUNTER_SHARDS = 8;
