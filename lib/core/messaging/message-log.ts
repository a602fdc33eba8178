import type { MessageLogEntry, Profile } from '../profile';

/** Entries kept on the profile: enough for weekly caps and "already sent"; the full history is its own item. */
export const MESSAGE_LOG_LIMIT = 100;
export const MESSAGE_LOG_DAYS = 35;

/**
 * Append a message decision to the profile's bounded log (the last {@link MESSAGE_LOG_LIMIT}
 * entries, none older than {@link MESSAGE_LOG_DAYS} days). Appending the same run, step and outcome
 * again changes nothing, so a retried write-back is harmless.
 *
 * @example
 * const next = appendMessage(profile, { journeyId, runId, stepId, channel: 'email', template: 'welcome', outcome: 'sent', at }, now);
 */
export function appendMessage(profile: Profile, entry: MessageLogEntry, now: Date): Profile {
  const oldest = new Date(now.getTime() - MESSAGE_LOG_DAYS * 86_400_000).toISOString();
  const current = profile.messages ?? [];
  const repeated = current.some((m) => m.runId === entry.runId && m.stepId === entry.stepId && m.outcome === entry.outcome && m.at === entry.at);
  const messages = (repeated ? current : [...current, entry]).filter((m) => m.at >= oldest).slice(-MESSAGE_LOG_LIMIT);
  return { ...profile, messages };
}
