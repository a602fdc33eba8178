import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { useClock } from '../../lib/app/clock';
import type { EngineConfig } from '../../lib/core/config';
import type { JourneyDefinition } from '../../lib/core/journeys/definition';
import type { RunInput } from '../../lib/core/journeys/protocol';
import type { Profile } from '../../lib/core/profile';
import { emptyProfile } from '../../lib/core/reducer';
import { SERVICE } from '../../lib/infrastructure/metrics';
import { captureEmf, describeEmf, type EmfRecord } from './emf-output';

/** The journey task's EMF output: Sends by channel and outcome (read from its SendTaskResult), Suppressions by reason. */

const NOW = new Date('2026-11-05T03:00:00.000Z');
const mailJourney = (id: string, extra: Partial<JourneyDefinition> = {}): JourneyDefinition => ({
  id,
  name: id,
  entry: { type: 'event', event: 'Payment Completed' },
  startAt: 'mail',
  steps: [
    { id: 'mail', type: 'send', channel: 'email', template: 'offer', next: 'done' },
    { id: 'done', type: 'exit' },
  ],
  ...extra,
});
const config: EngineConfig = {
  segments: [],
  templates: [{ id: 'offer', channel: 'email', defaultLocale: 'id', locales: { id: { subject: 'Promo', text: 'Halo {{ traits.name }}' } } }],
  messaging: { email: { from: 'halo@tokokita.co.id' } },
  journeys: [
    mailJourney('cross-sell'),
    // Quiet all day: every send is deferred.
    mailJourney('night-owl', { quietHours: { start: '00:00', end: '23:59', action: 'defer' } }),
  ],
};
process.env.TABLE_NAME = 'profiles-test';
process.env.POWERTOOLS_METRICS_DISABLED = 'false';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
delete process.env.POWERTOOLS_METRICS_NAMESPACE;

const ddb = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);
let handler: (event: unknown) => Promise<unknown>;

const run = (journeyId: string): RunInput => ({ journeyId, runId: `${journeyId}-0123456789abcdef01234567`, profileId: 'p_1', enteredAt: NOW.toISOString() });
function profile(journeyId: string, active = true): Profile {
  return {
    ...emptyProfile('p_1', NOW.toISOString()),
    identities: { userIds: ['u-1'], anonymousIds: [], emails: ['sari@example.com'], phones: [], devices: [] },
    traits: { name: 'Sari' },
    consent: { channels: { email: { status: 'granted', at: NOW.toISOString(), by: 'm-0', source: 'web' } }, topics: {} },
    journeys: { [journeyId]: { entries: 1, active: active ? { _: { runId: run(journeyId).runId, enteredAt: NOW.toISOString() } } : {} } },
  };
}
const givenProfile = (p: Profile) => ddb.on(GetCommand).resolves({ Item: { pk: 'PROFILE#p_1', sk: 'PROFILE', profile: p, version: 3 } });

beforeAll(async () => {
  process.env.ENGINE_CONFIG = JSON.stringify(config);
  useClock({ now: () => NOW });
  ({ handler } = await import('../../lambdas/journey-task'));
});
afterAll(() => useClock(undefined));

let emf: ReturnType<typeof captureEmf>;
beforeEach(() => {
  ddb.reset();
  ses.reset();
  givenProfile(profile('cross-sell'));
  ddb.on(PutCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
  ddb.on(DeleteCommand).resolves({});
  ses.on(SendEmailCommand).resolves({ MessageId: 'ses-42' });
  emf = captureEmf();
});
afterEach(() => emf.restore());

const named = (name: string) => (record: EmfRecord) => name in record;

describe('journey task metrics (EMF)', () => {
  it('counts a sent e-mail by channel and outcome, and by outcome alone, in the default namespace', async () => {
    // Act
    const result = await handler({ action: 'send', stepId: 'mail', run: run('cross-sell') });
    // Assess
    expect(result).toMatchObject({ outcome: 'sent' });
    const records = emf.records();
    expect(records.map(describeEmf)).toEqual([
      { namespace: 'JourneyEngine', dimensions: [['service', 'Channel', 'Outcome']], units: { Sends: 'Count' } },
      { namespace: 'JourneyEngine', dimensions: [['service', 'Outcome']], units: { Sends: 'Count' } },
    ]);
    expect(records[0]).toMatchObject({ service: SERVICE.journeyTask, Channel: 'email', Outcome: 'sent', Sends: 1 });
    expect(records[1]).toMatchObject({ service: SERVICE.journeyTask, Outcome: 'sent', Sends: 1 });
    expect(records[1]).not.toHaveProperty('Channel');
  });

  it('keeps journey and step ids out of the dimensions: they travel as metadata', async () => {
    // Act
    await handler({ action: 'send', stepId: 'mail', run: run('cross-sell') });
    // Assess
    const [record] = emf.records();
    expect(record).toMatchObject({ journeyId: 'cross-sell', stepId: 'mail' });
    expect(describeEmf(record).dimensions.flat()).not.toContain('journeyId');
    expect(JSON.stringify(record)).not.toMatch(/sari@example\.com|Sari|p_1/);
  });

  it('counts a suppressed send, and the suppression by reason', async () => {
    // Prepare
    givenProfile(profile('cross-sell', false));
    // Act
    const result = await handler({ action: 'send', stepId: 'mail', run: run('cross-sell') });
    // Assess
    expect(result).toEqual({ outcome: 'suppressed', reason: 'exit_criteria_met' });
    const records = emf.records();
    expect(records.find(named('Sends'))).toMatchObject({ Channel: 'email', Outcome: 'suppressed', Sends: 1 });
    const suppression = records.find(named('Suppressions'));
    expect(suppression && describeEmf(suppression)).toEqual({ namespace: 'JourneyEngine', dimensions: [['service', 'Reason']], units: { Suppressions: 'Count' } });
    expect(suppression).toMatchObject({ service: 'journey-task', Reason: 'exit_criteria_met', Suppressions: 1 });
  });

  it('counts a send the provider rejected as failed', async () => {
    // Prepare
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' }));
    // Act
    const result = await handler({ action: 'send', stepId: 'mail', run: run('cross-sell') });
    // Assess
    expect(result).toMatchObject({ outcome: 'failed' });
    const records = emf.records();
    expect(records).toEqual([
      expect.objectContaining({ Channel: 'email', Outcome: 'failed', Sends: 1 }),
      expect.objectContaining({ Outcome: 'failed', Sends: 1 }),
    ]);
    // The provider's reason is free text: never a dimension.
    for (const record of records) expect(record).not.toHaveProperty('Reason');
  });

  it('counts a send held by quiet hours as deferred', async () => {
    // Prepare
    givenProfile(profile('night-owl'));
    // Act
    const result = await handler({ action: 'send', stepId: 'mail', run: run('night-owl') });
    // Assess
    expect(result).toMatchObject({ outcome: 'deferred', reason: 'quiet_hours' });
    expect(emf.records()).toEqual([
      expect.objectContaining({ Channel: 'email', Outcome: 'deferred', Sends: 1 }),
      expect.objectContaining({ Outcome: 'deferred', Sends: 1 }),
    ]);
  });

  it('publishes nothing for steps that do not send, or for a send that throws', async () => {
    // Act
    await handler({ action: 'complete', stepId: 'done', run: run('cross-sell'), outcome: 'completed' });
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('slow down'), { name: 'TooManyRequestsException' }));
    await expect(handler({ action: 'send', stepId: 'mail', run: run('cross-sell') })).rejects.toMatchObject({ name: 'TransientError' });
    // Assess
    expect(emf.records()).toEqual([]);
  });
});
