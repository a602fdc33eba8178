/**
 * Pacing of journey starts: a large segment entry is queued and started at a steady rate that
 * stays under Step Functions' StartExecution quota (about 300/s sustained by default), instead of
 * all at once. Pure: the starter's rate limiter and the benchmark's estimates both use it.
 */

export interface PacingOptions {
  /** Starts per second one starter instance allows itself (`START_RATE_PER_SECOND`). @default 50 */
  readonly ratePerSecond?: number;
  /** Starter instances running at once (the event source's maxConcurrency). @default 2 */
  readonly concurrency?: number;
  /** The account's StartExecution quota per second; the fleet never goes above it. @default 300 */
  readonly quotaPerSecond?: number;
}

export interface PacingPlan {
  /** Starts per second across the fleet. */
  readonly ratePerSecond: number;
  /** Seconds from the first start to the last. */
  readonly seconds: number;
  /** When the last run starts, counted from `startAt`. */
  readonly finishesAt: Date;
  /** Seconds after `startAt` at which start `index` (0-based) goes out. */
  offsetOf(index: number): number;
}

/**
 * How long `starts` runs take to start with the given fleet, and when each one does.
 *
 * @example
 * const plan = paceStarts(1_000_000, { ratePerSecond: 50, concurrency: 5 }, new Date('2026-11-05T00:00:00Z'));
 * plan.ratePerSecond; // 250
 * plan.seconds; // 4000 (about 67 minutes)
 */
export function paceStarts(starts: number, options: PacingOptions = {}, startAt: Date = new Date(0)): PacingPlan {
  const perInstance = options.ratePerSecond ?? 50;
  const concurrency = options.concurrency ?? 2;
  const quota = options.quotaPerSecond ?? 300;
  if (!(perInstance > 0) || !(concurrency >= 1) || !(quota > 0)) {
    throw new RangeError(`paceStarts: ratePerSecond (${perInstance}), concurrency (${concurrency}) and quotaPerSecond (${quota}) must be positive`);
  }
  const ratePerSecond = Math.min(perInstance * Math.floor(concurrency), quota);
  const seconds = starts <= 1 ? 0 : (starts - 1) / ratePerSecond;
  return {
    ratePerSecond,
    seconds,
    finishesAt: new Date(startAt.getTime() + seconds * 1000),
    offsetOf: (index: number) => index / ratePerSecond,
  };
}

/**
 * A token bucket with explicit time: `ratePerSecond` tokens a second, at most `burst` saved up.
 * The starter keeps one per function instance.
 *
 * @example
 * const bucket = new TokenBucket(50, 50, Date.now());
 * const wait = bucket.take(Date.now()); // 0: go now; > 0: milliseconds until a token is free
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  public constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    nowMs: number,
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new RangeError(`TokenBucket: ratePerSecond (${ratePerSecond}) must be > 0 and burst (${burst}) >= 1`);
    this.tokens = burst;
    this.last = nowMs;
  }

  /**
   * Take a token if one is free (returns 0), else take nothing and return the milliseconds until
   * one will be.
   */
  public take(nowMs: number): number {
    this.refill(nowMs);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
  }

  private refill(nowMs: number): void {
    const elapsed = Math.max(0, nowMs - this.last);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed / 1000) * this.ratePerSecond);
    this.last = Math.max(this.last, nowMs);
  }
}
