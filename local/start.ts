import { resolve } from 'node:path';
import { indonesiaConfig } from '../examples/indonesia';
import { DEFAULT_PORT, startLocalRuntime } from './runtime';
import { DEFAULT_TIME_FACTOR } from './virtual-clock';

/**
 * `npm start`: the engine on this machine, with the example configuration. Data is kept in
 * `.local-data/` (git-ignored) between runs; `DATA_DIR=` (empty) keeps it in memory instead.
 * Time is accelerated: `TIME_FACTOR` (default 60) virtual seconds pass per real second, so a
 * journey's one-hour wait takes a minute; `TIME_FACTOR=1` runs in real time. Journey runs and the
 * outbox live in memory: a restart forgets them.
 */
async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? DEFAULT_PORT);
  const dataDir = process.env.DATA_DIR === undefined ? resolve('.local-data') : process.env.DATA_DIR || undefined;
  const timeFactor = Number(process.env.TIME_FACTOR || DEFAULT_TIME_FACTOR);
  if (!(timeFactor > 0)) throw new Error(`TIME_FACTOR must be a positive number, got "${process.env.TIME_FACTOR}"`);
  const runtime = await startLocalRuntime({
    config: indonesiaConfig,
    port,
    dataDir,
    writeKey: process.env.LOCAL_WRITE_KEY || undefined,
    adminKey: process.env.LOCAL_ADMIN_KEY || undefined,
    clock: 'accelerated',
    timeFactor,
  });
  const url = `http://localhost:${runtime.port}`;
  const perMinute = (timeFactor / 60).toLocaleString('en', { maximumFractionDigits: 2 });
  process.stdout.write(
    [
      `journey-engine local runtime on ${url}`,
      `  data:       ${dataDir ?? 'in memory'} (journey runs and the outbox: in memory)`,
      `  time:       x${timeFactor} (TIME_FACTOR): ${perMinute} virtual hour(s) per real minute, from ${runtime.clock.now().toISOString()}`,
      `  segments:   ${indonesiaConfig.segments.map((s) => s.id).join(', ')}`,
      `  journeys:   ${(indonesiaConfig.journeys ?? []).map((j) => j.id).join(', ') || 'none'}`,
      `  outbox:     ${url}/local/outbox   (or: npm run cli -- outbox [--channel email] [--url ${url}])`,
      `  write key:  ${runtime.writeKey}   (HTTP Basic user name, or Authorization: Bearer)`,
      `  admin key:  ${runtime.adminKey}   (Authorization: Bearer, on /admin/*)`,
      '',
      'Try:',
      `  curl -u ${runtime.writeKey}: ${url}/v1/track -H 'content-type: application/json' \\`,
      `    -d '{"userId":"u-1","event":"Order Completed","properties":{"revenue":150000}}'`,
      `  curl -H 'authorization: Bearer ${runtime.adminKey}' '${url}/admin/profiles?userId=u-1'`,
      '',
    ].join('\n'),
  );
  const stop = () => {
    void runtime.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
