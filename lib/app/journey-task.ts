import type { EngineConfig } from '../core/config';
import { DEFAULT_LOCALE } from '../core/config';
import { evaluateProfile } from '../core/evaluate-profile';
import type { JourneyDefinition, Step, TemplateDefinition } from '../core/journeys/definition';
import { endRun, isRunActive, propertyAt } from '../core/journeys/entry';
import type { BranchTaskResult, RunOutcome, SendTaskResult, SplitTaskResult, TaskRequest, WaitUntilTaskResult } from '../core/journeys/protocol';
import { assignVariant, choosePath, variantForStep } from '../core/journeys/split';
import { dateWithOffset, nextLocalTime } from '../core/journeys/wait-until';
import type { OutboundMessage, RenderedContent } from '../core/messaging/message';
import { isGlobalControl } from '../core/measurement/control';
import { findRun, recordSend, recordVariant } from '../core/measurement/runs';
import { appendMessage } from '../core/messaging/message-log';
import { customerTimeZone, decideSend } from '../core/messaging/suppression';
import { renderTemplate } from '../core/messaging/templates';
import type { ChannelSender, CounterIncrement, JourneyStore, ProfileStore } from '../core/ports';
import type { Channel, JourneyState, MessageLogEntry, Profile, WaitingStep } from '../core/profile';
import { expiryOf, readLive, transitionEvents, transitionsOf, withConflictRetry, type SegmentTransition } from './process-events';

export interface JourneyTaskDeps {
  readonly store: ProfileStore;
  readonly journeyStore: JourneyStore;
  /** The configured channels; a send on a missing one fails (recorded, not retried). */
  readonly senders: Partial<Record<Channel, ChannelSender>>;
  readonly config: EngineConfig;
  readonly now: () => Date;
  /** Conditional-write attempts per profile write. @default 25 */
  readonly maxAttempts?: number;
  /** How long the message history item and the provider-id index are kept. @default 400 */
  readonly messageRetentionDays?: number;
}

/** `waitUntilDate` when the date is missing or invalid: the state machine goes to `ifMissing`. */
export interface MissingDateResult { readonly missing: true }
/** `complete` result. */
export interface CompleteTaskResult { readonly outcome: RunOutcome; readonly recorded: boolean }
/** `updateProfile` result: the segment changes it caused (ids only). */
export interface UpdateProfileTaskResult { readonly entered: string[]; readonly exited: string[] }

export type JourneyTaskResult =
  | SendTaskResult
  | BranchTaskResult
  | SplitTaskResult
  | WaitUntilTaskResult
  | MissingDateResult
  | CompleteTaskResult
  | UpdateProfileTaskResult
  | Record<string, never>;

/** The request names a journey or step the configuration does not have: a deployment mismatch. */
export class UnknownJourneyStepError extends Error {
  public constructor(journeyId: string, stepId: string, problem: string) {
    super(`journey ${journeyId} step ${stepId}: ${problem} (deploy the configuration the state machine was compiled from)`);
    this.name = 'UnknownJourneyStepError';
  }
}

const DEFAULT_RETENTION_DAYS = 400;

/**
 * Carry out one Task state of a journey run: the use case behind the journey task Lambda. Every
 * action reads the live profile (following merges) and, where it changes it, writes it with one
 * conditional write retried on conflict. Expected outcomes (suppressed, deferred, failed) are
 * values; the only throws are unexpected errors and a TransientSendError (after the send claim is
 * released) that Step Functions retries.
 *
 * @example
 * const result = await runJourneyTask({ action: 'send', stepId: 'reminder', run }, { store, journeyStore, senders, config, now: () => new Date() });
 * // { outcome: 'sent', providerMessageId: '0100018f...' } | { outcome: 'suppressed', reason: 'frequency_cap' } | ...
 */
export async function runJourneyTask(request: TaskRequest, deps: JourneyTaskDeps): Promise<JourneyTaskResult> {
  const journey = (deps.config.journeys ?? []).find((candidate) => candidate.id === request.run.journeyId);
  if (journey === undefined) throw new UnknownJourneyStepError(request.run.journeyId, request.stepId, 'no such journey in ENGINE_CONFIG');
  if (request.action === 'complete') return complete(request, journey, deps);
  const step = journey.steps.find((candidate) => candidate.id === request.stepId);
  if (step === undefined) throw new UnknownJourneyStepError(journey.id, request.stepId, 'no such step');
  const now = deps.now();
  switch (request.action) {
    case 'send':
      return send(request, journey, stepOf(step, 'send'), deps, now);
    case 'branch':
      return branch(request, journey, stepOf(step, 'branch'), deps, now);
    case 'split':
      return split(request, journey, stepOf(step, 'split'), deps);
    case 'waitUntilTime': {
      const wait = stepOf(step, 'waitUntilTime');
      const { stored } = await readLive(deps.store, request.run.profileId);
      const timeZone = stored === undefined ? deps.config.messaging?.defaultTimeZone ?? 'Asia/Jakarta' : customerTimeZone(stored.profile, deps.config.messaging?.defaultTimeZone);
      return { until: nextLocalTime(now, wait.time, wait.days, timeZone).toISOString() };
    }
    case 'waitUntilDate': {
      const wait = stepOf(step, 'waitUntilDate');
      const source = wait.from === 'trait' ? (await readLive(deps.store, request.run.profileId)).stored?.profile.traits : request.run.entryEvent?.properties;
      const until = dateWithOffset(propertyAt(source, wait.path), wait.offsetSeconds, now);
      return until === undefined ? { missing: true } : { until: until.toISOString() };
    }
    case 'waitForEvent':
      return waitForEvent(request, journey, stepOf(step, 'waitForEvent'), deps, now);
    case 'updateProfile':
      return updateProfile(request, stepOf(step, 'updateProfile'), deps, now);
    default: {
      const unknown: never = request.action;
      throw new Error(`unknown task action ${String(unknown)}`);
    }
  }
}

async function send(request: TaskRequest, journey: JourneyDefinition, step: Extract<Step, { type: 'send' }>, deps: JourneyTaskDeps, now: Date): Promise<SendTaskResult> {
  const { run } = request;
  const { profileId, stored } = await readLive(deps.store, run.profileId);
  const at = now.toISOString();
  const base = { journeyId: journey.id, runId: run.runId, stepId: step.id, channel: step.channel, template: step.template, at };
  if (stored === undefined) {
    await count(deps, journey.id, step.id, undefined, 'suppressed:no_profile');
    return { outcome: 'suppressed', reason: 'no_profile' };
  }
  const profile = stored.profile;
  const variant = variantForStep(journey.steps, profile.journeys?.[journey.id]?.variants, step.id);
  const entry = (fields: Pick<MessageLogEntry, 'outcome'> & Partial<MessageLogEntry>): MessageLogEntry => ({ ...base, ...(variant !== undefined && { variant }), ...fields });

  const decision = decideSend({
    profile,
    channel: step.channel,
    ...(step.topic !== undefined && { topic: step.topic }),
    journey: { id: journey.id, quietHours: journey.quietHours, ignoreFrequencyCaps: journey.ignoreFrequencyCaps },
    runId: run.runId,
    stepId: step.id,
    exitCriteriaMet: !isRunActive(profile, journey.id, run.runId),
    // The group recorded at entry, or the sticky hash now: a control customer is never messaged,
    // even on a run recorded without a group (older runs, entry paths not given the share).
    globalControl: findRun(profile, journey.id, run.runId)?.group === 'global-control' || isGlobalControl(run.profileId, deps.config.globalControlShare),
    now,
    messaging: deps.config.messaging ?? {},
  });
  if (decision.decision === 'suppress') {
    // "Already sent" is in the log once: a retry is counted, not logged again.
    if (decision.reason === 'duplicate') await count(deps, journey.id, step.id, variant, 'suppressed:duplicate');
    else await record(deps, profileId, entry({ outcome: 'suppressed', reason: decision.reason }), now);
    return { outcome: 'suppressed', reason: decision.reason };
  }
  if (decision.decision === 'defer') {
    await record(deps, profileId, entry({ outcome: 'deferred', reason: decision.reason }), now);
    return { outcome: 'deferred', until: decision.until, reason: decision.reason };
  }

  const rendered = await render(deps.config.templates ?? [], step.template, profile, request, variant, deps.config);
  const sender = deps.senders[step.channel];
  if ('failed' in rendered || sender === undefined) {
    const reason = 'failed' in rendered ? rendered.failed : 'channel_not_configured';
    await record(deps, profileId, entry({ outcome: 'failed', reason }), now);
    return { outcome: 'failed', reason };
  }
  if (!(await deps.journeyStore.claimSend(profileId, run.runId, step.id))) {
    await count(deps, journey.id, step.id, variant, 'suppressed:duplicate');
    return { outcome: 'suppressed', reason: 'duplicate' };
  }
  const message: OutboundMessage = {
    channel: step.channel,
    to: decision.to,
    rendered: rendered.content,
    tags: { journeyId: journey.id, runId: run.runId, stepId: step.id, profileId, ...(variant !== undefined && { variant }) },
    ...(step.topic !== undefined && { topic: step.topic }),
    idempotencyKey: `${run.runId}:${step.id}`,
  };
  let result;
  try {
    result = await sender.send(message);
  } catch (error) {
    // Not sent (throttled, provider down, or unknown): let the retry claim it again.
    await deps.journeyStore.releaseSend(profileId, run.runId, step.id);
    throw error;
  }
  if (result.status === 'rejected') {
    // End User Messaging reports a STOP'ed number only as this rejection (there is no opt-out
    // event to feed back), so the flag is set here: no later journey texts that number again.
    if (step.channel === 'sms' && result.reason.includes('OPTED_OUT')) {
      await changeProfile(deps, profileId, (p) => ({ ...p, suppression: { ...p.suppression, sms: { reason: 'opted_out', at: now.toISOString() } } }));
    }
    await record(deps, profileId, entry({ outcome: 'failed', reason: result.reason }), now);
    return { outcome: 'failed', reason: result.reason };
  }
  await record(deps, profileId, entry({ outcome: 'sent', providerMessageId: result.providerMessageId }), now);
  return { outcome: 'sent', providerMessageId: result.providerMessageId };
}

async function render(
  templates: readonly TemplateDefinition[],
  templateId: string,
  profile: Profile,
  request: TaskRequest,
  variant: string | undefined,
  config: EngineConfig,
): Promise<{ content: RenderedContent } | { failed: string }> {
  const template = templates.find((candidate) => candidate.id === templateId);
  if (template === undefined) return { failed: 'template_not_found' };
  const { run } = request;
  try {
    const content = await renderTemplate(
      template,
      {
        profile,
        ...(run.entryEvent !== undefined && { event: run.entryEvent.properties }),
        journey: { id: run.journeyId, runId: run.runId, stepId: request.stepId, ...(variant !== undefined && { variant }), ...(run.context !== undefined && { context: run.context }) },
      },
      profile.locale?.value ?? config.messaging?.defaultLocale ?? DEFAULT_LOCALE,
      config.messaging?.defaultLocale ?? DEFAULT_LOCALE,
    );
    return { content };
  } catch (error) {
    // A template that does not render is a permanent failure of this message, not a retry.
    return { failed: `template_error: ${(error as Error).message}`.slice(0, 500) };
  }
}

/**
 * The decision on the profile's log (one conditional write, which also makes a `sent` message the
 * run's last send for attribution), in the history, and in the counters.
 */
async function record(deps: JourneyTaskDeps, profileId: string, entry: MessageLogEntry, now: Date): Promise<void> {
  await changeProfile(deps, profileId, (profile) => {
    const logged = appendMessage(profile, entry, now);
    return entry.outcome === 'sent' ? recordSend(logged, entry.journeyId, entry.runId, entry.stepId, entry.at) : logged;
  });
  const expiresAt = Math.floor(now.getTime() / 1000) + (deps.messageRetentionDays ?? DEFAULT_RETENTION_DAYS) * 86_400;
  const metric = entry.outcome === 'suppressed' ? `suppressed:${entry.reason}` : entry.outcome;
  await Promise.all([deps.journeyStore.recordMessage(profileId, entry, expiresAt), count(deps, entry.journeyId, entry.stepId, entry.variant, metric)]);
}

async function branch(request: TaskRequest, journey: JourneyDefinition, step: Extract<Step, { type: 'branch' }>, deps: JourneyTaskDeps, now: Date): Promise<BranchTaskResult> {
  const { stored } = await readLive(deps.store, request.run.profileId);
  const path = stored === undefined ? 'otherwise' : choosePath(stored.profile, step, now, deps.config.rfm);
  await count(deps, journey.id, step.id, undefined, `branch:${path}`);
  return { path };
}

async function split(request: TaskRequest, journey: JourneyDefinition, step: Extract<Step, { type: 'split' }>, deps: JourneyTaskDeps): Promise<SplitTaskResult> {
  const variant = assignVariant(request.run.profileId, journey.id, step);
  let assignedNow = false;
  let sticky: string | undefined;
  await changeProfile(deps, request.run.profileId, (profile) => {
    const state = journeyState(profile, journey.id);
    sticky = state.variants?.[step.id];
    assignedNow = sticky === undefined;
    const assigned = sticky !== undefined ? profile : { ...profile, journeys: { ...profile.journeys, [journey.id]: { ...state, variants: { ...state.variants, [step.id]: variant } } } };
    // The run's own record too: conversions are counted per run at the variant it took here.
    const next = recordVariant(assigned, journey.id, request.run.runId, step.id, sticky ?? variant);
    return next === profile ? undefined : next;
  });
  const chosen = sticky ?? variant;
  if (assignedNow) await count(deps, journey.id, step.id, chosen, `assigned:${chosen}`);
  return { variant: chosen };
}

async function waitForEvent(request: TaskRequest, journey: JourneyDefinition, step: Extract<Step, { type: 'waitForEvent' }>, deps: JourneyTaskDeps, now: Date): Promise<Record<string, never>> {
  const { run } = request;
  if (request.taskToken === undefined) throw new UnknownJourneyStepError(journey.id, step.id, 'waitForEvent needs the task token ($$.Task.Token) in the request');
  const keyed = step.matchEntryKey === true && journey.entryKey !== undefined && run.entryKey !== undefined;
  const waiting: WaitingStep = {
    journeyId: journey.id,
    runId: run.runId,
    stepId: step.id,
    event: step.event,
    ...(step.where !== undefined && { where: step.where }),
    ...(keyed && { entryKey: run.entryKey, entryKeyProperty: journey.entryKey }),
    taskToken: request.taskToken,
    until: new Date(now.getTime() + step.timeoutSeconds * 1000).toISOString(),
  };
  await changeProfile(deps, run.profileId, (profile) => ({
    ...profile,
    // A retried task state has a new token: it replaces the old one.
    waiting: [...(profile.waiting ?? []).filter((wait) => !(wait.runId === run.runId && wait.stepId === step.id)), waiting],
  }));
  return {};
}

async function updateProfile(request: TaskRequest, step: Extract<Step, { type: 'updateProfile' }>, deps: JourneyTaskDeps, now: Date): Promise<UpdateProfileTaskResult> {
  const at = now.toISOString();
  const by = `journey:${request.run.runId}:${step.id}`;
  let changes: SegmentTransition[] = [];
  const saved = await changeProfile(deps, request.run.profileId, (profile) => {
    const traits = { ...profile.traits };
    const traitStamps = { ...profile.traitStamps };
    for (const [key, value] of Object.entries(step.traits)) {
      // Own properties only: a trait named like an Object.prototype member must not reach it.
      Object.defineProperty(traits, key, { value, enumerable: true, writable: true, configurable: true });
      Object.defineProperty(traitStamps, key, { value: { at, by }, enumerable: true, writable: true, configurable: true });
    }
    const evaluation = evaluateProfile({ ...profile, traits, traitStamps, updatedAt: at }, deps.config, now);
    changes = transitionsOf(profile.profileId, evaluation);
    return evaluation.profile;
  });
  if (saved !== undefined && changes.length > 0) {
    await deps.store.putEvents(saved.profile.profileId, transitionEvents(saved.profile, changes, saved.version, now), expiryOf(deps.config, now));
  }
  return { entered: changes.filter((c) => c.kind === 'entered').map((c) => c.segmentId), exited: changes.filter((c) => c.kind === 'exited').map((c) => c.segmentId) };
}

async function complete(request: TaskRequest, journey: JourneyDefinition, deps: JourneyTaskDeps): Promise<CompleteTaskResult> {
  const outcome = request.outcome ?? 'completed';
  const at = deps.now().toISOString();
  let recorded = false;
  await changeProfile(deps, request.run.profileId, (profile) => {
    const next = endRun(profile, journey.id, request.run.runId, outcome, at);
    recorded = next !== profile;
    return recorded ? next : undefined;
  });
  if (recorded) await count(deps, journey.id, '*', undefined, outcome);
  return { outcome, recorded };
}

/**
 * Read-modify-write of the live profile with conflict retry; `change` returns undefined for "no
 * change". Resolves to the saved profile and version, or undefined when nothing was written.
 */
async function changeProfile(deps: JourneyTaskDeps, profileId: string, change: (profile: Profile) => Profile | undefined): Promise<{ profile: Profile; version: number } | undefined> {
  return withConflictRetry(deps.maxAttempts, async () => {
    const { stored } = await readLive(deps.store, profileId);
    if (stored === undefined) return undefined;
    const next = change(stored.profile);
    if (next === undefined) return undefined;
    return { profile: next, version: await deps.store.saveProfile(next, stored.version) };
  });
}

async function count(deps: JourneyTaskDeps, journeyId: string, stepId: string, variant: string | undefined, metric: string): Promise<void> {
  const increment: CounterIncrement = { stepId, variant: variant ?? '*', metric, by: 1 };
  await deps.journeyStore.incrementCounters(journeyId, [increment]);
}

function journeyState(profile: Profile, journeyId: string): JourneyState {
  return profile.journeys?.[journeyId] ?? { entries: 0, active: {} };
}

function stepOf<T extends Step['type']>(step: Step, type: T): Extract<Step, { type: T }> {
  if (step.type !== type) throw new UnknownJourneyStepError('?', step.id, `is a ${step.type} step, not ${type}`);
  return step as Extract<Step, { type: T }>;
}
