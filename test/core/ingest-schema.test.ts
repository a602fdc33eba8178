import { customerEventSchema } from '../../lib/core/queue-message';
import { correctedTimestamp, generatedMessageId, normaliseBatch, normaliseCall } from '../../lib/core/ingest/normalise';
import { validateBatch, validateCall, type SegmentCall } from '../../lib/core/ingest/segment-schema';
import type { EventType } from '../../lib/core/events';
import { generateWriteKey, hashWriteKey } from '../../lib/core/write-keys';

const receivedAt = new Date('2024-05-01T12:00:00.000Z');
const stamp = { receivedAt, source: 'web' };

function valid(type: EventType, input: unknown): SegmentCall {
  const result = validateCall(type, input);
  if (!result.ok) throw new Error(`expected valid, got ${JSON.stringify(result.problems)}`);
  return result.value;
}

describe('validateCall', () => {
  it.each<[EventType, Record<string, unknown>]>([
    ['track', { userId: 'u1', event: 'Order Completed', properties: { revenue: 10 } }],
    ['track', { anonymousId: 'a1', event: 'Viewed', userId: null, context: { library: { name: 'analytics.js' } } }],
    ['identify', { userId: 'u1', traits: { email: 'a@b.c' } }],
    ['page', { anonymousId: 'a1', name: 'Home', properties: {} }],
    ['page', { anonymousId: 'a1', name: null, category: null }],
    ['screen', { userId: 'u1' }],
    ['group', { userId: 'u1', groupId: 'g1', traits: { plan: 'gold' } }],
    ['alias', { userId: 'u1', previousId: 'a1' }],
    ['track', { userId: 'u1', event: 'x', timestamp: '2024-05-01T19:00:00+07:00', _metadata: { nodeVersion: '20' }, integrations: {} }],
  ])('accepts a %s call %j', (type, input) => {
    // Act
    const result = validateCall(type, input);

    // Assess
    expect(result).toEqual({ ok: true, value: expect.objectContaining({ type }) });
  });

  it('coerces numeric ids to strings and treats null as absent', () => {
    // Act
    const call = valid('group', { userId: 42, anonymousId: null, groupId: 7 });

    // Assess
    expect(call.userId).toBe('42');
    expect(call.groupId).toBe('7');
    expect(call.anonymousId).toBeUndefined();
  });

  it.each<[string, EventType, Record<string, unknown>, Array<{ path: string; message: string; expected?: string }>]>([
    ['no id', 'track', { event: 'x' }, [{ path: 'userId', message: 'userId or anonymousId is required', expected: 'a non-empty string' }]],
    ['empty ids', 'identify', { userId: '', anonymousId: null }, [{ path: 'userId', message: 'userId or anonymousId is required' }]],
    ['no event name', 'track', { userId: 'u1' }, [{ path: 'event', message: 'event is required', expected: 'a non-empty string' }]],
    ['empty event name', 'track', { userId: 'u1', event: '' }, [{ path: 'event', message: 'event must be a non-empty string' }]],
    ['properties an array', 'track', { userId: 'u1', event: 'x', properties: [1] }, [{ path: 'properties', message: 'properties must be a JSON object', expected: 'a JSON object' }]],
    ['traits a string', 'identify', { userId: 'u1', traits: 'vip' }, [{ path: 'traits', message: 'traits must be a JSON object' }]],
    ['context a number', 'page', { userId: 'u1', context: 3 }, [{ path: 'context', message: 'context must be a JSON object' }]],
    ['timestamp not ISO', 'track', { userId: 'u1', event: 'x', timestamp: '01/05/2024' }, [{ path: 'timestamp', message: expect.stringContaining('ISO 8601') }]],
    ['timestamp without zone', 'track', { userId: 'u1', event: 'x', timestamp: '2024-05-01T12:00:00' }, [{ path: 'timestamp', message: expect.stringContaining('ISO 8601') }]],
    ['sentAt a number', 'track', { userId: 'u1', event: 'x', sentAt: 1714564800 }, [{ path: 'sentAt', message: expect.stringContaining('ISO 8601') }]],
    ['userId an object', 'track', { userId: { id: 1 }, event: 'x' }, [{ path: 'userId', message: 'userId must be a non-empty string' }]],
    ['messageId an object', 'track', { userId: 'u1', event: 'x', messageId: {} }, [{ path: 'messageId', message: 'messageId must be a non-empty string' }]],
    ['alias without ids', 'alias', { anonymousId: 'a1' }, [
      { path: 'userId', message: 'userId is required for alias' },
      { path: 'previousId', message: 'previousId is required for alias' },
    ]],
    ['group without groupId', 'group', { userId: 'u1' }, [{ path: 'groupId', message: 'groupId is required for group' }]],
    ['several problems at once', 'track', { properties: 'x', context: [] }, [
      { path: 'event', message: 'event is required' },
      { path: 'properties', message: 'properties must be a JSON object' },
      { path: 'context', message: 'context must be a JSON object' },
      { path: 'userId', message: 'userId or anonymousId is required' },
    ]],
  ])('rejects %s', (_name, type, input, expected) => {
    // Act
    const result = validateCall(type, input);

    // Assess
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toHaveLength(expected.length);
    expect(problems).toEqual(expect.arrayContaining(expected.map((p) => expect.objectContaining(p))));
    for (const problem of problems) expect(problem).not.toHaveProperty('index');
  });

  it('rejects a body that is not an object', () => {
    expect(validateCall('track', [1, 2])).toEqual({ ok: false, problems: [expect.objectContaining({ path: '(body)' })] });
  });
});

describe('validateBatch', () => {
  it('lists every problem of every bad item with its index and path', () => {
    // Prepare
    const body = {
      batch: [
        { type: 'track', userId: 'u1', event: 'ok' },
        { type: 'track', event: 'no id' },
        { type: 'identify', userId: 'u1', traits: [] },
        { type: 'bogus', userId: 'u1' },
        'not an object',
        { userId: 'u1' },
      ],
    };

    // Act
    const result = validateBatch(body);

    // Assess
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems).toEqual([
      { index: 1, path: 'batch[1].userId', message: 'userId or anonymousId is required', expected: 'a non-empty string' },
      { index: 2, path: 'batch[2].traits', message: 'batch[2].traits must be a JSON object', expected: 'a JSON object' },
      { index: 3, path: 'batch[3].type', message: expect.stringContaining('must be one of track'), expected: expect.any(String) },
      { index: 4, path: 'batch[4]', message: 'batch[4] must be a JSON object', expected: expect.any(String) },
      { index: 5, path: 'batch[5].type', message: 'batch[5].type is required', expected: expect.any(String) },
    ]);
  });

  it.each([
    ['an empty batch', { batch: [] }, 'batch'],
    ['no batch', { events: [] }, 'batch'],
    ['batch not an array', { batch: {} }, 'batch'],
    ['more than 2500 events', { batch: Array.from({ length: 2501 }, () => ({ type: 'track', userId: 'u', event: 'e' })) }, 'batch'],
    ['a bad batch context', { batch: [{ type: 'screen', userId: 'u' }], context: 'x' }, 'context'],
    ['a bad batch sentAt', { batch: [{ type: 'screen', userId: 'u' }], sentAt: 'yesterday' }, 'sentAt'],
  ])('rejects %s', (_name, body, path) => {
    const result = validateBatch(body);
    expect(result.ok ? [] : result.problems).toEqual([expect.objectContaining({ path })]);
  });

  it('reports a bad envelope and bad items together', () => {
    const result = validateBatch({ batch: [{ type: 'track', userId: 'u' }], context: 1 });
    expect((result.ok ? [] : result.problems).map((p) => p.path)).toEqual(['context', 'batch[0].event']);
  });

  it('accepts 2500 events', () => {
    const result = validateBatch({ batch: Array.from({ length: 2500 }, () => ({ type: 'track', userId: 'u', event: 'e' })) });
    expect(result.ok && result.value.calls).toHaveLength(2500);
  });
});

describe('correctedTimestamp (clock skew)', () => {
  it.each([
    ['no timestamp at all: receivedAt', {}, undefined, '2024-05-01T12:00:00.000Z'],
    ['no sentAt: the timestamp as sent, in UTC', { timestamp: '2024-05-01T08:00:00+07:00' }, undefined, '2024-05-01T01:00:00.000Z'],
    ['device 2 h slow, event 5 s before sending', { timestamp: '2024-05-01T10:00:00Z', sentAt: '2024-05-01T10:00:05Z' }, undefined, '2024-05-01T11:59:55.000Z'],
    ['device 1 h fast, batch sentAt', { timestamp: '2024-05-01T13:00:00Z' }, '2024-05-01T13:00:30Z', '2024-05-01T11:59:30.000Z'],
    ['the event sentAt wins over the batch one', { timestamp: '2024-05-01T10:00:00Z', sentAt: '2024-05-01T10:00:01Z' }, '2024-05-01T10:09:00Z', '2024-05-01T11:59:59.000Z'],
    ['originalTimestamp when no timestamp (RudderStack)', { originalTimestamp: '2024-05-01T10:00:00Z' }, '2024-05-01T10:01:00Z', '2024-05-01T11:59:00.000Z'],
    ['sentAt without any timestamp: receivedAt', { sentAt: '2024-05-01T10:00:00Z' }, undefined, '2024-05-01T12:00:00.000Z'],
  ])('%s', (_name, fields, batchSentAt, expected) => {
    const call = { type: 'track', ...fields } as SegmentCall;
    expect(correctedTimestamp(call, batchSentAt, receivedAt)).toBe(expected);
  });
});

describe('normaliseCall', () => {
  it('stamps receivedAt and source, defaults the maps, keeps only the fields of its type', () => {
    // Prepare
    const call = valid('track', { userId: 7, event: 'Signed Up', name: 'ignored', groupId: 'ignored', messageId: 'm1', writeKey: 'wk_secret', _metadata: {} });

    // Act
    const event = normaliseCall(call, stamp);

    // Assess
    expect(event).toEqual({
      type: 'track',
      messageId: 'm1',
      userId: '7',
      event: 'Signed Up',
      properties: {},
      traits: {},
      context: {},
      timestamp: '2024-05-01T12:00:00.000Z',
      receivedAt: '2024-05-01T12:00:00.000Z',
      source: 'web',
    });
    expect(customerEventSchema.safeParse(event).success).toBe(true);
    expect(JSON.stringify(event)).not.toContain('wk_secret');
  });

  it('generates a stable messageId that ignores sentAt and writeKey but not the content', () => {
    // Prepare
    const base = { userId: 'u1', event: 'Added', properties: { sku: 'A', qty: 1 }, timestamp: '2024-05-01T10:00:00Z' };
    const first = normaliseCall(valid('track', { ...base, sentAt: '2024-05-01T10:00:01Z', writeKey: 'a' }), stamp);
    const resent = normaliseCall(
      valid('track', { properties: { qty: 1, sku: 'A' }, event: 'Added', userId: 'u1', timestamp: '2024-05-01T10:00:00Z', sentAt: '2024-05-01T10:05:00Z' }),
      { receivedAt: new Date('2024-05-01T12:05:00Z'), source: 'web' },
    );
    const other = normaliseCall(valid('track', { ...base, properties: { sku: 'B', qty: 1 } }), stamp);

    // Assess
    expect(first.messageId).toMatch(/^gen_[0-9a-f]{64}$/);
    expect(resent.messageId).toBe(first.messageId);
    expect(other.messageId).not.toBe(first.messageId);
    expect(generatedMessageId({ type: 'page', userId: 'u1' })).not.toBe(generatedMessageId({ type: 'screen', userId: 'u1' }));
  });

  it.each<[EventType, Record<string, unknown>, Record<string, unknown>]>([
    ['alias', { userId: 'u1', previousId: 'a1' }, { previousId: 'a1' }],
    ['group', { userId: 'u1', groupId: 'g1', traits: { plan: 'gold' } }, { groupId: 'g1', traits: { plan: 'gold' } }],
    ['page', { anonymousId: 'a1', name: 'Home', properties: { path: '/' } }, { name: 'Home', properties: { path: '/' } }],
    ['identify', { userId: 'u1', traits: { email: 'a@b.c' } }, { traits: { email: 'a@b.c' } }],
  ])('normalises %s', (type, input, expected) => {
    expect(normaliseCall(valid(type, input), stamp)).toEqual(expect.objectContaining({ type, ...expected }));
  });
});

describe('normaliseBatch', () => {
  it('merges the batch context under each item context and applies the batch sentAt', () => {
    // Prepare
    const result = validateBatch({
      sentAt: '2024-05-01T10:00:10Z',
      context: { library: { name: 'sdk' }, locale: 'id-ID' },
      batch: [
        { type: 'track', userId: 'u1', event: 'a', timestamp: '2024-05-01T10:00:00Z', context: { locale: 'en-US', ip: '1.2.3.4' } },
        { type: 'identify', userId: 'u1' },
      ],
    });
    if (!result.ok) throw new Error('expected a valid batch');

    // Act
    const [first, second] = normaliseBatch(result.value, stamp);

    // Assess
    expect(first.context).toEqual({ library: { name: 'sdk' }, locale: 'en-US', ip: '1.2.3.4' });
    expect(second.context).toEqual({ library: { name: 'sdk' }, locale: 'id-ID' });
    expect(first.timestamp).toBe('2024-05-01T11:59:50.000Z');
    expect(second.timestamp).toBe('2024-05-01T12:00:00.000Z');
  });
});

describe('write keys', () => {
  it('hashes to SHA-256 hex', () => {
    expect(hashWriteKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('generates distinct wk_ keys of 32 base62 characters', () => {
    const keys = new Set(Array.from({ length: 50 }, () => generateWriteKey()));
    expect(keys.size).toBe(50);
    for (const key of keys) expect(key).toMatch(/^wk_[0-9A-Za-z]{32}$/);
  });
});
