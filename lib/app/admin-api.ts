import type { IdentityKey, ProfileStore, WriteKeyStore } from '../core/ports';
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
}

const SOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The admin API's routes, independent of API Gateway: read a profile by userId, anonymousId or
 * profileId, page through its events, erase it (GDPR), and create write keys.
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
  return notFound('unknown', `no admin route ${method} /admin/${request.path}`);
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
