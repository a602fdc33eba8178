/**
 * Testing entry point: the journey test harness for your own jest tests. It runs the whole engine
 * in the test process (the local runtime on a manual clock, in memory) and needs no AWS account.
 *
 * @example
 * import { JourneyHarness } from 'journey-engine/lib/testing';
 * const h = await JourneyHarness.start({ config: myConfig, startAt: '2026-11-23T01:00:00Z' });
 */
export { JourneyHarness, type JourneyHarnessOptions, type RunSummary, type SentFilter } from '../local/harness';
export type { OutboxMessage } from '../local/outbox';
export type { TaskFault } from '../local/runtime';
export type { ProviderFault } from '../local/messaging-endpoints';
export { parseDuration } from '../local/virtual-clock';
