import { gzipSync } from 'node:zlib';
import { Analytics, FetchHTTPClient, type HTTPClientRequest } from '@segment/analytics-node';
import { indonesiaConfig } from '../../examples/indonesia';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';

/**
 * The whole "events in" path on the local runtime, driven by the unmodified Segment Node client:
 * HTTP -> ingest handler -> local SQS -> processor handler -> dynalite -> admin API.
 */
describe('local runtime with @segment/analytics-node', () => {
  let runtime: LocalRuntime;
  const sent: HTTPClientRequest[] = [];

  beforeAll(async () => {
    runtime = await startLocalRuntime({ config: indonesiaConfig, port: 0, reevaluateEveryMs: 0 });
  });
  afterAll(async () => {
    await runtime.stop();
  });

  const admin = async (path: string, method = 'GET') => {
    const response = await fetch(`${runtime.url}/admin/${path}`, { method, headers: { authorization: `Bearer ${runtime.adminKey}` } });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  it('folds identify, track, page and alias calls into one profile readable through the admin API', async () => {
    // Prepare: the SDK as a customer's backend would use it, recording what it sends.
    const recorder = new FetchHTTPClient();
    const client = () =>
      new Analytics({
        writeKey: runtime.writeKey,
        host: runtime.url,
        flushAt: 50,
        flushInterval: 50,
        httpClient: { makeRequest: (request) => (sent.push(request), recorder.makeRequest(request)) },
      });
    const analytics = client();

    // Act: browse anonymously, sign in, buy, and link an earlier device by alias.
    analytics.track({ anonymousId: 'device-old', event: 'App Opened', timestamp: new Date('2026-11-01T02:00:00Z') });
    analytics.page({ anonymousId: 'anon-1', name: 'Home', properties: { path: '/' }, context: { timezone: 'Asia/Jayapura', locale: 'id-ID' } });
    analytics.track({ anonymousId: 'anon-1', event: 'Product Viewed', properties: { sku: 'KOPI-1' } });
    analytics.identify({
      userId: 'u-42',
      anonymousId: 'anon-1',
      traits: { email: 'Sari@Example.co.id', name: 'Sari', loyaltyPoints: 850, address: { state: 'Papua', country: 'ID', city: 'Jayapura' } },
    });
    analytics.track({ userId: 'u-42', event: 'Order Completed', properties: { order_id: 'o-1', revenue: 6_000_000, currency: 'IDR' } });
    analytics.track({ userId: 'u-42', event: 'Consent Granted', properties: { channel: 'email' } });
    await analytics.closeAndFlush();
    await runtime.drain();
    // A second client: closeAndFlush() closes the first one for good.
    const later = client();
    later.alias({ userId: 'u-42', previousId: 'device-old' });
    await later.closeAndFlush();
    await runtime.drain();

    // Assess
    const { status, body } = await admin('profiles?userId=u-42');
    expect(status).toBe(200);
    const profile = body.profile;
    expect(profile.identities.userIds).toEqual(['u-42']);
    expect(profile.identities.anonymousIds).toEqual(['anon-1', 'device-old']);
    expect(profile.identities.emails).toEqual(['sari@example.co.id']);
    expect(profile.traits).toMatchObject({ name: 'Sari', loyaltyPoints: 850 });
    expect(profile.timezone.value).toBe('Asia/Jayapura');
    expect(profile.locale.value).toBe('id-ID');
    expect(profile.location.value).toMatchObject({ region: 'Papua', country: 'ID' });
    expect(profile.consent.channels.email.status).toBe('granted');
    expect(profile.metrics.eventCounts).toEqual({ 'App Opened': 1, page: 1, 'Product Viewed': 1, identify: 1, 'Order Completed': 1, 'Consent Granted': 1, alias: 1 });
    expect(profile.metrics.orders).toMatchObject({ count: 1, revenue: 6_000_000 });
    expect(Object.keys(profile.segments).sort()).toEqual(
      expect.arrayContaining(['eastern-provinces', 'high-value', 'email-opted-in', 'loyalty-near-reward']),
    );

    const byAnonymous = await admin('profiles?anonymousId=device-old');
    expect(byAnonymous.body.profile.profileId).toBe(profile.profileId);

    const events = await admin(`profiles/${profile.profileId}/events?limit=100`);
    const names = events.body.events.map((e: { type: string; event?: string }) => e.event ?? e.type);
    expect(names).toEqual(expect.arrayContaining(['App Opened', 'page', 'Product Viewed', 'identify', 'Order Completed', 'alias', 'segment_entered']));
  });

  it('leaves the profile unchanged when the same batches are sent again', async () => {
    // Prepare
    const before = (await admin('profiles?userId=u-42')).body.profile;
    expect(sent.length).toBeGreaterThan(0);

    // Act: replay the SDK's exact requests (same messageIds), as a client retry would.
    for (const request of sent) {
      const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body });
      expect(response.status).toBe(200);
    }
    await runtime.drain();

    // Assess
    const after = (await admin('profiles?userId=u-42')).body.profile;
    expect(after).toEqual(before);
  });

  it('accepts a gzip body and answers 401 without a valid key, through the local API Gateway', async () => {
    const body = gzipSync(JSON.stringify({ userId: 'u-gz', event: 'Top Up Completed', properties: { amount: 50_000 } }));
    const ok = await fetch(`${runtime.url}/v1/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${runtime.writeKey}` },
      body,
    });
    expect(ok.status).toBe(200);
    await runtime.drain();
    expect((await admin('profiles?userId=u-gz')).body.profile.metrics.eventCounts).toEqual({ 'Top Up Completed': 1 });

    const denied = await fetch(`${runtime.url}/v1/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer wrong-key' },
      body: JSON.stringify({ userId: 'u-x', event: 'X' }),
    });
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({ error: 'unauthorized' });
    expect((await admin('profiles?userId=u-x')).status).toBe(404);
  });

  it('rejects the admin API without the admin key', async () => {
    const response = await fetch(`${runtime.url}/admin/profiles?userId=u-42`, { headers: { authorization: `Bearer ${runtime.writeKey}` } });
    expect(response.status).toBe(403);
  });

  it('erases a profile with its aliases and events (GDPR)', async () => {
    // Prepare
    const profile = (await admin('profiles?userId=u-42')).body.profile;

    // Act
    const erased = await admin(`profiles/${profile.profileId}`, 'DELETE');

    // Assess
    expect(erased.status).toBe(200);
    expect(erased.body.erased.events).toBeGreaterThan(0);
    expect((await admin('profiles?userId=u-42')).status).toBe(404);
    expect((await admin('profiles?anonymousId=anon-1')).status).toBe(404);
    expect((await admin('profiles?anonymousId=device-old')).status).toBe(404);
    expect((await admin(`profiles/${profile.profileId}/events`)).body.events).toEqual([]);
  });
});
