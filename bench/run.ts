import { execSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { PRICES } from './prices';
import { QUICK, round } from './support';

/**
 * `npm run bench`: runs every bench section in its own Node process (ingest in memory and on
 * dynalite, journeys, functions, segments, scale), prints a compact table, and writes the results
 * to bench-results/latest.json (git-ignored) and docs/bench-results.json (versioned).
 * `BENCH_QUICK=1` shrinks every workload for a trial run (and writes nothing to docs/).
 */

const ROOT = join(__dirname, '..');
const TSX_CLI = join(dirname(require.resolve('tsx/package.json')), 'dist', 'cli.mjs');

const SECTIONS = [
  { key: 'ingestMemory', file: 'ingest.ts', args: ['memory'] },
  { key: 'ingestDynalite', file: 'ingest.ts', args: ['dynalite'] },
  { key: 'journeys', file: 'journeys.ts', args: [] },
  { key: 'functions', file: 'functions.ts', args: [] },
  { key: 'segments', file: 'segments.ts', args: [] },
  { key: 'scale', file: 'scale.ts', args: ['plan'] },
  { key: 'scaleLocal', file: 'scale.ts', args: ['local'] },
] as const;

type Results = Record<(typeof SECTIONS)[number]['key'], any>;

async function runSection(file: string, args: readonly string[]): Promise<{ result: unknown; seconds: number; load: number }> {
  const out = join(tmpdir(), `bench-${process.pid}-${file}-${args.join('-')}.json`);
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    // Handler logs (Powertools, on stdout as on Lambda) are discarded; progress comes on stderr.
    const child = spawn(process.execPath, [TSX_CLI, join(__dirname, file), ...args], {
      cwd: ROOT,
      env: { ...process.env, BENCH_OUT: out },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`bench/${file} ${args.join(' ')} exited with ${code}`))));
  });
  const result = JSON.parse(readFileSync(out, 'utf8')) as unknown;
  rmSync(out, { force: true });
  return { result, seconds: round((Date.now() - started) / 1000, 1), load: round(loadavg()[0], 1) };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const results = {} as Results;
  const sections: Record<string, { seconds: number; loadAfter: number }> = {};
  for (const section of SECTIONS) {
    process.stderr.write(`bench: ${section.file} ${section.args.join(' ')}\n`);
    const { result, seconds, load } = await runSection(section.file, section.args);
    results[section.key] = result;
    sections[section.key] = { seconds, loadAfter: load };
  }
  const meta = {
    date: startedAt.toISOString(),
    quick: QUICK,
    node: process.version,
    cpu: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}`,
    memoryGb: round(totalmem() / 2 ** 30, 1),
    loadAverageAtStart: round(loadavg()[0], 1),
    commit: git('git rev-parse --short HEAD'),
    workingTreeChanged: git('git status --porcelain') !== '',
    totalSeconds: round((Date.now() - startedAt.getTime()) / 1000, 1),
    sections,
  };
  const targets = evaluateTargets(results);
  const document = { meta, prices: PRICES, targets, ...results };
  const json = `${JSON.stringify(document, null, 2)}\n`;
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench-results', 'latest.json'), json);
  if (!QUICK) {
    mkdirSync(join(ROOT, 'docs'), { recursive: true });
    writeFileSync(join(ROOT, 'docs', 'bench-results.json'), json);
  }
  process.stdout.write(table(document));
  process.stdout.write(`\nwritten: bench-results/latest.json${QUICK ? '' : ', docs/bench-results.json'} (${meta.totalSeconds} s)\n`);
}

function git(command: string): string {
  try {
    return execSync(command, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

interface Target {
  readonly target: string;
  readonly limit: number;
  readonly measured: number;
  readonly unit: string;
  readonly met: boolean;
  /** measured - limit (negative: headroom). */
  readonly gap: number;
  readonly detail: string;
}

function evaluateTargets(r: Results): Target[] {
  const shapes = r.ingestDynalite.shapes as any[];
  const writes = (shape: string) => shapes.find((s) => s.shape === shape).perEvent;
  const mains = (r.journeys.runs as any[]).filter((run) => run.route === 'main');
  const worstStep = mains.reduce((a, b) => (b.billedPerStep > a.billedPerStep ? b : a));
  const functions = r.functions.functions as any[];
  const biggest = functions.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const slowest = functions.reduce((a, b) => (b.initMs.median > a.initMs.median ? b : a));
  const target = (name: string, limit: number, measured: number, unit: string, detail: string): Target => ({
    target: name, limit, measured: round(measured, 2), unit, met: measured <= limit, gap: round(measured - limit, 2), detail,
  });
  return [
    target('DynamoDB writes per ingested event (Segment batches of 100)', 1.1, writes('batch100').writeItems, 'items written', `${writes('batch100').writeUnits} write units, ${writes('batch100').writeRequests} write requests per event`),
    target('DynamoDB writes per ingested event (single calls)', 1.1, writes('single').writeItems, 'items written', `${writes('single').writeUnits} write units, ${writes('single').writeRequests} write requests per event`),
    target('Billed transitions per journey step, main path (worst journey)', 2, worstStep.billedPerStep, 'transitions/step', `${worstStep.journeyId}: ${worstStep.transitions.billed} transitions over ${worstStep.steps} steps (exit included)`),
    target('Largest Lambda bundle', 300 * 1024, biggest.bytes, 'bytes', `${biggest.name}; ${functions.filter((f) => f.underSizeTarget).length} of ${functions.length} under 300 KB`),
    target('Slowest cold module initialisation (median)', 100, slowest.initMs.median, 'ms', `${slowest.name}; ${functions.filter((f) => f.underInitTarget).length} of ${functions.length} under 100 ms`),
  ];
}

// --- the printed table ----------------------------------------------------------------------------

const pad = (value: unknown, width: number) => String(value).padStart(width);
const padEnd = (value: unknown, width: number) => String(value).padEnd(width);
const kb = (bytes: number) => `${round(bytes / 1024, 0)} KB`;
const money = (dollars: number) => `$${dollars >= 100 ? round(dollars, 0) : round(dollars, 2)}`;

function table(d: any): string {
  const lines: string[] = [];
  const m = d.meta;
  lines.push('', `journey-engine bench  ${m.date}  node ${m.node}  ${m.cpu}  load ${m.loadAverageAtStart}${m.quick ? '  (QUICK)' : ''}`);

  lines.push('', 'INGEST (per event; ingest + processor handlers; example config; returning customers)');
  lines.push(`${padEnd('store / shape', 20)}${pad('events', 7)}${pad('ev/s', 8)}${pad('CPU ms', 8)}${pad('R req', 7)}${pad('W req', 7)}${pad('W items', 8)}${pad('RCU', 7)}${pad('WCU', 7)}${pad('emu CPU ms', 11)}`);
  for (const [store, result] of [['memory', d.ingestMemory], ['dynalite', d.ingestDynalite]] as const) {
    for (const s of result.shapes) {
      const p = s.perEvent;
      lines.push(`${padEnd(`${store} ${s.shape}`, 20)}${pad(s.events, 7)}${pad(s.total.eventsPerSecond, 8)}${pad(s.total.cpuMsPerEvent, 8)}${pad(p.readRequests, 7)}${pad(p.writeRequests, 7)}${pad(p.writeItems, 8)}${pad(p.readUnits ?? '-', 7)}${pad(p.writeUnits ?? '-', 7)}${pad(s.emulatorCpuMs === undefined ? '-' : round(s.emulatorCpuMs / s.events, 2), 11)}`);
    }
  }

  lines.push('', `JOURNEYS (per customer run; cost per 1M runs at ${d.prices.region} list prices ${d.prices.asOf}; engine = all but the messages)`);
  lines.push(`${padEnd('journey / route', 34)}${pad('steps', 6)}${pad('trans', 6)}${pad('t/step', 7)}${pad('λ', 4)}${pad('DDB r/w', 9)}${pad('RCU/WCU', 9)}${pad('msgs', 9)}${pad('engine $', 10)}${pad('total $', 10)} | ${pad('naive t', 7)}${pad('λ', 4)}${pad('engine $', 10)}${pad('saved', 7)}`);
  for (const run of d.journeys.runs) {
    const msgs = ['email', 'sms', 'push'].filter((c) => run.messages[c] > 0).map((c) => `${run.messages[c]}${c[0]}`).join('+') || '0';
    const label = `${run.journeyId} ${run.route}${run.sameRouteAsMain ? '=main' : ''}`;
    lines.push(`${padEnd(label, 34)}${pad(run.steps, 6)}${pad(run.transitions.billed, 6)}${pad(run.billedPerStep, 7)}${pad(run.lambdaInvocations, 4)}${pad(`${run.dynamo.readRequests}/${run.dynamo.writeRequests}`, 9)}${pad(`${run.dynamo.readUnits}/${run.dynamo.writeUnits}`, 9)}${pad(msgs, 9)}${pad(money(run.costPerMillion.engine), 10)}${pad(money(run.costPerMillion.total), 10)} | ${pad(run.naive.transitions, 7)}${pad(run.naive.invocations, 4)}${pad(money(run.naive.costPerMillion.engine), 10)}${pad(`${round((1 - run.costPerMillion.engine / run.naive.costPerMillion.engine) * 100, 0)}%`, 7)}`);
  }

  lines.push('', `FUNCTIONS (esbuild as the CDK bundles them; cold require in a fresh node ${d.functions.node}, median of ${d.functions.runsPerFunction})`);
  lines.push(`${padEnd('function', 14)}${pad('bundle', 9)}${pad('gzip', 9)}${pad('map', 9)}${pad('init ms', 9)}${pad('+src maps', 10)}  largest packages`);
  for (const f of d.functions.functions) {
    const top = f.byPackage.slice(0, 3).map((p: any) => `${p.package} ${kb(p.bytes)}`).join(', ');
    lines.push(`${padEnd(f.name, 14)}${pad(kb(f.bytes), 9)}${pad(kb(f.gzipBytes), 9)}${pad(kb(f.sourceMapBytes), 9)}${pad(f.initMs.median, 9)}${pad(f.initMsWithSourceMaps.median, 10)}  ${top}`);
  }
  lines.push(`  init of single dependencies: ${d.functions.probes.map((p: any) => `${p.probe.split(' (')[0]} ${p.initMs} ms`).join('; ')}`);

  const s = d.segments;
  lines.push('', `SEGMENTS (${s.segmentCount} segments, one profile of ${kb(s.profile.bytes)}: 90 days over ${s.profile.eventNames} event keys, ${s.profile.orders} orders)`);
  lines.push(`  ${s.allSegmentsPerSecond} profiles/s (${s.segmentEvaluationsPerSecond} segment evaluations/s, ${s.microsecondsPerProfile} µs per profile); evaluateProfile with RFM ${s.evaluateProfilePerSecond}/s`);
  lines.push(`  per segment/s: ${s.perSegment.map((p: any) => `${p.segmentId} ${p.evaluationsPerSecond}`).join(', ')}`);

  const p = d.scale;
  const l = d.scaleLocal;
  lines.push('', `SCALE (${p.customers} customers entering ${p.journey})`);
  lines.push(`  plan + enqueue (processEvents, memory store): ${p.planning.wallSeconds} s, ${p.planning.customersPerSecond} customers/s, ${p.planning.startsEnqueued} starts in ${p.planning.sqsSendMessageBatch} SendMessageBatch`);
  lines.push(`  starter path (startRuns, ${p.starter.fleet.instances} x ${p.starter.fleet.ratePerInstance}/s buckets, virtual clock): ${p.starter.wallSeconds} s locally, ${p.starter.started} started, ${p.starter.throttled} throttled`);
  lines.push(`  pacing on AWS: ${p.starter.pacedSecondsOnAws} s (paceStarts ${p.starter.paceStartsSeconds} s at ${p.starter.fleetRatePerSecond}/s; at the ${p.starter.quotaPerSecond}/s StartExecution quota ${p.starter.secondsAtQuota} s); 1,000,000 customers: ${p.starter.oneMillionSeconds} s`);
  lines.push(`  full local runs (${l.customers}): enter + start ${l.enterAndStart.wallSeconds} s (${l.enterAndStart.runsPerSecond} runs/s), 14:00 send ${l.sendAt14.wallSeconds} s; ${JSON.stringify(l.statuses)}, ${l.pushesSent} pushes`);

  lines.push('', 'TARGETS');
  for (const t of d.targets) {
    const show = (v: number) => (t.unit === 'bytes' ? kb(v) : String(v));
    lines.push(`  ${t.met ? 'met ' : 'MISS'}  ${padEnd(t.target, 64)} ${pad(show(t.measured), 8)} (limit ${show(t.limit)}, gap ${t.unit === 'bytes' ? kb(t.gap) : t.gap})  ${t.detail}`);
  }
  return `${lines.join('\n')}\n`;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
