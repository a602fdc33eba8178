import type { Clock } from '../lib/app/clock';

/** Virtual time runs this many times faster than real time by default: one hour passes in one minute. */
export const DEFAULT_TIME_FACTOR = 60;
/** The longest delay `setTimeout` accepts (about 24.8 days); longer delays are re-armed in steps. */
const MAX_REAL_DELAY_MS = 2 ** 31 - 1;

export type TimerId = number;
/** The work a timer does; a returned promise is awaited by `advance` before time moves on. */
export type TimerCallback = () => unknown;

export interface VirtualClockProps {
  /**
   * `accelerated`: time runs `factor` times faster than real time from `startAt`.
   * `manual`: time stands still until `advance` / `advanceTo` moves it (tests).
   */
  readonly mode: 'accelerated' | 'manual';
  /** The virtual instant the clock starts at. @default the real current time */
  readonly startAt?: Date | string;
  /** Accelerated mode only. @default DEFAULT_TIME_FACTOR (60) */
  readonly factor?: number;
  /**
   * Awaited after each timer fires during `advance`, and once at the end: resolves when the work
   * the timer set off (state machine steps, queued events, sends) has finished. The local runtime
   * passes its `drain`. @default one turn of the event loop
   */
  readonly settle?: () => Promise<void>;
}

interface Timer {
  readonly id: TimerId;
  readonly at: number;
  readonly fn: TimerCallback;
}

/**
 * The clock of local mode and of the journey test harness, read by every handler through
 * `useClock`. Timers are set on virtual instants (`setTimer(at, fn)`), so a Step Functions Wait of
 * a week, a waitForEvent timeout or a quiet-hours deferral all run on this clock: minutes of real
 * time when accelerated, no real waiting at all when moved by hand.
 *
 * In manual mode `advance` fires every timer due on the way in time order (ties in the order they
 * were set), sets `now()` to each timer's instant while it runs, and awaits the timer's work and
 * `settle()` before moving on, so a test reads the same result every run.
 *
 * @example
 * const clock = new VirtualClock({ mode: 'manual', startAt: '2026-11-23T01:00:00Z' });
 * clock.setTimer(new Date('2026-11-23T02:00:00Z'), () => console.log(clock.now().toISOString()));
 * await clock.advance(60 * 60 * 1000); // logs 2026-11-23T02:00:00.000Z
 */
export class VirtualClock implements Clock {
  public readonly mode: 'accelerated' | 'manual';
  public readonly factor: number;
  private readonly timers: Timer[] = [];
  private nextId = 1;
  /** Manual: the virtual time. Accelerated: virtual time at `realAnchor`. */
  private virtualAnchor: number;
  private realAnchor = Date.now();
  private realTimer: NodeJS.Timeout | undefined;
  private settle: () => Promise<void>;
  private advancing: Promise<void> = Promise.resolve();
  private closed = false;

  public constructor(props: VirtualClockProps) {
    this.mode = props.mode;
    this.factor = props.factor ?? DEFAULT_TIME_FACTOR;
    if (!(this.factor > 0)) throw new Error(`time factor must be a positive number, got ${props.factor}`);
    const start = props.startAt === undefined ? Date.now() : new Date(props.startAt).getTime();
    if (Number.isNaN(start)) throw new Error(`startAt is not a date: ${String(props.startAt)}`);
    this.virtualAnchor = start;
    this.settle = props.settle ?? (() => new Promise<void>((resolve) => setImmediate(resolve)));
  }

  /** Replace the settle function (the runtime wires its `drain` once it exists). */
  public settleWith(settle: () => Promise<void>): void {
    this.settle = settle;
  }

  public now(): Date {
    return new Date(this.nowMs());
  }

  public nowMs(): number {
    if (this.mode === 'manual') return this.virtualAnchor;
    return this.virtualAnchor + (Date.now() - this.realAnchor) * this.factor;
  }

  /** Run `fn` when virtual time reaches `at` (at once, asynchronously, if it has already passed). */
  public setTimer(at: Date, fn: TimerCallback): TimerId {
    const timer: Timer = { id: this.nextId++, at: at.getTime(), fn };
    // Stable insertion: after every timer due at the same instant or earlier.
    const index = this.timers.findIndex((t) => t.at > timer.at);
    this.timers.splice(index === -1 ? this.timers.length : index, 0, timer);
    this.arm();
    return timer.id;
  }

  public cancel(id: TimerId): void {
    const index = this.timers.findIndex((t) => t.id === id);
    if (index >= 0) this.timers.splice(index, 1);
    this.arm();
  }

  /**
   * Resolve when virtual time reaches `at`; rejects with the signal's reason if aborted first.
   *
   * @example
   * await clock.sleepUntil(new Date(clock.nowMs() + 3_600_000));
   */
  public sleepUntil(at: Date, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const id = this.setTimer(at, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      const onAbort = () => {
        this.cancel(id);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Timers not yet fired. */
  public get pendingTimers(): number {
    return this.timers.length;
  }

  /** The instant of the next timer, if any. */
  public get nextTimerAt(): Date | undefined {
    return this.timers.length > 0 ? new Date(this.timers[0].at) : undefined;
  }

  /**
   * Move time forward by `ms` (or a duration such as `'90m'`, `'1h'`, `'3d'`), firing every timer
   * due on the way. In accelerated mode this jumps ahead; time then keeps running.
   *
   * @example
   * await clock.advance('1h');
   */
  public advance(by: number | string): Promise<void> {
    const ms = typeof by === 'number' ? by : parseDuration(by);
    if (ms < 0) throw new Error(`cannot move time backwards (${by})`);
    return this.enqueueAdvance(() => this.nowMs() + ms);
  }

  /** Move time forward to `date` (no-op if it has passed), firing every timer due on the way. */
  public advanceTo(date: Date | string): Promise<void> {
    const target = new Date(date).getTime();
    if (Number.isNaN(target)) throw new Error(`not a date: ${String(date)}`);
    return this.enqueueAdvance(() => target);
  }

  /** Stop the real timer of accelerated mode and forget every timer. */
  public close(): void {
    this.closed = true;
    this.timers.length = 0;
    if (this.realTimer) clearTimeout(this.realTimer);
    this.realTimer = undefined;
  }

  // Advances run one after the other: a second `advance` starts where the first one ended.
  private enqueueAdvance(target: () => number): Promise<void> {
    const run = this.advancing.then(() => this.runUntil(target()));
    this.advancing = run.catch(() => undefined);
    return run;
  }

  private async runUntil(target: number): Promise<void> {
    await this.settle();
    for (;;) {
      const next = this.timers[0];
      if (!next || next.at > target || this.closed) break;
      this.timers.shift();
      this.jumpTo(Math.max(next.at, this.nowMs()));
      await next.fn();
      await this.settle();
    }
    this.jumpTo(Math.max(target, this.nowMs()));
    this.arm();
    await this.settle();
  }

  private jumpTo(virtual: number): void {
    this.virtualAnchor = virtual;
    this.realAnchor = Date.now();
  }

  /** Keep one real timer for the earliest virtual timer (accelerated), or for overdue ones (manual). */
  private arm(): void {
    if (this.realTimer) clearTimeout(this.realTimer);
    this.realTimer = undefined;
    const next = this.timers[0];
    if (!next || this.closed) return;
    const overdue = next.at <= this.nowMs();
    if (this.mode === 'manual' && !overdue) return;
    const delay = overdue ? 0 : Math.min(Math.ceil((next.at - this.nowMs()) / this.factor), MAX_REAL_DELAY_MS);
    this.realTimer = setTimeout(() => this.fireDue(), delay);
  }

  private fireDue(): void {
    this.realTimer = undefined;
    const now = this.nowMs();
    while (this.timers.length > 0 && this.timers[0].at <= now) {
      const timer = this.timers.shift() as Timer;
      try {
        void Promise.resolve(timer.fn()).catch(() => undefined);
      } catch {
        // A timer's failure is its owner's business; the clock keeps going.
      }
    }
    this.arm();
  }
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Milliseconds in a duration such as `'500ms'`, `'30s'`, `'15m'`, `'1h'`, `'3d'`, `'2w'` or
 * `'1d12h'`; a plain number string is milliseconds.
 *
 * @example
 * parseDuration('1h30m'); // 5_400_000
 */
export function parseDuration(text: string): number {
  const compact = text.replace(/\s+/g, '');
  if (/^\d+$/.test(compact)) return Number(compact);
  const parts = [...compact.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== compact) {
    throw new Error(`not a duration: "${text}" (use e.g. 500ms, 30s, 15m, 1h, 3d, 2w, 1d12h)`);
  }
  return parts.reduce((total, [, amount, unit]) => total + Number(amount) * UNITS[unit], 0);
}
