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
  writeKey: (sha256Hex: string) => ({ [PK]: `${WRITE_KEY_PREFIX}${sha256Hex}`, [SK]: 'WRITEKEY' }),
};
