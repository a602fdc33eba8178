import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { indonesiaConfig } from '../examples/indonesia';
import { QUICK, median, report, round } from './support';

/**
 * Functions bench: each `lambdas/*.ts` bundled with esbuild's JS API exactly as the CDK's
 * NodejsFunction bundles it for EngineFunction (bundle, platform node, target node24, CJS, minify,
 * source map without sources content, nothing external: the AWS SDK is bundled, and
 * `process.env.ENGINE_CONFIG` defined as the example configuration), then:
 * - sizes: the minified bundle, gzipped (what the deployment zip roughly carries), and the source
 *   map the zip also carries;
 * - the inputs and packages that make it up (esbuild metafile), for bundles over the target;
 * - cold module initialisation: a fresh `node` process requires the bundle with the environment
 *   the function gets, and measures `require` with performance.now(); the median of N runs, with
 *   and without `--enable-source-maps` (EngineFunction sets it in NODE_OPTIONS on Lambda).
 */

const ROOT = join(__dirname, '..');
const RUNS = QUICK ? 3 : 7;
const TARGET_BYTES = 300 * 1024;
const TARGET_INIT_MS = 100;

export interface FunctionResult {
  readonly name: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly sourceMapBytes: number;
  readonly initMs: { median: number; runs: number[] };
  readonly initMsWithSourceMaps: { median: number; runs: number[] };
  readonly underSizeTarget: boolean;
  readonly underInitTarget: boolean;
  /** The 10 largest inputs (bytes in the output). */
  readonly topInputs: { input: string; bytes: number }[];
  /** Bytes in the output by npm package (or `(engine)` for this repository's code). */
  readonly byPackage: { package: string; bytes: number }[];
}

const ENV: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  TABLE_NAME: 'profiles',
  QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/events',
  START_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/starts',
  STATE_MACHINE_ARN_PREFIX: 'arn:aws:states:us-east-1:000000000000:stateMachine:',
  START_RATE_PER_SECOND: '20',
  POWERTOOLS_SERVICE_NAME: 'bench',
  POWERTOOLS_METRICS_NAMESPACE: 'JourneyEngine',
  LOG_LEVEL: 'INFO',
};

async function main(): Promise<void> {
  const out = join(tmpdir(), `journey-engine-bench-${process.pid}`);
  const entries = readdirSync(join(ROOT, 'lambdas')).filter((f) => f.endsWith('.ts')).sort();
  const functions: FunctionResult[] = [];
  for (const file of entries) {
    const name = basename(file, '.ts');
    const outdir = join(out, name);
    mkdirSync(outdir, { recursive: true });
    const outfile = join(outdir, 'index.js');
    const result = await build({
      entryPoints: [join(ROOT, 'lambdas', file)],
      bundle: true,
      platform: 'node',
      target: 'node24',
      format: 'cjs',
      outfile,
      minify: true,
      sourcemap: true,
      sourcesContent: false,
      external: [],
      define: { 'process.env.ENGINE_CONFIG': JSON.stringify(JSON.stringify(indonesiaConfig)) },
      metafile: true,
      logLevel: 'silent',
      absWorkingDir: ROOT,
    });
    const code = readFileSync(outfile);
    const initMs = coldInit(outfile, false);
    const initMsWithSourceMaps = coldInit(outfile, true);
    const { topInputs, byPackage } = breakdown(result.metafile, relative(ROOT, outfile));
    functions.push({
      name,
      bytes: code.length,
      gzipBytes: gzipSync(code, { level: 9 }).length,
      sourceMapBytes: statSync(`${outfile}.map`).size,
      initMs,
      initMsWithSourceMaps,
      underSizeTarget: code.length < TARGET_BYTES,
      underInitTarget: initMs.median < TARGET_INIT_MS,
      topInputs,
      byPackage,
    });
    process.stderr.write(`  function ${name}: ${Math.round(code.length / 1024)} KB, init ${initMs.median} ms\n`);
  }
  const probes = await initProbes(out);
  rmSync(out, { recursive: true, force: true });
  report({ node: process.version, runsPerFunction: RUNS, targetBytes: TARGET_BYTES, targetInitMs: TARGET_INIT_MS, functions, probes });
}

/**
 * Where the init time goes: the same bundling and measurement for a few single dependencies, each
 * constructed as the handlers construct it.
 */
const PROBES: Record<string, string> = {
  'empty bundle (Node start-up of require)': `export {};`,
  'zod (import + one schema)': `import { z } from 'zod'; (globalThis as any).probe = z.object({ a: z.string() });`,
  'DynamoDB client + document client': `import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'; (globalThis as any).probe = DynamoDBDocumentClient.from(new DynamoDBClient({}));`,
  'Powertools logger + metrics': `import { Logger } from '@aws-lambda-powertools/logger'; import { Metrics } from '@aws-lambda-powertools/metrics'; (globalThis as any).probe = [new Logger({ serviceName: 'x' }), new Metrics({ namespace: 'x', serviceName: 'x' })];`,
  'loadEngineConfig (schemas + validating the example config)': `import { loadEngineConfig } from ${JSON.stringify(join(ROOT, 'lib/app/engine-config'))}; (globalThis as any).probe = loadEngineConfig(process.env.ENGINE_CONFIG);`,
};

async function initProbes(out: string): Promise<{ probe: string; bytes: number; initMs: number }[]> {
  const results = [];
  let n = 0;
  for (const [probe, source] of Object.entries(PROBES)) {
    const dir = join(out, `probe-${++n}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'entry.ts'), source);
    const outfile = join(dir, 'index.js');
    await build({
      entryPoints: [join(dir, 'entry.ts')], bundle: true, platform: 'node', target: 'node24', format: 'cjs', outfile, minify: true,
      sourcemap: true, sourcesContent: false, external: [], nodePaths: [join(ROOT, 'node_modules')], logLevel: 'silent', absWorkingDir: ROOT,
      define: { 'process.env.ENGINE_CONFIG': JSON.stringify(JSON.stringify(indonesiaConfig)) },
    });
    results.push({ probe, bytes: statSync(outfile).size, initMs: coldInit(outfile, false).median });
  }
  return results;
}

/** Median time to `require` the bundle in a fresh Node process (module initialisation only). */
function coldInit(bundle: string, sourceMaps: boolean): { median: number; runs: number[] } {
  const script = `const { performance } = require('node:perf_hooks'); const t = performance.now(); require(${JSON.stringify(bundle)}); process.stdout.write(String(performance.now() - t));`;
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const child = spawnSync(process.execPath, ['-e', script], {
      env: { PATH: process.env.PATH ?? '', ...ENV, ...(sourceMaps && { NODE_OPTIONS: '--enable-source-maps' }) },
      encoding: 'utf8',
    });
    if (child.status !== 0) throw new Error(`requiring ${bundle} failed: ${child.stderr}`);
    runs.push(round(Number(child.stdout.trim()), 1));
  }
  return { median: median(runs), runs };
}

function breakdown(metafile: Metafile, output: string): Pick<FunctionResult, 'topInputs' | 'byPackage'> {
  const inputs = Object.entries(metafile.outputs[output]?.inputs ?? {}).map(([input, info]) => ({ input, bytes: info.bytesInOutput }));
  const packages = new Map<string, number>();
  for (const { input, bytes } of inputs) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const name = match ? match[1] : '(engine)';
    packages.set(name, (packages.get(name) ?? 0) + bytes);
  }
  return {
    topInputs: inputs.sort((a, b) => b.bytes - a.bytes).slice(0, 10),
    byPackage: [...packages].map(([name, bytes]) => ({ package: name, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, 12),
  };
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
