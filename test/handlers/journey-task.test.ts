import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { EngineConfig } from '../../lib/core/config';
import type { RunInput } from '../../lib/core/journeys/protocol';
import type { Profile } from '../../lib/core/profile';
import { emptyProfile } from '../../lib/core/reducer';
import { useClock } from '../../lib/app/clock';

const NOW = new Date('2026-11-05T03:00:00.000Z'); // Thursday 10:00 in Jakarta
const config: EngineConfig = {
  segments: [{ id: 'gold', name: 'Gold members', condition: { type: 'trait', trait: 'tier', operator: 'equals', value: 'gold' } }],
  templates: [{ id: 'offer', channel: 'email', defaultLocale: 'id', locales: { id: { subject: 'Promo {{ journey.variant }}', text: 'Halo {{ traits.name }}' } } }],
  messaging: { email: { from: 'halo@tokokita.co.id' } },
  journeys: [{
    id: 'cross-sell',
    name: 'Regional cross-sell',
    entry: { type: 'event', event: 'Payment Completed' },
    startAt: 'region',
    steps: [
      { id: 'region', type: 'branch', paths: [{ name: 'gold', condition: { type: 'trait', trait: 'tier', operator: 'equals', value: 'gold' }, next: 'ab' }], otherwise: 'at-two' },
      { id: 'ab', type: 'split', variants: [{ name: 'a', weight: 45, next: 'mail' }, { name: 'b', weight: 45, next: 'mail' }], holdout: { weight: 10 } },
      { id: 'at-two', type: 'waitUntilTime', time: '14:00', days: ['mon'], next: 'mail' },
      { id: 'mail', type: 'send', channel: 'email', template: 'offer', next: 'done' },
      { id: 'done', type: 'exit' },
    ],
  }],
};
process.env.TABLE_NAME = 'profiles-test';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const ddb = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);
let handler: (event: unknown) => Promise<unknown>;

const run: RunInput = { journeyId: 'cross-sell', runId: 'cross-sell-0123456789abcdef01234567', profileId: 'p_1', enteredAt: NOW.toISOString() };
function profile(overrides: Partial<Profile> = {}): Profile {
  return {
    ...emptyProfile('p_1', NOW.toISOString()),
    identities: { userIds: ['u-1'], anonymousIds: [], emails: ['sari@example.com'], phones: [], devices: [] },
    traits: { name: 'Sari', tier: 'gold' },
    consent: { channels: { email: { status: 'granted', at: NOW.toISOString(), by: 'm-0', source: 'web' } }, topics: {} },
    journeys: { 'cross-sell': { entries: 1, active: { _: { runId: run.runId, enteredAt: NOW.toISOString() } } } },
    ...overrides,
  };
}
const storedProfiles = () => ddb.commandCalls(PutCommand).map((call) => call.args[0].input).filter((input) => input.Item?.sk === 'PROFILE');

beforeAll(async () => {
  process.env.ENGINE_CONFIG = JSON.stringify(config);
  useClock({ now: () => NOW });
  ({ handler } = await import('../../lambdas/journey-task'));
});
afterAll(() => useClock(undefined));
beforeEach(() => {
  ddb.reset();
  ses.reset();
  ddb.on(GetCommand).resolves({ Item: { pk: 'PROFILE#p_1', sk: 'PROFILE', profile: profile(), version: 3 } });
  ddb.on(PutCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
  ddb.on(DeleteCommand).resolves({});
  ses.on(SendEmailCommand).resolves({ MessageId: 'ses-42' });
});

describe('journey task handler', () => {
  it('sends: claims the send, renders, sends with SES, writes the log back conditionally', async () => {
    // Act
    const result = await handler({ action: 'send', stepId: 'mail', run });
    // Assess
    expect(result).toEqual({ outcome: 'sent', providerMessageId: 'ses-42' });
    const claim = ddb.commandCalls(PutCommand).find((call) => String(call.args[0].input.Item?.sk).startsWith('SEND#'))?.args[0].input;
    expect(claim).toMatchObject({ Item: { pk: 'PROFILE#p_1', sk: `SEND#${run.runId}#mail` }, ConditionExpression: 'attribute_not_exists(#pk)' });
    expect(ses.commandCalls(SendEmailCommand)[0].args[0].input.Content?.Simple?.Body?.Text?.Data).toBe('Halo Sari');
    const [written] = storedProfiles();
    expect(written.ExpressionAttributeValues).toEqual({ ':expected': 3 });
    expect((written.Item?.profile as Profile).messages).toEqual([expect.objectContaining({ outcome: 'sent', providerMessageId: 'ses-42', stepId: 'mail' })]);
    expect(ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input.ExpressionAttributeValues?.[':metric'])).toEqual(['sent']);
  });

  it('suppresses a send for a run that exit criteria stopped', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: { profile: profile({ journeys: { 'cross-sell': { entries: 1, active: {} } } }), version: 3 } });
    // Act
    const result = await handler({ action: 'send', stepId: 'mail', run });
    // Assess
    expect(result).toEqual({ outcome: 'suppressed', reason: 'exit_criteria_met' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('releases the claim and throws TransientError when SES keeps throttling', async () => {
    // Prepare
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('slow down'), { name: 'TooManyRequestsException' }));
    // Act
    const result = handler({ action: 'send', stepId: 'mail', run });
    // Assess
    await expect(result).rejects.toMatchObject({ name: 'TransientError' });
    expect(ddb.commandCalls(DeleteCommand)[0].args[0].input.Key).toEqual({ pk: 'PROFILE#p_1', sk: `SEND#${run.runId}#mail` });
    expect(storedProfiles()).toHaveLength(0);
  });

  it('branches on a condition evaluated on the profile now', async () => {
    // Act
    const gold = await handler({ action: 'branch', stepId: 'region', run });
    ddb.on(GetCommand).resolves({ Item: { profile: profile({ traits: { tier: 'silver' } }), version: 3 } });
    const other = await handler({ action: 'branch', stepId: 'region', run });
    // Assess
    expect(gold).toEqual({ path: 'gold' });
    expect(other).toEqual({ path: 'otherwise' });
  });

  it('assigns a sticky split variant and records it on the profile', async () => {
    // Act
    const first = (await handler({ action: 'split', stepId: 'ab', run })) as { variant: string };
    ddb.on(GetCommand).resolves({ Item: { profile: profile({ journeys: { 'cross-sell': { entries: 1, active: {}, variants: { ab: 'b' } } } }), version: 4 } });
    const again = await handler({ action: 'split', stepId: 'ab', run });
    // Assess
    expect(['a', 'b', 'holdout']).toContain(first.variant);
    expect((storedProfiles()[0].Item?.profile as Profile).journeys?.['cross-sell'].variants).toEqual({ ab: first.variant });
    expect(again).toEqual({ variant: 'b' });
    expect(storedProfiles()).toHaveLength(1);
  });

  it('waits until the next allowed weekday at the local time', async () => {
    // Act
    const result = await handler({ action: 'waitUntilTime', stepId: 'at-two', run });
    // Assess: Thursday 10:00 WIB -> Monday 14:00 WIB (07:00 UTC)
    expect(result).toEqual({ until: '2026-11-09T07:00:00.000Z' });
  });

  it('rejects a request that is not a TaskRequest', async () => {
    await expect(handler({ action: 'dance', stepId: 'mail', run })).rejects.toThrow();
    await expect(handler({ action: 'send', stepId: 'nope', run })).rejects.toMatchObject({ name: 'UnknownJourneyStepError' });
  });
});
