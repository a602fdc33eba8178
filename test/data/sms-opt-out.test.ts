import { MemoryJourneyStore } from '../../lib/adapters/memory-journey-store';
import { MemoryProfileStore } from '../../lib/adapters/memory-profile-store';
import { runJourneyTask } from '../../lib/app/journey-task';
import type { EngineConfig } from '../../lib/core/config';
import type { RunInput } from '../../lib/core/journeys/protocol';
import type { ChannelResult, OutboundMessage } from '../../lib/core/messaging/message';
import type { Profile } from '../../lib/core/profile';
import { emptyProfile } from '../../lib/core/reducer';

const NOW = new Date('2026-11-05T03:00:00.000Z'); // 10:00 in Jakarta
const config: EngineConfig = {
  segments: [],
  templates: [{ id: 'promo', channel: 'sms', defaultLocale: 'id', locales: { id: { body: 'Promo kopi hari ini' } } }],
  journeys: [{
    id: 'promo', name: 'Promo', entry: { type: 'event', event: 'Signed Up' }, startAt: 'text',
    steps: [{ id: 'text', type: 'send', channel: 'sms', template: 'promo', next: 'again' }, { id: 'again', type: 'send', channel: 'sms', template: 'promo', next: 'done' }, { id: 'done', type: 'exit' }],
  }],
};
const run: RunInput = { journeyId: 'promo', runId: 'promo-run-1', profileId: 'p_1', enteredAt: NOW.toISOString() };

describe('an SMS to a number that texted STOP', () => {
  it('is recorded as failed and suppresses every later SMS to that customer (opted_out)', async () => {
    // Prepare: End User Messaging refuses the number with its opt-out conflict.
    const store = new MemoryProfileStore();
    const profile: Profile = {
      ...emptyProfile('p_1', NOW.toISOString()),
      identities: { userIds: ['u-1'], anonymousIds: [], emails: [], phones: ['+6281234567890'], devices: [] },
      consent: { channels: { sms: { status: 'granted', at: NOW.toISOString(), by: 'm-0', source: 'web' } }, topics: {} },
      journeys: { promo: { entries: 1, active: { _: { runId: run.runId, enteredAt: NOW.toISOString() } } } },
    };
    await store.saveProfile(profile, undefined);
    const sent: OutboundMessage[] = [];
    const sms = {
      send: async (message: OutboundMessage): Promise<ChannelResult> => {
        sent.push(message);
        return { status: 'rejected', reason: 'ConflictException: DESTINATION_PHONE_NUMBER_OPTED_OUT' };
      },
    };
    const deps = { store, journeyStore: new MemoryJourneyStore(), senders: { sms }, config, now: () => NOW };

    // Act
    const first = await runJourneyTask({ action: 'send', stepId: 'text', run }, deps);
    const second = await runJourneyTask({ action: 'send', stepId: 'again', run }, deps);

    // Assess
    expect(first).toEqual({ outcome: 'failed', reason: 'ConflictException: DESTINATION_PHONE_NUMBER_OPTED_OUT' });
    expect(second).toEqual({ outcome: 'suppressed', reason: 'unsubscribed' });
    expect(sent).toHaveLength(1);
    const stored = await store.getProfile('p_1');
    expect(stored?.kind === 'profile' && stored.profile.suppression?.sms).toEqual({ reason: 'opted_out', at: NOW.toISOString() });
  });
});
