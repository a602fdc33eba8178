import { performance } from 'node:perf_hooks';
import { indonesiaConfig } from '../examples/indonesia';
import { compileJourney, countTransitions } from '../lib/core/journeys/compiler';
import type { JourneyDefinition } from '../lib/core/journeys/definition';
import { assignVariant } from '../lib/core/journeys/split';
import { isGlobalControl } from '../lib/core/measurement/control';
import { JourneyHarness } from '../lib/testing';
import { LOCAL_TASK_FUNCTION_ARN } from '../local/runtime';
import { emptyTally, installDynamoCounter, type DynamoTally } from './counting';
import { compileNaive, routeOf, walkNaive } from './naive-compiler';
import { PRICES, costOf, type CostBreakdown, type RunUsage } from './prices';
import { median, report, round } from './support';

/**
 * Journey bench: every example journey driven down its main path and its longest path through the
 * journey harness (the local runtime: real handlers, dynalite, the compiled state machines on local
 * Step Functions, a manual clock), one customer per route, as in test/e2e/journeys.test.ts.
 *
 * Per run it reads the billed transitions from the execution's event log, counts the journey task
 * Lambda's invocations (a wrapper around the same handler the runtime registered) and the DynamoDB
 * requests and capacity units those invocations made (the SDK middleware of counting.ts, attributed
 * to the run through AsyncLocalStorage), and the messages sent by channel. It then prices the run,
 * and the same route through the naive compilation (naive-compiler.ts), per million runs.
 *
 * Main path: the route the README's table lists (the full journey of a typical customer). Longest:
 * the longest route without failures or quiet-hours deferrals (countTransitions' longestPath); where
 * only one route has that length and it is the main one, it is reported once, as both.
 */

const START = '2026-11-23T01:00:00Z'; // Monday 08:00 in Jakarta
const jakarta = { timezone: 'Asia/Jakarta' };
const ios = (token: string) => ({ device: { token, type: 'ios' } });

interface Scenario {
  readonly journeyId: string;
  readonly route: 'main' | 'longest';
  readonly description: string;
  /** Drives one customer down the route; returns that customer's userId. */
  drive(h: JourneyHarness): Promise<string>;
}

let userCount = 0;

/**
 * A new customer, identified with `traits` and `context`, who is not in the engine-wide global
 * control group (`globalControlShare` of the configuration): control customers are never messaged,
 * so their runs would price a journey without its sends.
 */
async function customer(h: JourneyHarness, prefix: string, identity: (userId: string) => [Record<string, unknown>, Record<string, unknown>]): Promise<string> {
  for (;;) {
    const userId = `${prefix}-${++userCount}`;
    const [traits, context] = identity(userId);
    await h.identify(userId, traits, { context });
    const profileId = (await h.profile(userId))?.profileId as string;
    if (!isGlobalControl(profileId, indonesiaConfig.globalControlShare)) return userId;
  }
}

const SCENARIOS: Scenario[] = [
  {
    journeyId: 'welcome', route: 'main', description: 'email welcome, no order in 3 days, first-order offer by email',
    drive: async (h) => {
      const u = await customer(h, 'welcome-email', (u) => [{ email: `${u}@example.co.id`, firstName: 'Sari' }, jakarta]);
      await h.consent(u, 'email');
      await h.track(u, 'Signed Up');
      await h.advance('3d');
      return u;
    },
  },
  {
    journeyId: 'welcome', route: 'longest', description: 'SMS welcome (preferred channel), no order in 3 days, first-order offer by SMS',
    drive: async (h) => {
      const u = await customer(h, 'welcome-sms', () => [{ phone: '+6281234500001', preferredChannel: 'sms' }, jakarta]);
      await h.consent(u, 'sms');
      await h.track(u, 'Signed Up');
      await h.advance('3d');
      return u;
    },
  },
  {
    journeyId: 'cart-abandonment', route: 'main', description: 'not bought within the hour, reminded by email',
    drive: async (h) => {
      const u = await customer(h, 'cart-email', (u) => [{ email: `${u}@example.co.id`, firstName: 'Budi' }, jakarta]);
      await h.consent(u, 'email');
      await h.track(u, 'Cart Abandoned', { cartId: `cart-${u}`, total: 250_000 });
      await h.advance('61m');
      return u;
    },
  },
  {
    journeyId: 'cart-abandonment', route: 'longest', description: 'not bought within the hour, reminded by push',
    drive: async (h) => {
      const u = await customer(h, 'cart-push', (u) => [{ email: `${u}@example.co.id` }, { ...jakarta, ...ios(`token-${u}`) }]);
      await h.consent(u, 'email');
      await h.consent(u, 'push');
      await h.track(u, 'Cart Abandoned', { cartId: `cart-${u}`, total: 90_000 });
      await h.advance('61m');
      return u;
    },
  },
  {
    journeyId: 'first-purchase-cross-sell', route: 'main', description: 'first order in Papua: everyday-services offer by push a day later',
    drive: async (h) => crossSellBuyer(h, 'Papua'),
  },
  {
    journeyId: 'first-purchase-cross-sell', route: 'longest', description: 'first order in Jakarta: bills offer by push a day later',
    drive: async (h) => crossSellBuyer(h, 'DKI Jakarta'),
  },
  {
    journeyId: 'win-back', route: 'main', description: 'high-value buyer lapses 30 days, offer variant: email offer, 3 days, last-chance push',
    drive: async (h) => {
      // The split is sticky per profile: enter a few customers and keep one in the offer variant.
      const users: string[] = [];
      for (let i = 0; i < 3; i++) users.push(await customer(h, 'win-back', (u) => [{ email: `${u}@example.co.id` }, { ...jakarta, ...ios(`token-${u}`) }]));
      for (const u of users) {
        await h.consent(u, 'email');
        await h.consent(u, 'push');
        await h.track(u, 'Order Completed', { order_id: `o-${u}`, revenue: 6_000_000 });
      }
      const step = indonesiaConfig.journeys?.find((j) => j.id === 'win-back')?.steps.find((s) => s.id === 'holdout-test');
      const offer = [];
      for (const u of users) {
        const profileId = (await h.profile(u))?.profileId as string;
        if (assignVariant(profileId, 'win-back', step as never) !== 'holdout') offer.push(u);
      }
      await h.advance('35d');
      return offer[0];
    },
  },
  {
    journeyId: 'loyalty-reward-reminder', route: 'main', description: 'enters the near-reward segment at 08:00, push at 14:00 local time, remembered on the profile',
    drive: async (h) => {
      const u = await customer(h, 'loyalty', (u) => [{}, { ...jakarta, ...ios(`token-${u}`) }]);
      await h.consent(u, 'push');
      await h.identify(u, { loyaltyPoints: 900, firstName: 'Dewi' }, { context: { ...jakarta, ...ios(`token-${u}`) } });
      await h.advance('3d');
      return u;
    },
  },
  {
    journeyId: 'limited-drop', route: 'main', description: 'mid-value customer (API entry): 2 hours later, the announcement by push',
    drive: async (h) => {
      const u = await customer(h, 'drop', (u) => [{ email: `${u}@example.co.id`, shoeSize: 40 }, { ...jakarta, ...ios(`token-${u}`) }]);
      await h.consent(u, 'email');
      await h.consent(u, 'push');
      await h.track(u, 'Order Completed', { order_id: `o-${u}`, revenue: 2_000_000 });
      await h.enter('limited-drop', u, { context: { productName: 'Sepatu Lari Nusantara' } });
      await h.advance('2h');
      return u;
    },
  },
];

async function crossSellBuyer(h: JourneyHarness, state: string): Promise<string> {
  const u = await customer(h, 'cross-sell', (u) => [{ address: { state, country: 'ID' } }, { ...jakarta, ...ios(`token-${u}`) }]);
  await h.consent(u, 'push');
  await h.track(u, 'Order Completed', { order_id: `o-${u}`, revenue: 100_000 });
  await h.advance('1d');
  return u;
}

interface Invocations {
  count: number;
  durationsMs: number[];
  dynamo: DynamoTally;
}

export interface JourneyRunResult {
  readonly journeyId: string;
  readonly route: 'main' | 'longest';
  readonly description: string;
  readonly status: string;
  readonly path: readonly string[];
  /** Steps of the definition the run went through, the exit included. */
  readonly steps: number;
  readonly transitions: { statesEntered: number; retries: number; billed: number };
  /** countTransitions of the compiled machine, for the same route kind. */
  readonly staticTransitions: { mainPath: number; longestPath: number };
  readonly billedPerStep: number;
  readonly lambdaInvocations: number;
  /** Task states entered + retries, from the event log: must equal lambdaInvocations. */
  readonly taskStatesFromLog: number;
  readonly medianTaskMs: number;
  readonly dynamo: DynamoTally;
  readonly messages: { email: number; sms: number; push: number };
  readonly usage: RunUsage;
  readonly costPerMillion: CostBreakdown;
  readonly naive: { transitions: number; invocations: number; billedPerStep: number; usage: RunUsage; costPerMillion: CostBreakdown };
  /** Engine cost (all but messages) saved per million runs against the naive compilation. */
  readonly savingsPerMillion: number;
  readonly sameRouteAsMain?: boolean;
}

/**
 * Start overhead per run, modelled rather than measured: the processor's SendMessageBatch share, the
 * event source's receive and delete (10 starts per batch), and a tenth of a starter invocation.
 */
const START_OVERHEAD = { sqsRequests: 0.3, lambdaInvocations: 0.1 };

async function main(): Promise<void> {
  const counter = installDynamoCounter();
  const h = await JourneyHarness.start({ config: indonesiaConfig, startAt: START });
  const { handler } = await import('../lambdas/journey-task');
  const byRun = new Map<string, Invocations>();
  // The same handler the runtime registered, wrapped to count calls and attribute DynamoDB requests.
  h.runtime.stepFunctions.addFunction(LOCAL_TASK_FUNCTION_ARN, async (payload: { run?: { runId?: string } }) => {
    const runId = payload.run?.runId ?? 'unknown';
    const entry = byRun.get(runId) ?? { count: 0, durationsMs: [], dynamo: emptyTally() };
    byRun.set(runId, entry);
    entry.count += 1;
    const start = performance.now();
    try {
      return JSON.parse(JSON.stringify((await counter.within(entry.dynamo, () => handler(payload))) ?? null)) as unknown;
    } finally {
      entry.durationsMs.push(performance.now() - start);
    }
  });

  const results: JourneyRunResult[] = [];
  for (const scenario of SCENARIOS) {
    // Each customer starts at 08:00 in Jakarta on the next day, after the quiet hours.
    const next = new Date(h.now);
    next.setUTCHours(1, 0, 0, 0);
    if (next <= h.now) next.setUTCDate(next.getUTCDate() + 1);
    await h.advanceTo(next);
    const userId = await scenario.drive(h);
    const runs = h.runs(scenario.journeyId, { userId });
    const run = runs[runs.length - 1];
    if (run === undefined) throw new Error(`${scenario.journeyId} ${scenario.route}: no run for ${userId}`);
    results.push(measureRun(h, scenario, run.runId, userId, byRun.get(run.runId)));
    process.stderr.write(`  journey ${scenario.journeyId} (${scenario.route}): ${run.status}, ${run.transitions.billed} transitions\n`);
  }
  await h.stop();
  // Journeys whose longest route is the main one.
  for (const journey of indonesiaConfig.journeys ?? []) {
    if (results.some((r) => r.journeyId === journey.id && r.route === 'longest')) continue;
    const main = results.find((r) => r.journeyId === journey.id && r.route === 'main');
    if (main) results.push({ ...main, route: 'longest', sameRouteAsMain: true });
  }
  results.sort((a, b) => (indonesiaConfig.journeys ?? []).findIndex((j) => j.id === a.journeyId) - (indonesiaConfig.journeys ?? []).findIndex((j) => j.id === b.journeyId) || a.route.localeCompare(b.route) * -1);
  report({ prices: PRICES, startOverheadPerRun: START_OVERHEAD, runs: results });
}

function measureRun(h: JourneyHarness, scenario: Scenario, runId: string, userId: string, invocations: Invocations | undefined): JourneyRunResult {
  const definition = (indonesiaConfig.journeys ?? []).find((j) => j.id === scenario.journeyId) as JourneyDefinition;
  const run = h.runs(scenario.journeyId, { userId }).find((r) => r.runId === runId);
  if (run === undefined) throw new Error(`run ${runId} not found`);
  const path = h.path(scenario.journeyId, runId);
  const history = h.runtime.stepFunctions.history(`${h.runtime.stateMachineArn(scenario.journeyId)}`.replace(':stateMachine:', ':execution:') + `:${runId}`);
  const taskStatesFromLog = history.filter((e) => (e.type === 'StateEntered' || e.type === 'StateRetried') && e.stateType === 'Task').length;
  const route = routeOf(path, definition);
  const sent = h.sent({ userId, journeyId: scenario.journeyId });
  const messages = { email: 0, sms: 0, push: 0 };
  for (const message of sent) messages[message.channel as keyof typeof messages] += 1;
  const dynamo = invocations?.dynamo ?? emptyTally();
  const lambdaInvocations = invocations?.count ?? 0;
  const usage: RunUsage = {
    transitions: run.transitions.billed,
    lambdaInvocations: lambdaInvocations + START_OVERHEAD.lambdaInvocations,
    dynamoReadUnits: dynamo.readUnits,
    dynamoWriteUnits: dynamo.writeUnits,
    sqsRequests: START_OVERHEAD.sqsRequests,
    emails: messages.email,
    sms: messages.sms,
    push: messages.push,
  };
  const naiveWalk = walkNaive(compileNaive(definition), route);
  // The naive machine's Lambdas are priced as making no more DynamoDB requests than the engine's.
  const naiveUsage: RunUsage = { ...usage, transitions: naiveWalk.transitions, lambdaInvocations: naiveWalk.invocations + START_OVERHEAD.lambdaInvocations };
  const cost = costOf(usage);
  const naiveCost = costOf(naiveUsage);
  const asl = compileJourney(definition, { taskFunctionArn: LOCAL_TASK_FUNCTION_ARN });
  return {
    journeyId: scenario.journeyId,
    route: scenario.route,
    description: scenario.description,
    status: run.status,
    path,
    steps: route.length,
    transitions: run.transitions,
    staticTransitions: countTransitions(asl),
    billedPerStep: round(run.transitions.billed / route.length),
    lambdaInvocations,
    taskStatesFromLog,
    medianTaskMs: round(median(invocations?.durationsMs ?? [0]), 1),
    dynamo,
    messages,
    usage,
    costPerMillion: roundCost(cost),
    naive: { transitions: naiveWalk.transitions, invocations: naiveWalk.invocations, billedPerStep: round(naiveWalk.transitions / route.length), usage: naiveUsage, costPerMillion: roundCost(naiveCost) },
    savingsPerMillion: round(naiveCost.engine - cost.engine),
  };
}

function roundCost(cost: CostBreakdown): CostBreakdown {
  return Object.fromEntries(Object.entries(cost).map(([k, v]) => [k, round(v)])) as unknown as CostBreakdown;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
