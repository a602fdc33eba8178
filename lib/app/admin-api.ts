import type { JourneyDefinition } from '../core/journeys/definition';
import type { IdentityKey, JourneyStore, ProfileStore, StartQueue, WriteKeyStore } from '../core/ports';
import { enterJourney } from './enter-journey';
import { buildReadout } from '../core/measurement/readout';
import { generateWriteKey, hashWriteKey } from '../core/write-keys';
import { eraseProfile, findProfile, listProfileEvents } from './profile-admin';
import { readLive } from './process-events';

export interface AdminRequest {
  readonly method: string;
  /** The path below `/admin/`, e.g. `profiles/p_123/events`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly body?: unknown;
}

export interface AdminResponse {
  readonly status: number;
  readonly body: unknown;
  /** The matched route, for logs (never the ids, which can be PII). */
  readonly route: string;
}

export interface AdminDeps {
  readonly store: ProfileStore;
  readonly writeKeys: WriteKeyStore;
  /** The configured journeys (API entries). @default [] */
  readonly journeys?: readonly JourneyDefinition[];
  /** Where API entries' starts go; without it the entries route answers 503. @default none */
  readonly startQueue?: StartQueue;
  /** Counts API entries as `entered`; its counters feed the journey reports (503 without it). @default none */
  readonly journeyStore?: JourneyStore;
  /** @default the system clock */
  readonly now?: () => Date;
  /** The engine's global control share, for API entries. @default 0 */
  readonly globalControlShare?: number;
}

const SOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The admin API's routes, independent of API Gateway: read a profile by userId, anonymousId or
 * profileId, page through its events, erase it (GDPR), create write keys, enter a customer into
 * a journey whose entry is `api` (`POST journeys/{journeyId}/entries`, 202 `{ runId }`), list the
 * journeys (`GET journeys`) and read a journey's report (`GET journeys/{journeyId}/report`,
 * `{ readout }`: totals, steps, goals with lift and confidence; `?confidence=0.9` to change the level).
 *
 * @example
 * await handleAdminRequest({ method: 'GET', path: 'profiles', query: { userId: 'u-42' } }, deps);
 * // { status: 200, body: { profile: { ... } }, route: 'GET profiles' }
 */
export async function handleAdminRequest(request: AdminRequest, deps: AdminDeps): Promise<AdminResponse> {
  const segments = request.path.split('/').filter(Boolean).map(decodeURIComponent);
  const method = request.method.toUpperCase();
  const [collection, id, sub] = segments;

  if (collection === 'profiles' && segments.length === 1 && (method === 'GET' || method === 'DELETE')) {
    const key = identityKeyFrom(request.query);
    if ('problem' in key) return { status: 400, body: { error: 'invalid_request', message: key.problem }, route: `${method} profiles` };
    if (method === 'GET') {
      const found = await findProfile(deps.store, key);
      return found.found
        ? { status: 200, body: { profile: found.profile }, route: 'GET profiles' }
        : notFound('GET profiles', `no profile for ${key.kind === 'user' ? 'userId' : 'anonymousId'}`);
    }
    return { status: 200, body: { erased: await eraseProfile(deps.store, key) }, route: 'DELETE profiles' };
  }
  if (collection === 'profiles' && id !== undefined && segments.length === 2) {
    if (method === 'GET') {
      const { stored } = await readLive(deps.store, id);
      return stored ? { status: 200, body: { profile: stored.profile }, route: 'GET profile' } : notFound('GET profile', 'no such profile');
    }
    if (method === 'DELETE') return { status: 200, body: { erased: await eraseProfile(deps.store, id) }, route: 'DELETE profile' };
    return methodNotAllowed('profile', 'GET, DELETE');
  }
  if (collection === 'profiles' && id !== undefined && sub === 'events' && segments.length === 3) {
    if (method !== 'GET') return methodNotAllowed('profile events', 'GET');
    const limit = request.query.limit === undefined ? 50 : Number(request.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      return { status: 400, body: { error: 'invalid_request', message: 'limit: use an integer from 1 to 1000' }, route: 'GET profile events' };
    }
    const { stored } = await readLive(deps.store, id);
    const page = await listProfileEvents(deps.store, stored?.profile.profileId ?? id, { limit, before: request.query.before });
    return { status: 200, body: page, route: 'GET profile events' };
  }
  if (collection === 'write-keys' && segments.length === 1) {
    if (method !== 'POST') return methodNotAllowed('write-keys', 'POST');
    const name = (request.body as { name?: unknown } | undefined)?.name;
    if (typeof name !== 'string' || !SOURCE_NAME.test(name)) {
      return {
        status: 400,
        body: { error: 'invalid_request', message: 'name: give the source a name of 1-64 letters, digits, ".", "_" or "-", e.g. {"name":"web"}' },
        route: 'POST write-keys',
      };
    }
    const writeKey = generateWriteKey();
    await deps.writeKeys.put(hashWriteKey(writeKey), { name });
    return { status: 201, body: { name, writeKey, note: 'shown once: only its SHA-256 is stored' }, route: 'POST write-keys' };
  }
  if (collection === 'journeys' && segments.length === 1) {
    if (method !== 'GET') return methodNotAllowed('journeys', 'GET');
    const journeys = (deps.journeys ?? []).map((journey) => ({ id: journey.id, name: journey.name, entry: journey.entry.type, goals: (journey.goals ?? []).map((goal) => goal.id) }));
    return { status: 200, body: { journeys }, route: 'GET journeys' };
  }
  if (collection === 'journeys' && id !== undefined && sub === 'report' && segments.length === 3) {
    if (method !== 'GET') return methodNotAllowed('journey report', 'GET');
    return journeyReport(id, request.query.confidence, deps);
  }
  if (collection === 'journeys' && id !== undefined && sub === 'entries' && segments.length === 3) {
    if (method !== 'POST') return methodNotAllowed('journey entries', 'POST');
    return journeyEntry(id, request.body, deps);
  }
  return notFound('unknown', `no admin route ${method} /admin/${request.path}`);
}

const ROUTE_REPORT = 'GET journey report';

async function journeyReport(journeyId: string, confidenceText: string | undefined, deps: AdminDeps): Promise<AdminResponse> {
  const journey = (deps.journeys ?? []).find((candidate) => candidate.id === journeyId);
  if (journey === undefined) return notFound(ROUTE_REPORT, `no journey ${journeyId}`);
  const confidence = confidenceText === undefined ? 0.95 : Number(confidenceText);
  if (!(confidence > 0 && confidence < 1)) {
    return { status: 400, body: { error: 'invalid_request', message: `confidence: use a number between 0 and 1 exclusive, e.g. 0.95 (got ${confidenceText})` }, route: ROUTE_REPORT };
  }
  if (deps.journeyStore === undefined) return { status: 503, body: { error: 'unavailable', message: 'journey counters are not configured' }, route: ROUTE_REPORT };
  const readout = buildReadout(journey, await deps.journeyStore.readCounters(journey.id), { confidence });
  return { status: 200, body: { readout }, route: ROUTE_REPORT };
}

const ROUTE_ENTRIES = 'POST journey entries';

async function journeyEntry(journeyId: string, body: unknown, deps: AdminDeps): Promise<AdminResponse> {
  const journey = (deps.journeys ?? []).find((candidate) => candidate.id === journeyId);
  if (journey === undefined) return notFound(ROUTE_ENTRIES, `no journey ${journeyId}`);
  if (journey.entry.type !== 'api') {
    return { status: 409, body: { error: 'not_api_entry', message: `journey ${journeyId} is entered by ${journey.entry.type}, not through the API` }, route: ROUTE_ENTRIES };
  }
  if (deps.startQueue === undefined) return { status: 503, body: { error: 'unavailable', message: 'journey starts are not configured (START_QUEUE_URL)' }, route: ROUTE_ENTRIES };
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const problems: string[] = [];
  const key = identityKeyFrom({ userId: stringOrUndefined(fields.userId), anonymousId: stringOrUndefined(fields.anonymousId) });
  if ('problem' in key) problems.push('give exactly one of userId or anonymousId (strings), e.g. {"userId":"u-42"}');
  const context = fields.context;
  if (context !== undefined && (typeof context !== 'object' || context === null || Array.isArray(context))) problems.push('context: use a JSON object');
  const idempotencyKey = fields.idempotencyKey;
  if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || idempotencyKey.length === 0 || idempotencyKey.length > 200)) {
    problems.push('idempotencyKey: use a string of 1-200 characters');
  }
  if (problems.length > 0 || 'problem' in key) return { status: 400, body: { error: 'invalid_request', message: problems.join('; ') }, route: ROUTE_ENTRIES };
  const result = await enterJourney(
    journey,
    { customer: key, ...(context !== undefined && { context: context as Record<string, unknown> }), ...(typeof idempotencyKey === 'string' && { idempotencyKey }) },
    { store: deps.store, startQueue: deps.startQueue, journeyStore: deps.journeyStore, now: deps.now ?? (() => new Date()), globalControlShare: deps.globalControlShare },
  );
  switch (result.status) {
    case 'entered':
      return { status: 202, body: { runId: result.runId }, route: ROUTE_ENTRIES };
    case 'no_profile':
      return notFound(ROUTE_ENTRIES, 'no profile for that customer');
    case 'refused':
      return result.reason === 'missing_entry_key'
        ? { status: 400, body: { error: 'invalid_request', message: `context.${journey.entryKey}: the journey is keyed by it; give a string or number` }, route: ROUTE_ENTRIES }
        : { status: 409, body: { error: result.reason, message: result.reason === 'already_active' ? 'the customer is in this journey already' : 'the journey\'s re-entry rule does not allow another entry yet' }, route: ROUTE_ENTRIES };
    default: {
      const unknown: never = result;
      throw new Error(`unknown entry result ${JSON.stringify(unknown)}`);
    }
  }
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function identityKeyFrom(query: AdminRequest['query']): IdentityKey | { problem: string } {
  const { userId, anonymousId } = query;
  if ((userId ? 1 : 0) + (anonymousId ? 1 : 0) !== 1) {
    return { problem: 'give exactly one of the query parameters userId or anonymousId, e.g. /admin/profiles?userId=u-42' };
  }
  return userId ? { kind: 'user', id: userId } : { kind: 'anonymous', id: anonymousId as string };
}

function notFound(route: string, message: string): AdminResponse {
  return { status: 404, body: { error: 'not_found', message }, route };
}

function methodNotAllowed(route: string, allowed: string): AdminResponse {
  return { status: 405, body: { error: 'method_not_allowed', message: `use ${allowed}` }, route };
}
