import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/**
 * Small helpers every bench section shares: timing (wall and CPU), medians, and handing a
 * section's result back to `bench/run.ts` (each section runs in its own Node process, so that
 * handler modules, their module-scope clients and the local runtime's one-configuration rule never
 * leak from one section into the next).
 */

export interface Measured<T> {
  readonly value: T;
  readonly wallMs: number;
  /** User + system CPU of this process (dynalite included when it runs in-process). */
  readonly cpuMs: number;
}

/**
 * Run `fn` once, measuring wall time and process CPU time around it.
 *
 * @example
 * const { wallMs, cpuMs } = await measure(() => ingestAll(requests));
 */
export async function measure<T>(fn: () => Promise<T>): Promise<Measured<T>> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = await fn();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { value, wallMs, cpuMs: (used.user + used.system) / 1000 };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Where a section writes its JSON result (set by run.ts); stdout when run on its own. */
export function report(result: unknown): void {
  const json = JSON.stringify(result, null, 2);
  if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, json);
  else process.stderr.write(`${json}\n`);
}

/** Scale factor for quick trial runs: `BENCH_QUICK=1` shrinks every workload. */
export const QUICK = process.env.BENCH_QUICK === '1';

/** CPU seconds (user + system) a Linux process has used so far, from /proc; undefined elsewhere. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}
