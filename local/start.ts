import { resolve } from 'node:path';
import { indonesiaConfig } from '../examples/indonesia';
import { DEFAULT_PORT, startLocalRuntime } from './runtime';

/**
 * `npm start`: the engine on this machine, with the example configuration. Data is kept in
 * `.local-data/` (git-ignored) between runs; `DATA_DIR=` (empty) keeps it in memory instead.
 */
async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? DEFAULT_PORT);
  const dataDir = process.env.DATA_DIR === undefined ? resolve('.local-data') : process.env.DATA_DIR || undefined;
  const runtime = await startLocalRuntime({
    config: indonesiaConfig,
    port,
    dataDir,
    writeKey: process.env.LOCAL_WRITE_KEY || undefined,
    adminKey: process.env.LOCAL_ADMIN_KEY || undefined,
  });
  const url = `http://localhost:${runtime.port}`;
  process.stdout.write(
    [
      `journey-engine local runtime on ${url}`,
      `  data:       ${dataDir ?? 'in memory'}`,
      `  segments:   ${indonesiaConfig.segments.map((s) => s.id).join(', ')}`,
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
