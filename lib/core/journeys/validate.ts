import type { z } from 'zod';
import type { SegmentDefinition } from '../segments/definition';
import { parseSegments, SegmentValidationError } from '../segments/validate';
import {
  entrySchema,
  eventMatchSchema,
  goalSchema,
  journeyDefinitionSchema,
  stepSchema,
  templateSchema,
  type JourneyDefinition,
  type PropertyFilter,
  type Step,
  type TemplateDefinition,
} from './definition';
import { HOLDOUT, OTHERWISE } from './protocol';
import { article, isRecord, quoteAll, show, unknownKeyHints, valueAt } from '../validation-text';

/** Journey definitions that cannot run; `problems` lists every one, each naming the journey, the step and the fix. */
export class JourneyValidationError extends Error {
  public constructor(public readonly problems: readonly string[]) {
    super(`${problems.length} problem(s) in journey definitions:\n${problems.map((p) => `- ${p}`).join('\n')}`);
    this.name = 'JourneyValidationError';
  }
}

/** Template definitions that cannot be used; `problems` lists every one. */
export class TemplateValidationError extends Error {
  public constructor(public readonly problems: readonly string[]) {
    super(`${problems.length} problem(s) in templates:\n${problems.map((p) => `- ${p}`).join('\n')}`);
    this.name = 'TemplateValidationError';
  }
}

/** What journeys refer to by id. A check whose list is absent is skipped (the builder's `build()` without context). */
export interface JourneyContext {
  readonly segments: readonly SegmentDefinition[];
  readonly templates: readonly TemplateDefinition[];
}

/** Step Functions ends an execution after one year: no journey may wait longer in total. */
export const MAX_JOURNEY_WAIT_SECONDS = 365 * 86_400;

/**
 * Names that are Amazon States Language fields or state types: a state named `Branches` crashes
 * asl-validator, and any of these makes a rendered definition confusing to read.
 */
const ASL_KEYWORDS = new Set([
  'States', 'StartAt', 'Comment', 'Version', 'TimeoutSeconds', 'QueryLanguage', 'Type', 'Next', 'End', 'InputPath',
  'OutputPath', 'ResultPath', 'ResultSelector', 'Parameters', 'Arguments', 'Output', 'Assign', 'Resource', 'Retry',
  'Catch', 'Choices', 'Default', 'Branches', 'Iterator', 'ItemProcessor', 'ItemReader', 'ItemSelector', 'ItemsPath',
  'Items', 'MaxConcurrency', 'Seconds', 'Timestamp', 'SecondsPath', 'TimestampPath', 'HeartbeatSeconds', 'Error',
  'Cause', 'ErrorEquals', 'Variable', 'Credentials', 'Pass', 'Task', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map',
]);

/**
 * Check journey definitions (from the builder or from JSON) against the schema and the rules a
 * state machine needs, and return them as parsed data. Every problem is reported at once: schema
 * errors, duplicate journey and step ids, targets naming no step, unreachable steps, loops, unknown
 * segments and templates, templates of another channel, waits over a year (alone or summed along
 * a path), `matchEntryKey` without an `entryKey`, split weights, reserved step ids, filter values,
 * and goals (unique ids, a 1..90-day window, known keys, their filters).
 *
 * @throws {JourneyValidationError} listing every problem.
 * @example
 * const journeys = parseJourneys(JSON.parse(text), { segments: config.segments, templates: config.templates ?? [] });
 * parseJourneys([{ ...cart, steps: [{ id: 'w', type: 'wait', seconds: 3600, next: 'remnd' }] }], context);
 * // throws: journey "cart-abandonment" step "w": next "remnd" names no step; use one of "w"
 */
export function parseJourneys(input: unknown, context: JourneyContext): JourneyDefinition[] {
  const { journeys, problems } = checkJourneys(input, context);
  if (problems.length > 0) throw new JourneyValidationError(problems);
  return journeys;
}

/**
 * The problems of journey definitions without throwing, and the journeys that parsed. Segment and
 * template references are only checked when `context` has them.
 *
 * @example
 * checkJourneys([definition]).problems; // [] when the journey is sound on its own
 */
export function checkJourneys(input: unknown, context: Partial<JourneyContext> = {}): { journeys: JourneyDefinition[]; problems: string[] } {
  if (!Array.isArray(input)) return { journeys: [], problems: [`journeys: expected an array of journey definitions, got ${show(input)}`] };
  const problems: string[] = [];
  const journeys: JourneyDefinition[] = [];
  const firstIndex = new Map<string, number>();
  input.forEach((raw, index) => {
    const label = isRecord(raw) && typeof raw.id === 'string' ? `journey "${raw.id}"` : `journeys[${index}]`;
    if (isRecord(raw) && typeof raw.id === 'string') {
      const first = firstIndex.get(raw.id);
      if (first === undefined) firstIndex.set(raw.id, index);
      else problems.push(`${label}: duplicate journey id (also journeys[${first}]); give each journey its own id`);
    }
    const parsed = journeyDefinitionSchema.safeParse(raw);
    problems.push(...schemaProblems(raw, parsed.success ? [] : parsed.error.issues, label));
    if (!isRecord(raw)) return;
    problems.push(...unknownKeys(raw, Object.keys(journeyDefinitionSchema.shape), label));
    problems.push(...checkJourney(raw, label, context));
    if (parsed.success) journeys.push(parsed.data);
  });
  return { journeys, problems };
}

/**
 * Check message templates: schema, unique ids, and that the default locale is one of the locales
 * (it is the fallback for every customer whose locale has no text).
 *
 * @throws {TemplateValidationError} listing every problem.
 * @example
 * parseTemplates([{ id: 'welcome', channel: 'sms', defaultLocale: 'id', locales: { en: { body: 'Hi' } } }]);
 * // throws: template "welcome": defaultLocale "id" has no text; add locales.id or use one of "en"
 */
export function parseTemplates(input: unknown): TemplateDefinition[] {
  if (!Array.isArray(input)) throw new TemplateValidationError([`templates: expected an array of templates, got ${show(input)}`]);
  const problems: string[] = [];
  const templates: TemplateDefinition[] = [];
  const firstIndex = new Map<string, number>();
  input.forEach((raw, index) => {
    const label = isRecord(raw) && typeof raw.id === 'string' ? `template "${raw.id}"` : `templates[${index}]`;
    const parsed = templateSchema.safeParse(raw);
    if (parsed.success) templates.push(parsed.data);
    else problems.push(...schemaProblems(raw, parsed.error.issues, label));
    if (!isRecord(raw)) return;
    if (typeof raw.id === 'string') {
      const first = firstIndex.get(raw.id);
      if (first === undefined) firstIndex.set(raw.id, index);
      else problems.push(`${label}: duplicate template id (also templates[${first}]); give each template its own id`);
    }
    if (typeof raw.defaultLocale === 'string' && isRecord(raw.locales) && !Object.hasOwn(raw.locales, raw.defaultLocale)) {
      problems.push(`${label}: defaultLocale "${raw.defaultLocale}" has no text; add locales.${raw.defaultLocale} or use one of ${quoteAll(Object.keys(raw.locales))}`);
    }
  });
  if (problems.length > 0) throw new TemplateValidationError(problems);
  return templates;
}

/** The steps a step can continue to, with the field that names each. */
function stepTargets(step: Step): { field: string; target: string }[] {
  switch (step.type) {
    case 'wait':
    case 'waitUntilTime':
    case 'send':
    case 'updateProfile':
      return [{ field: 'next', target: step.next }];
    case 'waitUntilDate':
      return [{ field: 'next', target: step.next }, { field: 'ifMissing', target: step.ifMissing }];
    case 'waitForEvent':
      return [{ field: 'onEvent', target: step.onEvent }, { field: 'onTimeout', target: step.onTimeout }];
    case 'branch':
      return [...step.paths.map((p, i) => ({ field: `paths[${i}].next`, target: p.next })), { field: 'otherwise', target: step.otherwise }];
    case 'split':
      return step.variants.map((v, i) => ({ field: `variants[${i}].next`, target: v.next }));
    case 'exit':
      return [];
    default: {
      const unexpected: never = step;
      throw new Error(`unknown step ${JSON.stringify(unexpected)}`);
    }
  }
}

/** Rules beyond the schema, on whatever parts of the journey did parse (so one typo hides nothing else). */
function checkJourney(raw: Record<string, unknown>, label: string, context: Partial<JourneyContext>): string[] {
  const rawSteps = Array.isArray(raw.steps) ? raw.steps : [];
  const ids = rawSteps.map((s) => (isRecord(s) && typeof s.id === 'string' ? s.id : undefined));
  const steps = rawSteps.flatMap((s) => {
    const parsed = stepSchema.safeParse(s);
    return parsed.success ? [parsed.data] : [];
  });
  const entry = entrySchema.safeParse(raw.entry);
  const entryKey = typeof raw.entryKey === 'string' ? raw.entryKey : undefined;
  const at = (id: string) => `${label} step "${id}"`;
  const problems: string[] = [];

  rawSteps.forEach((s, i) => {
    const id = ids[i];
    const option = isRecord(s) ? stepSchema.options.find((o) => o.shape.type.value === s.type) : undefined;
    if (option) problems.push(...unknownKeys(s as Record<string, unknown>, Object.keys(option.shape), id === undefined ? `${label} steps[${i}]` : at(id)));
  });
  problems.push(...checkStepIds(ids, label));

  const known = new Set(ids.filter((id): id is string => id !== undefined));
  const missing = `names no step; use one of ${quoteAll([...known])}`;
  const dangling: string[] = [];
  if (typeof raw.startAt === 'string' && !known.has(raw.startAt)) dangling.push(`${label}: startAt "${raw.startAt}" ${missing}`);
  for (const step of steps) {
    for (const { field, target } of stepTargets(step)) if (!known.has(target)) dangling.push(`${at(step.id)}: ${field} "${target}" ${missing}`);
  }
  problems.push(...dangling);
  // Reachability, loops and path lengths only mean something on a whole graph of unique ids.
  const wholeGraph = steps.length === rawSteps.length && dangling.length === 0 && known.size === steps.length;
  if (wholeGraph && typeof raw.startAt === 'string') problems.push(...checkGraph(steps, raw.startAt, label));

  if (entry.success && entry.data.type === 'api' && entryKey !== undefined) {
    problems.push(`${label}: entryKey "${entryKey}" needs an entry event to read it from, and an api entry has none; remove entryKey or enter on an event`);
  }
  if (entry.success && entry.data.type === 'segment' && entryKey !== undefined) {
    problems.push(`${label}: entryKey "${entryKey}" needs an entry event to read it from, and a segment entry has none; remove entryKey or enter on an event`);
  }
  if (entry.success && entry.data.type === 'event') problems.push(...checkFilters(entry.data.where, `${label} entry`));
  problems.push(...checkExitCriteria(raw.exitCriteria, label, entryKey));
  problems.push(...checkGoals(raw.goals, label, entryKey));
  for (const step of steps) problems.push(...checkStep(step, at(step.id), entryKey, context));
  if (context.segments) problems.push(...checkSegmentRefs(raw, entry, steps, label, context.segments));
  return problems;
}

function checkStepIds(ids: readonly (string | undefined)[], label: string): string[] {
  const problems: string[] = [];
  const first = new Map<string, number>();
  ids.forEach((id, i) => {
    if (id === undefined) return;
    if (id.includes('.')) problems.push(`${label} step "${id}": a step id must not contain "."; the compiler names helper states "<id>.choice", so use "-" or "_" instead`);
    if (ASL_KEYWORDS.has(id)) problems.push(`${label} step "${id}": "${id}" is an Amazon States Language keyword; rename the step (e.g. "${id.toLowerCase()}-step")`);
    const earlier = first.get(id);
    if (earlier === undefined) first.set(id, i);
    else problems.push(`${label} step "${id}": duplicate step id (steps[${earlier}] and steps[${i}]); give each step its own id`);
  });
  return problems;
}

/** Reachability, loops and the total fixed wait: a journey is a DAG that must end within a year. */
function checkGraph(steps: readonly Step[], startAt: string, label: string): string[] {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const problems: string[] = [];
  const reached = new Set<string>();
  const visit = (id: string) => {
    if (reached.has(id)) return;
    reached.add(id);
    for (const { target } of stepTargets(byId.get(id) as Step)) visit(target);
  };
  visit(startAt);
  for (const step of steps) {
    if (!reached.has(step.id)) problems.push(`${label} step "${step.id}": unreachable (no step leads to it from startAt "${startAt}"); link it from another step or remove it`);
  }

  const cycles = findCycles(steps, byId);
  for (const cycle of cycles) {
    problems.push(`${label}: the steps loop ${cycle.map((id) => `"${id}"`).join(' -> ')}; a journey must not loop (an execution has at most 25,000 history events): repeat the steps instead`);
  }
  if (cycles.length > 0) return problems;

  const longest = longestWait(startAt, byId, new Map());
  if (longest.seconds > MAX_JOURNEY_WAIT_SECONDS) {
    const path = longest.path.map((id) => `"${id}"`).join(' -> ');
    problems.push(`${label}: the waits along ${path} add up to ${formatDays(longest.seconds)}, over the one-year limit of an execution; shorten them to 365 days in total`);
  }
  return problems;
}

function findCycles(steps: readonly Step[], byId: ReadonlyMap<string, Step>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (id: string) => {
    state.set(id, 'open');
    stack.push(id);
    for (const { target } of stepTargets(byId.get(id) as Step)) {
      if (state.get(target) === 'open') cycles.push([...stack.slice(stack.indexOf(target)), target]);
      else if (!state.has(target)) visit(target);
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const step of steps) if (!state.has(step.id)) visit(step.id);
  return cycles;
}

/** The path with the most fixed waiting: a waitForEvent may wait its full timeout whichever way it leaves. */
function longestWait(id: string, byId: ReadonlyMap<string, Step>, memo: Map<string, { seconds: number; path: string[] }>): { seconds: number; path: string[] } {
  const cached = memo.get(id);
  if (cached) return cached;
  const step = byId.get(id) as Step;
  const own = step.type === 'wait' ? step.seconds : step.type === 'waitForEvent' ? step.timeoutSeconds : 0;
  const best = stepTargets(step)
    .map(({ target }) => longestWait(target, byId, memo))
    .reduce<{ seconds: number; path: string[] } | undefined>((a, b) => (a === undefined || b.seconds > a.seconds ? b : a), undefined) ?? { seconds: 0, path: [] };
  const result = { seconds: own + best.seconds, path: [id, ...best.path] };
  memo.set(id, result);
  return result;
}

function checkStep(step: Step, at: string, entryKey: string | undefined, context: Partial<JourneyContext>): string[] {
  const problems: string[] = [];
  const tooLong = (field: string, seconds: number) =>
    seconds > MAX_JOURNEY_WAIT_SECONDS ? [`${at}: ${field} is ${formatDays(seconds)}, over the one-year limit of an execution; wait at most 365 days`] : [];
  switch (step.type) {
    case 'wait':
      problems.push(...tooLong('the wait', step.seconds));
      break;
    case 'waitForEvent':
      problems.push(...tooLong('the timeout', step.timeoutSeconds), ...checkFilters(step.where, at));
      if (step.matchEntryKey && entryKey === undefined) {
        problems.push(`${at}: matchEntryKey needs the journey's entryKey (e.g. "cartId"); set entryKey or remove matchEntryKey`);
      }
      break;
    case 'split': {
      const total = step.variants.reduce((sum, v) => sum + v.weight, 0) + (step.holdout?.weight ?? 0);
      if (Math.abs(total - 100) > 1e-9) {
        problems.push(`${at}: the weights of the variants${step.holdout ? ' and the holdout' : ''} add up to ${total}, not 100; make them percentages that add up to 100`);
      }
      problems.push(...duplicateNames(step.variants.map((v) => v.name), at, 'variant', HOLDOUT));
      break;
    }
    case 'branch':
      problems.push(...duplicateNames(step.paths.map((p) => p.name), at, 'path', OTHERWISE));
      step.paths.forEach((path, i) => {
        if ((path.segmentId === undefined) === (path.condition === undefined)) {
          problems.push(`${at}: paths[${i}] ("${path.name}") needs exactly one of segmentId or condition`);
        }
        if (path.condition) problems.push(...conditionProblems(path.condition, `${at}: paths[${i}].condition`));
      });
      break;
    case 'send':
      if (context.templates) problems.push(...checkTemplate(step, at, context.templates));
      break;
    case 'waitUntilTime':
    case 'waitUntilDate':
    case 'updateProfile':
    case 'exit':
      break;
    default: {
      const unexpected: never = step;
      throw new Error(`unknown step ${JSON.stringify(unexpected)}`);
    }
  }
  return problems;
}

function checkTemplate(step: Extract<Step, { type: 'send' }>, at: string, templates: readonly TemplateDefinition[]): string[] {
  const template = templates.find((t) => t.id === step.template);
  const sameChannel = templates.filter((t) => t.channel === step.channel).map((t) => t.id);
  const choose = sameChannel.length > 0 ? `use one of ${quoteAll(sameChannel)}` : `add ${{ email: 'an email', sms: 'an SMS', push: 'a push' }[step.channel]} template`;
  if (!template) return [`${at}: template "${step.template}" does not exist; add it to templates or ${choose}`];
  if (template.channel !== step.channel) return [`${at}: template "${step.template}" is for ${template.channel}, not ${step.channel}; ${choose} or change the step's channel`];
  return [];
}

function checkExitCriteria(raw: unknown, label: string, entryKey: string | undefined): string[] {
  if (!isRecord(raw) || !Array.isArray(raw.events)) return [];
  return raw.events.flatMap((e, i) => {
    const match = eventMatchSchema.safeParse(e);
    if (!match.success) return [];
    const at = `${label} exitCriteria.events[${i}] ("${match.data.event}")`;
    const keyed = match.data.matchEntryKey && entryKey === undefined ? [`${at}: matchEntryKey needs the journey's entryKey (e.g. "cartId"); set entryKey or remove matchEntryKey`] : [];
    return [...keyed, ...checkFilters(match.data.where, at)];
  });
}

/**
 * Goals beyond the schema (which checks the window of 1 to 90 days): unique ids, since conversions
 * are recorded and counted per goal id; known keys; `matchEntryKey` only on keyed journeys; filters.
 * `exitOnConversion` is allowed on any goal (the run stops as with exit criteria).
 */
function checkGoals(raw: unknown, label: string, entryKey: string | undefined): string[] {
  if (!Array.isArray(raw)) return [];
  const problems: string[] = [];
  const first = new Map<string, number>();
  raw.forEach((g, i) => {
    if (!isRecord(g)) return;
    const at = typeof g.id === 'string' ? `${label} goal "${g.id}"` : `${label} goals[${i}]`;
    problems.push(...unknownKeys(g, Object.keys(goalSchema.shape), at));
    if (typeof g.id === 'string') {
      const earlier = first.get(g.id);
      if (earlier === undefined) first.set(g.id, i);
      else problems.push(`${at}: duplicate goal id (goals[${earlier}] and goals[${i}]); conversions are counted per goal id, so give each goal its own id`);
    }
    if (g.matchEntryKey === true && entryKey === undefined) {
      problems.push(`${at}: matchEntryKey needs the journey's entryKey (e.g. "cartId") to compare the goal event with the run's; set entryKey or remove matchEntryKey`);
    }
    const goal = goalSchema.safeParse(g);
    if (goal.success) problems.push(...checkFilters(goal.data.where, at));
  });
  return problems;
}

function checkSegmentRefs(
  raw: Record<string, unknown>,
  entry: ReturnType<typeof entrySchema.safeParse>,
  steps: readonly Step[],
  label: string,
  segments: readonly SegmentDefinition[],
): string[] {
  const known = new Set(segments.map((s) => s.id));
  const unknown = (where: string, id: string) => `${where}: unknown segment "${id}"; define it in the segments or use one of ${quoteAll([...known])}`;
  const problems: string[] = [];
  if (entry.success && entry.data.type === 'segment' && !known.has(entry.data.segmentId)) problems.push(unknown(`${label} entry`, entry.data.segmentId));
  const exited = isRecord(raw.exitCriteria) && Array.isArray(raw.exitCriteria.segmentExited) ? raw.exitCriteria.segmentExited : [];
  exited.forEach((id, i) => {
    if (typeof id === 'string' && !known.has(id)) problems.push(unknown(`${label} exitCriteria.segmentExited[${i}]`, id));
  });
  for (const step of steps) {
    if (step.type !== 'branch') continue;
    step.paths.forEach((path, i) => {
      if (path.segmentId !== undefined && !known.has(path.segmentId)) problems.push(unknown(`${label} step "${step.id}" paths[${i}]`, path.segmentId));
    });
  }
  return problems;
}

/** Reuse the segment rules (operator values, unknown keys): a branch condition is a segment condition. */
function conditionProblems(condition: unknown, at: string): string[] {
  try {
    parseSegments([{ id: 'branch', name: 'branch', condition }]);
    return [];
  } catch (error) {
    if (!(error instanceof SegmentValidationError)) throw error;
    return error.problems.map((p) => `${at}${p.replace(/^segments\[0\]\.condition/, '')}`);
  }
}

function checkFilters(filters: readonly PropertyFilter[] | undefined, at: string): string[] {
  return (filters ?? []).flatMap((filter, i) => {
    const needs = (what: string) => [`${at}: where[${i}] ("${filter.property}" ${filter.operator}) needs ${what}, got ${show(filter.value)}`];
    switch (filter.operator) {
      case 'in':
      case 'notIn':
        return Array.isArray(filter.value) && filter.value.length > 0 ? [] : needs('a non-empty array of values');
      case 'exists':
      case 'notExists':
        return filter.value === undefined ? [] : needs('no value');
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte':
        return typeof filter.value === 'number' ? [] : needs('a number');
      default:
        return filter.value === undefined || Array.isArray(filter.value) ? needs('a string, number or boolean') : [];
    }
  });
}

function duplicateNames(names: readonly string[], at: string, kind: string, reserved: string): string[] {
  const problems = names.filter((n, i) => names.indexOf(n) !== i).map((n) => `${at}: two ${kind}s are named "${n}"; give each ${kind} its own name`);
  if (names.includes(reserved)) problems.push(`${at}: a ${kind} must not be named "${reserved}" (it is reserved); rename it`);
  return problems;
}

/** Zod issues as `<where>: <field>: <what is wrong>`, steps named by their id. */
function schemaProblems(input: unknown, issues: readonly z.core.$ZodIssue[], label: string): string[] {
  return issues.flatMap((issue) => {
    const actual = valueAt(input, issue.path);
    const [head, index, ...rest] = issue.path;
    // A dotted step id has its own, clearer message (see checkStepIds).
    if (head === 'steps' && rest.length === 1 && rest[0] === 'id' && typeof actual === 'string' && (actual.includes('.') || ASL_KEYWORDS.has(actual))) return [];
    const stepId = head === 'steps' && typeof index === 'number' ? valueAt(input, ['steps', index, 'id']) : undefined;
    const where =
      typeof stepId === 'string' && rest.length > 0
        ? `${label} step "${stepId}": ${formatPath(rest)}`
        : `${label}: ${formatPath(issue.path)}`;
    if (issue.path.length === 0) return [`${label}: expected an object, got ${show(actual)}`];
    return [`${where}: ${describeIssue(issue, actual)}`];
  });
}

function describeIssue(issue: z.core.$ZodIssue, actual: unknown): string {
  const field = issue.path[issue.path.length - 1];
  switch (issue.code) {
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${show(actual)}`;
    case 'invalid_union':
      if ('options' in issue && Array.isArray(issue.options)) return `unknown type ${show(actual)}; use one of ${quoteAll(issue.options.map(String))}`;
      return `not a valid value, got ${show(actual)}`;
    case 'invalid_type':
      if (actual === undefined && ['next', 'onEvent', 'onTimeout', 'otherwise', 'ifMissing'].includes(String(field))) {
        return `is required: name the step that follows (the builder links a step to the one after it; the last step must be an exit step or name its next)`;
      }
      if (actual === undefined) return `is required (${article(issue.expected)})`;
      return `expected ${article(issue.expected)}, got ${show(actual)}`;
    case 'too_small':
      if (issue.origin === 'array') return `needs at least ${String(issue.minimum)} item(s)`;
      if (issue.origin === 'number') return `must be ${issue.inclusive ? 'at least' : 'greater than'} ${String(issue.minimum)}, got ${show(actual)}`;
      return `${issue.message}, got ${show(actual)}`;
    default:
      return `${issue.message}, got ${show(actual)}`;
  }
}


function unknownKeys(record: Record<string, unknown>, known: readonly string[], at: string): string[] {
  return unknownKeyHints(record, known).map(([, hint]) => `${at}: ${hint}`);
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : out === '' ? String(part) : `${out}.${String(part)}`), '');
}


function formatDays(seconds: number): string {
  return `${Math.round((seconds / 86_400) * 100) / 100} days`;
}



