import { TransientSendError, type ChannelResult } from '../core/messaging/message';

/**
 * The retry loop the channel senders share: a provider call that fails transiently (throttling, a
 * 5xx) is tried again a few times with full-jitter backoff, then reported as a
 * {@link TransientSendError} so Step Functions retries the step later. A permanent failure is never
 * retried: the sender maps it to a `rejected` result.
 */

export interface RetryOptions {
  /** Attempts, the first included. @default 3 */
  readonly maxAttempts?: number;
  /** Backoff before retry n is a random time up to `baseDelayMs * 2^(n-1)` (full jitter). @default 100 */
  readonly baseDelayMs?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
}

/** What one attempt came to: done with a value, or worth another try (with the error to report). */
export type Attempt<T> = { readonly done: T } | { readonly retry: unknown };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Run `attempt` until it is done or the attempts are used up.
 *
 * @example
 * return withRetry('SES SendEmail', options, async () => ({ done: await client.send(command) }));
 */
export async function withRetry<T>(what: string, options: RetryOptions, attempt: () => Promise<Attempt<T>>): Promise<T> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const baseDelayMs = options.baseDelayMs ?? 100;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  let last: unknown;
  for (let n = 1; n <= maxAttempts; n += 1) {
    if (n > 1) await sleep(Math.floor(random() * baseDelayMs * 2 ** (n - 2)));
    const result = await attempt();
    if ('done' in result) return result.done;
    last = result.retry;
  }
  const detail = last instanceof Error ? `${last.name}: ${last.message}` : String(last);
  throw new TransientSendError(`${what} still failing after ${maxAttempts} attempts (${detail})`, { cause: last });
}

/**
 * Whether an AWS SDK error is throttling or a server fault: worth retrying.
 *
 * @example
 * isTransientAwsError(new TooManyRequestsException({ message: 'slow down', $metadata: {} })); // true
 */
export function isTransientAwsError(error: unknown, transientNames: readonly string[]): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: string; $fault?: string; $metadata?: { httpStatusCode?: number }; $retryable?: { throttling?: boolean } };
  return (
    transientNames.includes(e.name ?? '') ||
    e.$fault === 'server' ||
    (e.$metadata?.httpStatusCode ?? 0) >= 500 ||
    e.$retryable?.throttling === true ||
    /throttl/i.test(e.name ?? '')
  );
}

/** `Name: message` of an error, for a rejection reason (never includes the request). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const reason = (error as { Reason?: string }).Reason;
  return `${error.name}${reason ? ` (${reason})` : ''}: ${error.message}`;
}

/** How a provider's errors divide into worth-retrying and permanent (by exception name). */
export interface ProviderErrors {
  readonly transient: readonly string[];
  readonly permanent: readonly string[];
}

/**
 * One provider call that returns a message id, with the shared retry and error mapping: accepted,
 * rejected (permanent, never retried), or {@link TransientSendError} once retries are used up. An
 * error of neither kind is thrown as it is (a bug or a misconfiguration, not the customer's fault).
 *
 * @example
 * return sendWithRetry('SES SendEmail', options, { transient: ['TooManyRequestsException'], permanent: ['MessageRejected'] }, () => client.send(command));
 */
export function sendWithRetry(
  what: string,
  options: RetryOptions,
  errors: ProviderErrors,
  call: () => Promise<{ readonly MessageId?: string }>,
): Promise<ChannelResult> {
  return withRetry<ChannelResult>(what, options, async () => {
    try {
      const output = await call();
      return { done: { status: 'accepted', providerMessageId: output.MessageId ?? '' } };
    } catch (error) {
      if (isTransientAwsError(error, errors.transient)) return { retry: error };
      if (errors.permanent.includes((error as Error).name)) return { done: { status: 'rejected', reason: describeError(error) } };
      throw error;
    }
  });
}
