import type { CounterIncrement, JourneyStore } from '../core/ports';
import type { MessageLogEntry } from '../core/profile';
import { addTo, sortCounters } from './dynamo-journey-store';

/**
 * A {@link JourneyStore} in memory with the semantics of the DynamoDB one (claims taken once until
 * released, history and provider index, summed counters). Values are copied as JSON. For unit tests
 * and benches.
 *
 * @example
 * const journeyStore = new MemoryJourneyStore();
 * await journeyStore.claimSend('p_1', 'welcome-ab', 'send-1'); // true, then false
 */
export class MemoryJourneyStore implements JourneyStore {
  private readonly claims = new Set<string>();
  private readonly history = new Map<string, { profileId: string; entry: string; expiresAt: number }>();
  private readonly providers = new Map<string, { profileId: string; entry: string }>();
  private readonly counters = new Map<string, Map<string, CounterIncrement>>();

  public async claimSend(profileId: string, runId: string, stepId: string): Promise<boolean> {
    const key = `${profileId}#${runId}#${stepId}`;
    if (this.claims.has(key)) return false;
    this.claims.add(key);
    return true;
  }

  public async releaseSend(profileId: string, runId: string, stepId: string): Promise<void> {
    this.claims.delete(`${profileId}#${runId}#${stepId}`);
  }

  public async recordMessage(profileId: string, entry: MessageLogEntry, expiresAt: number): Promise<void> {
    const json = JSON.stringify(entry);
    this.history.set(`${profileId}#${entry.at}#${entry.runId}#${entry.stepId}`, { profileId, entry: json, expiresAt });
    if (entry.providerMessageId !== undefined) this.providers.set(entry.providerMessageId, { profileId, entry: json });
  }

  public async findMessage(providerMessageId: string): Promise<{ profileId: string; entry: MessageLogEntry } | undefined> {
    const found = this.providers.get(providerMessageId);
    return found === undefined ? undefined : { profileId: found.profileId, entry: JSON.parse(found.entry) as MessageLogEntry };
  }

  public async incrementCounters(journeyId: string, increments: readonly CounterIncrement[]): Promise<void> {
    const totals = this.counters.get(journeyId) ?? new Map<string, CounterIncrement>();
    for (const increment of increments) if (increment.by !== 0) addTo(totals, { ...increment });
    this.counters.set(journeyId, totals);
  }

  public async readCounters(journeyId: string): Promise<CounterIncrement[]> {
    return sortCounters([...(this.counters.get(journeyId)?.values() ?? [])].map((counter) => ({ ...counter })));
  }

  /** The message history of a profile, oldest first (for assertions). */
  public messagesOf(profileId: string): MessageLogEntry[] {
    return [...this.history.values()].filter((item) => item.profileId === profileId).map((item) => JSON.parse(item.entry) as MessageLogEntry).sort((a, b) => a.at.localeCompare(b.at));
  }
}
