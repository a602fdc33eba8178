import type { TokenBucket } from '../core/journeys/pacing';
import type { JourneyRunner, StartRequest } from '../core/ports';

export interface StartRunsDeps {
  readonly runner: JourneyRunner;
  /** This instance's rate limit. */
  readonly bucket: TokenBucket;
  /** Milliseconds now (the limiter's clock). */
  readonly nowMs: () => number;
  /** How long a start may wait for a token before it is handed back to the queue. @default 2000 */
  readonly maxWaitMs?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface StartOutcome {
  /** The queue item's id (SQS messageId). */
  readonly id: string;
  readonly status: 'started' | 'throttled' | 'failed';
  /** Error name when not started. */
  readonly error?: string;
}

/** StartExecution errors that mean "later", not "never". */
const THROTTLED = new Set(['ThrottlingException', 'ExecutionLimitExceeded', 'TooManyRequestsException', 'ServiceUnavailable', 'ServiceUnavailableException']);

/**
 * Start queued journey runs at this instance's pace: each start takes a token (waiting a little
 * when none is free); a start that would wait longer than `maxWaitMs`, or that Step Functions
 * throttles, is `throttled` and goes back to the queue (a batch item failure) to be retried after
 * the visibility timeout. Starts run one after another: pacing, not throughput, is the point.
 *
 * @example
 * const outcomes = await startRuns(records.map((r) => ({ id: r.messageId, request: JSON.parse(r.body) })), { runner, bucket, nowMs: Date.now });
 * const batchItemFailures = outcomes.filter((o) => o.status !== 'started').map((o) => ({ itemIdentifier: o.id }));
 */
export async function startRuns(items: readonly { id: string; request: StartRequest }[], deps: StartRunsDeps): Promise<StartOutcome[]> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxWait = deps.maxWaitMs ?? 2000;
  const outcomes: StartOutcome[] = [];
  for (const { id, request } of items) {
    let wait = deps.bucket.take(deps.nowMs());
    if (wait > 0 && wait <= maxWait) {
      await sleep(wait);
      wait = deps.bucket.take(deps.nowMs());
    }
    if (wait > 0) {
      outcomes.push({ id, status: 'throttled', error: 'RateLimited' });
      continue;
    }
    try {
      await deps.runner.start(request);
      outcomes.push({ id, status: 'started' });
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      outcomes.push({ id, status: THROTTLED.has(name) ? 'throttled' : 'failed', error: name });
    }
  }
  return outcomes;
}
