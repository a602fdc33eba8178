/**
 * The EMF records Powertools Metrics prints: outside POWERTOOLS_DEV it writes one JSON line per
 * flush to process.stdout (its own Console), which these helpers capture and parse.
 */

export interface EmfRecord {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: ReadonlyArray<{ readonly Namespace: string; readonly Dimensions: string[][]; readonly Metrics: ReadonlyArray<{ Name: string; Unit: string }> }>;
  };
  readonly [key: string]: unknown;
}

/**
 * Start capturing stdout; `records()` returns the EMF records printed since, `restore()` stops.
 *
 * @example
 * const emf = captureEmf();
 * await handler(event);
 * expect(emf.records()).toEqual([expect.objectContaining({ EventsIngested: 1 })]);
 */
export function captureEmf(): { records: () => EmfRecord[]; restore: () => void } {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter((line) => line.trim() !== ''));
    return true;
  });
  return {
    records: () =>
      lines.flatMap((line) => {
        try {
          const parsed = JSON.parse(line) as Partial<EmfRecord>;
          return parsed._aws?.CloudWatchMetrics ? [parsed as EmfRecord] : [];
        } catch {
          return [];
        }
      }),
    restore: () => spy.mockRestore(),
  };
}

/** Namespace, dimension sets and metric name -> unit of one record: what CloudWatch makes of it. */
export function describeEmf(record: EmfRecord): { namespace: string; dimensions: string[][]; units: Record<string, string> } {
  const [directive] = record._aws.CloudWatchMetrics;
  return {
    namespace: directive.Namespace,
    dimensions: directive.Dimensions,
    units: Object.fromEntries(directive.Metrics.map((m) => [m.Name, m.Unit])),
  };
}
