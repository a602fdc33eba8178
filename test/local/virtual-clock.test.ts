import { DEFAULT_TIME_FACTOR, parseDuration, VirtualClock } from '../../local/virtual-clock';

const START = '2026-11-23T01:00:00.000Z';
const at = (iso: string) => new Date(iso);

describe('VirtualClock', () => {
  describe('manual mode', () => {
    it('stands still until advanced', async () => {
      // Prepare
      const clock = new VirtualClock({ mode: 'manual', startAt: START });

      // Act
      await new Promise((resolve) => setTimeout(resolve, 20));

      // Assess
      expect(clock.now().toISOString()).toBe(START);
    });

    it('fires due timers in time order (ties in the order set), each at its own instant, and stops at the target', async () => {
      // Prepare
      const clock = new VirtualClock({ mode: 'manual', startAt: START });
      const fired: string[] = [];
      const record = (label: string) => () => void fired.push(`${label}@${clock.now().toISOString()}`);
      clock.setTimer(at('2026-11-23T03:00:00Z'), record('c'));
      clock.setTimer(at('2026-11-23T02:00:00Z'), record('a'));
      clock.setTimer(at('2026-11-23T02:00:00Z'), record('b'));
      clock.setTimer(at('2026-11-23T05:00:00Z'), record('late'));

      // Act
      await clock.advance('3h');

      // Assess
      expect(fired).toEqual(['a@2026-11-23T02:00:00.000Z', 'b@2026-11-23T02:00:00.000Z', 'c@2026-11-23T03:00:00.000Z']);
      expect(clock.now().toISOString()).toBe('2026-11-23T04:00:00.000Z');
      expect(clock.pendingTimers).toBe(1);
    });

    it('awaits the work a timer triggers, and runs timers that work sets within the same advance', async () => {
      // Prepare: a chain of "waits" each set by the previous one's work, after async work.
      const clock = new VirtualClock({ mode: 'manual', startAt: START });
      const steps: string[] = [];
      const step = (n: number) => async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        steps.push(`${n}@${clock.now().toISOString().slice(11, 16)}`);
        if (n < 3) clock.setTimer(new Date(clock.nowMs() + 30 * 60_000), step(n + 1));
      };
      clock.setTimer(at('2026-11-23T01:30:00Z'), step(1));

      // Act
      await clock.advance('2h');

      // Assess
      expect(steps).toEqual(['1@01:30', '2@02:00', '3@02:30']);
    });

    it('awaits settle() after each timer and at the end', async () => {
      // Prepare
      const calls: string[] = [];
      const clock = new VirtualClock({ mode: 'manual', startAt: START, settle: async () => void calls.push(`settle@${clock.now().toISOString().slice(11, 16)}`) });
      clock.setTimer(at('2026-11-23T02:00:00Z'), () => void calls.push('timer'));

      // Act
      await clock.advanceTo('2026-11-23T03:00:00Z');

      // Assess
      expect(calls).toEqual(['settle@01:00', 'timer', 'settle@02:00', 'settle@03:00']);
    });

    it('does not fire cancelled timers, and sleepUntil rejects when aborted', async () => {
      // Prepare
      const clock = new VirtualClock({ mode: 'manual', startAt: START });
      const fired: string[] = [];
      const id = clock.setTimer(at('2026-11-23T02:00:00Z'), () => void fired.push('cancelled'));
      const controller = new AbortController();
      const sleeping = expect(clock.sleepUntil(at('2026-11-23T02:00:00Z'), controller.signal)).rejects.toThrow('stopped');

      // Act
      clock.cancel(id);
      controller.abort(new Error('stopped'));
      await clock.advance('2h');

      // Assess
      await sleeping;
      expect(fired).toEqual([]);
      expect(clock.pendingTimers).toBe(0);
    });

    it('fires a timer set in the past at once, without an advance', async () => {
      // Prepare
      const clock = new VirtualClock({ mode: 'manual', startAt: START });

      // Act
      const woke = clock.sleepUntil(at('2026-11-22T00:00:00Z'));

      // Assess
      await expect(woke).resolves.toBeUndefined();
    });

    it('runs consecutive advances one after the other', async () => {
      // Prepare
      const clock = new VirtualClock({ mode: 'manual', startAt: START });

      // Act
      await Promise.all([clock.advance('1h'), clock.advance('1h')]);

      // Assess
      expect(clock.now().toISOString()).toBe('2026-11-23T03:00:00.000Z');
    });
  });

  describe('accelerated mode', () => {
    it(`runs ${DEFAULT_TIME_FACTOR} times faster than real time by default`, async () => {
      // Prepare
      const clock = new VirtualClock({ mode: 'accelerated', startAt: START });
      const realStart = Date.now();

      // Act
      await new Promise((resolve) => setTimeout(resolve, 100));

      // Assess: about 100 ms x 60 = 6 s of virtual time.
      const virtualElapsed = clock.nowMs() - Date.parse(START);
      const realElapsed = Date.now() - realStart;
      expect(virtualElapsed).toBeGreaterThanOrEqual(realElapsed * DEFAULT_TIME_FACTOR - 100);
      expect(virtualElapsed).toBeLessThanOrEqual((realElapsed + 20) * DEFAULT_TIME_FACTOR);
      clock.close();
    });

    it('fires a timer at its virtual instant in scaled real time, and a year-long timer does not overflow setTimeout', async () => {
      // Prepare: one virtual hour at 36,000x is 100 ms.
      const clock = new VirtualClock({ mode: 'accelerated', startAt: START, factor: 36_000 });
      const fired: number[] = [];
      clock.setTimer(new Date(Date.parse(START) + 3_600_000), () => void fired.push(clock.nowMs()));
      clock.setTimer(new Date(Date.parse(START) + 365 * 86_400_000), () => void fired.push(-1));

      // Act
      await new Promise((resolve) => setTimeout(resolve, 250));

      // Assess
      expect(fired).toHaveLength(1);
      expect(fired[0]).toBeGreaterThanOrEqual(Date.parse(START) + 3_600_000);
      expect(clock.pendingTimers).toBe(1);
      clock.close();
    });

    it('jumps ahead with advance, firing what is due', async () => {
      // Prepare
      const clock = new VirtualClock({ mode: 'accelerated', startAt: START, factor: 1 });
      const fired: string[] = [];
      clock.setTimer(at('2026-11-24T01:00:00Z'), () => void fired.push('day'));

      // Act
      await clock.advance('1d');

      // Assess
      expect(fired).toEqual(['day']);
      expect(clock.nowMs()).toBeGreaterThanOrEqual(Date.parse('2026-11-24T01:00:00Z'));
      clock.close();
    });
  });

  it('parses durations', () => {
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1d12h')).toBe(129_600_000);
    expect(parseDuration('90m')).toBe(5_400_000);
    expect(parseDuration('250')).toBe(250);
    expect(() => parseDuration('soon')).toThrow('not a duration');
  });
});
