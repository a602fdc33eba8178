import type { CustomerEvent } from './events';
import type { Profile } from './profile';

/**
 * Ports owned by the core and the use cases; adapters implement them with the AWS SDK (DynamoDB,
 * SQS) or in memory. Expected outcomes are values; the typed errors below are the only exceptions
 * adapters translate AWS errors into.
 */

/** A key that identifies a customer: a userId or an anonymousId. */
export interface IdentityKey {
  readonly kind: 'user' | 'anonymous';
  readonly id: string;
}

/** `user:<id>` / `anonymous:<id>`: identity keys as map keys. */
export function identityKeyString(key: IdentityKey): string {
  return `${key.kind}:${key.id}`;
}

/** A profile item as stored: the profile and its version, or a tombstone left by a merge. */
export type StoredProfile =
  | { readonly kind: 'profile'; readonly profile: Profile; readonly version: number }
  | { readonly kind: 'merged'; readonly mergedInto: string; readonly version: number };

export interface ProfileStore {
  /** identityKeyString -> profileId for the keys that are linked (one batch read). */
  findProfileIds(keys: readonly IdentityKey[]): Promise<Map<string, string>>;
  /** Link `key` to `profileId` unless it is linked already; returns the profileId it is linked to. */
  linkIdentity(key: IdentityKey, profileId: string): Promise<string>;
  /** Point `key` at `profileId`, whatever it pointed at before (used by merges). */
  relinkIdentity(key: IdentityKey, profileId: string): Promise<void>;
  deleteIdentity(key: IdentityKey): Promise<void>;

  getProfile(profileId: string): Promise<StoredProfile | undefined>;
  /**
   * Write the whole profile if its stored version is still `expectedVersion` (`undefined`: the item
   * must not exist). Returns the new version. Throws {@link ProfileVersionConflictError} otherwise.
   */
  saveProfile(profile: Profile, expectedVersion: number | undefined): Promise<number>;
  /** Replace the profile by a tombstone pointing at `mergedInto`, if still at `expectedVersion`. */
  markMerged(profileId: string, mergedInto: string, expectedVersion: number): Promise<void>;
  deleteProfile(profileId: string): Promise<void>;

  /** Store raw events under the profile (idempotent: same event, same key), kept until `expiresAt` (epoch s). */
  putEvents(profileId: string, events: readonly CustomerEvent[], expiresAt: number): Promise<void>;
  /** The messageIds among `events` already stored under the profile (one batch read). */
  findStoredEvents(profileId: string, events: readonly CustomerEvent[]): Promise<Set<string>>;
  /** Newest first. `before`: an opaque cursor returned as `next`. */
  listEvents(profileId: string, options: { limit: number; before?: string }): Promise<{ events: CustomerEvent[]; next?: string }>;
  /** Delete every raw event stored under the profile; returns how many. */
  deleteEvents(profileId: string): Promise<number>;

  /**
   * Profiles whose `nextEvaluationAt` is at or before `now` and in the UTC hour of `since` or later
   * (index query by hour bucket, no Scan).
   */
  listDueForEvaluation(now: Date, since: Date): AsyncIterable<string>;
  /** Where the last complete re-evaluation run got to (ISO), if any. */
  getReevaluationCursor(): Promise<string | undefined>;
  setReevaluationCursor(at: string): Promise<void>;
}

export interface WriteKey {
  /** The source's name, e.g. `web` or `backend`: stamped on each event as `source`. */
  readonly name: string;
}

export interface WriteKeyStore {
  /** Look a write key up by the SHA-256 (hex) of the key: keys are never stored in clear. */
  findByHash(sha256Hex: string): Promise<WriteKey | undefined>;
  put(sha256Hex: string, key: WriteKey): Promise<void>;
}

export interface EventQueue {
  /** Durably enqueue every event, or throw {@link EnqueueError}: never a silent partial success. */
  enqueue(events: readonly CustomerEvent[]): Promise<void>;
}

/** The stored profile changed since it was read: re-read and retry. */
export class ProfileVersionConflictError extends Error {
  public constructor(public readonly profileId: string, options?: { cause?: unknown }) {
    super(`profile ${profileId} was changed by another writer`, options);
    this.name = 'ProfileVersionConflictError';
  }
}

/** Some events could not be enqueued after retries; `failed` lists their messageIds. */
export class EnqueueError extends Error {
  public constructor(public readonly failed: readonly string[], options?: { cause?: unknown }) {
    super(`${failed.length} event(s) could not be enqueued`, options);
    this.name = 'EnqueueError';
  }
}

// --- Journeys -----------------------------------------------------------------------------------

export interface StartRequest {
  readonly journeyId: string;
  /** The execution name: deterministic, so starting twice is harmless. */
  readonly runId: string;
  readonly input: import('./journeys/protocol').RunInput;
}

/** Step Functions, behind a port: starts, stops, resumes runs. */
export interface JourneyRunner {
  /** Idempotent by runId (an execution that already exists is not an error). */
  start(request: StartRequest): Promise<void>;
  /** Stop a run (exit criteria); a run that already ended is not an error. */
  stop(journeyId: string, runId: string, cause: string): Promise<void>;
  /** Resume a waitForEvent step; a token that expired or was used is not an error (returns false). */
  resume(taskToken: string, output: unknown): Promise<boolean>;
}

/** Starts go through a paced queue so a large segment entry stays under the StartExecution quota. */
export interface StartQueue {
  enqueue(requests: readonly StartRequest[]): Promise<void>;
}

/** Sends one message on one channel (SES, End User Messaging SMS, Pinpoint push). */
export interface ChannelSender {
  send(message: import('./messaging/message').OutboundMessage): Promise<import('./messaging/message').ChannelResult>;
}

/** Journey data that does not belong on the profile item. */
export interface JourneyStore {
  /**
   * Claim the right to send for (run, step): true once, false ever after (retries, duplicates).
   * A claim released by {@link releaseSend} (the provider call failed transiently) can be taken again.
   */
  claimSend(profileId: string, runId: string, stepId: string): Promise<boolean>;
  releaseSend(profileId: string, runId: string, stepId: string): Promise<void>;
  /** Full message history item (TTL) and the provider-id index the feedback function reads. */
  recordMessage(profileId: string, entry: import('./profile').MessageLogEntry, expiresAt: number): Promise<void>;
  /** Find the message a provider event is about. */
  findMessage(providerMessageId: string): Promise<{ profileId: string; entry: import('./profile').MessageLogEntry } | undefined>;
  /** Add to per journey / step / variant counters (e.g. `sent`, `suppressed:frequency_cap`). */
  incrementCounters(journeyId: string, increments: readonly CounterIncrement[]): Promise<void>;
  readCounters(journeyId: string): Promise<CounterIncrement[]>;
}

export interface CounterIncrement {
  /** `*` for journey-level counters. */
  readonly stepId: string;
  /** `*` when no variant applies. */
  readonly variant: string;
  /** e.g. `entered`, `sent`, `suppressed:no_consent`, `exited:exit_criteria`, `opened`. */
  readonly metric: string;
  readonly by: number;
}
