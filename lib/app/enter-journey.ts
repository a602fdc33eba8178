import { randomUUID } from 'node:crypto';
import type { JourneyDefinition } from '../core/journeys/definition';
import { NO_ENTRY_KEY, planEntry, propertyAt, restartOf, runIdFor, type EntryRefusal } from '../core/journeys/entry';
import type { IdentityKey, JourneyStore, ProfileStore, StartQueue } from '../core/ports';
import { identityKeyString } from '../core/ports';
import { ALL, GLOBAL_CONTROL_GROUP, TREATMENT_GROUP } from '../core/measurement/counters';
import { readLive, withConflictRetry } from './process-events';

export interface EnterJourneyDeps {
  readonly store: ProfileStore;
  readonly startQueue: StartQueue;
  readonly journeyStore?: JourneyStore;
  readonly now: () => Date;
  readonly maxAttempts?: number;
  /** The engine's global control share: control customers enter, recorded as such, but get no message. @default 0 */
  readonly globalControlShare?: number;
}

export interface EnterJourneyRequest {
  readonly customer: IdentityKey;
  /** Available to templates as `journey.context`; a keyed journey takes its entry key from here. */
  readonly context?: Record<string, unknown>;
  /** The same key always gives the same run: a retried request never enters twice. @default a new one */
  readonly idempotencyKey?: string;
}

export type EnterJourneyResult =
  | { readonly status: 'entered'; readonly runId: string; readonly repeated: boolean }
  | { readonly status: 'refused'; readonly reason: EntryRefusal | 'missing_entry_key' }
  | { readonly status: 'no_profile' };

/**
 * Enter a customer into a journey whose entry is `api` (the admin API's
 * `POST /admin/journeys/{journeyId}/entries`): the same re-entry and one-active-run rules as event
 * entries, recorded by one conditional profile write, then the start enqueued for the paced starter.
 * A request repeated with its idempotency key returns the same runId and enqueues the (idempotent)
 * start again, so a client may retry after any failure.
 *
 * @example
 * const result = await enterJourney(journey, { customer: { kind: 'user', id: 'u-42' }, context: { voucher: 'KOPI50' }, idempotencyKey: 'promo-7:u-42' }, deps);
 * // { status: 'entered', runId: 'afternoon-offer-…', repeated: false }
 */
export async function enterJourney(journey: JourneyDefinition, request: EnterJourneyRequest, deps: EnterJourneyDeps): Promise<EnterJourneyResult> {
  const linked = (await deps.store.findProfileIds([request.customer])).get(identityKeyString(request.customer));
  if (linked === undefined) return { status: 'no_profile' };
  const messageId = `api:${request.idempotencyKey ?? randomUUID()}`;
  const key = journey.entryKey === undefined ? NO_ENTRY_KEY : keyOf(propertyAt(request.context, journey.entryKey));
  if (key === undefined) return { status: 'refused', reason: 'missing_entry_key' };
  const now = deps.now();

  const decided = await withConflictRetry(deps.maxAttempts, async () => {
    const { profileId, stored } = await readLive(deps.store, linked);
    if (stored === undefined) return { status: 'no_profile' as const };
    const profile = stored.profile;
    const runId = runIdFor(journey.id, profileId, key, messageId);
    const state = profile.journeys?.[journey.id];
    const active = Object.values(state?.active ?? {}).find((run) => run.runId === runId);
    if (active !== undefined) return { status: 'entered' as const, runId, repeated: true, start: restartOf(profile, journey.id, active, undefined, request.context) };
    if (state?.lastOutcome?.runId === runId) return { status: 'entered' as const, runId, repeated: true };
    const planned = planEntry(profile, journey, { key, messageId, ...(request.context !== undefined && { context: request.context }) }, now, {
      globalControlShare: deps.globalControlShare,
    });
    if ('refused' in planned) return { status: 'refused' as const, reason: planned.refused };
    await deps.store.saveProfile(planned.profile, stored.version);
    return { status: 'entered' as const, runId, repeated: false, start: planned.start, group: planned.group };
  });
  if (decided.status !== 'entered') return decided;
  if (decided.start !== undefined) await deps.startQueue.enqueue([decided.start]);
  if (!decided.repeated && 'group' in decided) {
    // Exposure counts per group too, as for event entries: the readout's treatment vs control.
    const group = decided.group === 'global-control' ? GLOBAL_CONTROL_GROUP : TREATMENT_GROUP;
    await deps.journeyStore?.incrementCounters(journey.id, [
      { stepId: ALL, variant: ALL, metric: 'entered', by: 1 },
      { stepId: ALL, variant: group, metric: 'entered', by: 1 },
    ]);
  }
  return { status: 'entered', runId: decided.runId, repeated: decided.repeated };
}

function keyOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
