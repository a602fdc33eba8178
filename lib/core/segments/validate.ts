import { z } from 'zod';
import { RFM_TIERS } from '../rfm';
import { segmentDefinitionSchema, type SegmentDefinition } from './definition';
import { article, isRecord, show, unknownKeyHints, valueAt } from '../validation-text';

/** Segment definitions that cannot be used; `problems` lists every one, each with its path and fix. */
export class SegmentValidationError extends Error {
  public constructor(public readonly problems: readonly string[]) {
    super(`${problems.length} problem(s) in segment definitions:\n${problems.map((p) => `- ${p}`).join('\n')}`);
    this.name = 'SegmentValidationError';
  }
}

/**
 * Check segment definitions (from the builder or from JSON) and return them as parsed data.
 * Beyond the schema it checks unique ids, that each operator gets the value it needs, that
 * `atLeast <= atMost`, that consent names a channel or topic, RFM tier names and unknown keys
 * (a misspelt `atleast` would otherwise be dropped silently and widen the segment).
 *
 * @throws {SegmentValidationError} listing every problem at once.
 * @example
 * parseSegments([segment('vip', 'VIP').where(metric('clv').gte(5_000_000))]);
 * parseSegments([{ id: 'x', name: 'X', condition: { type: 'trait', trait: 'age', operator: 'gt', value: 'abc' } }]);
 * // throws: segments[0].condition.value: operator "gt" needs a number, got "abc"
 */
export function parseSegments(input: unknown): SegmentDefinition[] {
  const parsed = z.array(segmentDefinitionSchema).safeParse(input);
  const schemaProblems = parsed.success ? [] : parsed.error.issues.map((issue) => describeIssue(issue, input));
  const schemaPaths = new Set(schemaProblems.map(([path]) => path));
  const ruleProblems = Array.isArray(input) ? checkRules(input).filter(([path]) => !schemaPaths.has(path)) : [];
  const problems = [...schemaProblems, ...ruleProblems]
    .map(([path, message], order) => ({ path, message, order }))
    .sort((a, b) => segmentIndex(a.path) - segmentIndex(b.path) || conditionOrder(a.path, b.path) || a.order - b.order)
    .map(({ path, message }) => `${path}: ${message}`);
  if (problems.length > 0 || !parsed.success) throw new SegmentValidationError(problems);
  return parsed.data;
}

type Problem = readonly [path: string, message: string];

const conditionKeys: Record<string, readonly string[]> = {
  trait: ['type', 'trait', 'operator', 'value'],
  event: ['type', 'event', 'atLeast', 'atMost', 'withinDays'],
  metric: ['type', 'metric', 'operator', 'value'],
  rfmTier: ['type', 'tiers'],
  consent: ['type', 'channel', 'topic', 'status'],
  location: ['type', 'field', 'operator', 'values'],
  and: ['type', 'conditions'],
  or: ['type', 'conditions'],
  not: ['type', 'condition'],
};
const segmentKeys = ['id', 'name', 'description', 'condition'];

function checkRules(segments: readonly unknown[]): Problem[] {
  const problems: Problem[] = [];
  const firstIndex = new Map<unknown, number>();
  segments.forEach((segment, index) => {
    if (!isRecord(segment)) return;
    const path = `segments[${index}]`;
    problems.push(...unknownKeys(segment, segmentKeys, path));
    if (typeof segment.id === 'string') {
      const first = firstIndex.get(segment.id);
      if (first === undefined) firstIndex.set(segment.id, index);
      else problems.push([`${path}.id`, `duplicate id "${segment.id}" (also segments[${first}].id); give each segment its own id`]);
    }
    problems.push(...checkCondition(segment.condition, `${path}.condition`));
  });
  return problems;
}

function checkCondition(condition: unknown, path: string): Problem[] {
  if (!isRecord(condition) || typeof condition.type !== 'string' || !Object.hasOwn(conditionKeys, condition.type)) return [];
  const problems: Problem[] = [...unknownKeys(condition, conditionKeys[condition.type], path)];
  switch (condition.type) {
    case 'trait':
      problems.push(...checkTraitValue(condition.operator, condition.value, `${path}.value`));
      break;
    case 'event':
      if (typeof condition.atLeast === 'number' && typeof condition.atMost === 'number' && condition.atLeast > condition.atMost) {
        const message = `atLeast (${condition.atLeast}) is greater than atMost (${condition.atMost}), so no count can match; swap or fix them`;
        problems.push([`${path}.atMost`, message]);
      }
      break;
    case 'rfmTier':
      if (Array.isArray(condition.tiers)) {
        condition.tiers.forEach((tier, i) => {
          if (typeof tier === 'string' && !(RFM_TIERS as readonly string[]).includes(tier)) {
            problems.push([`${path}.tiers[${i}]`, `unknown RFM tier ${show(tier)}; use one of ${RFM_TIERS.map((t) => `"${t}"`).join(', ')}`]);
          }
        });
      }
      break;
    case 'consent':
      if (condition.channel === undefined && condition.topic === undefined) {
        problems.push([path, 'a consent condition needs a channel ("email", "sms" or "push"), a topic, or both']);
      }
      break;
    case 'and':
    case 'or':
      if (Array.isArray(condition.conditions)) condition.conditions.forEach((c, i) => problems.push(...checkCondition(c, `${path}.conditions[${i}]`)));
      break;
    case 'not':
      problems.push(...checkCondition(condition.condition, `${path}.condition`));
      break;
  }
  return problems;
}

function checkTraitValue(operator: unknown, value: unknown, path: string): Problem[] {
  const needs = (what: string): Problem[] => [[path, `operator "${String(operator)}" needs ${what}, got ${show(value)}`]];
  switch (operator) {
    case 'in':
    case 'notIn':
      return Array.isArray(value) && value.length > 0 ? [] : needs('a non-empty array of values');
    case 'exists':
    case 'notExists':
      return value === undefined ? [] : [[path, `operator "${operator}" takes no value; remove it (got ${show(value)})`]];
    case 'equals':
    case 'notEquals':
    case 'contains':
      if (Array.isArray(value)) return needs(`a single value (use "in" / "notIn" for a list)`);
      return value === undefined ? needs('a value (string, number or boolean)') : [];
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return typeof value === 'number' && Number.isFinite(value) ? [] : needs('a number');
    case 'before':
    case 'after':
      return isIsoDate(value) ? [] : needs('an ISO date such as "2026-01-31" or "2026-01-31T00:00:00Z"');
    case 'withinLastDays':
    case 'moreThanDaysAgo':
      return typeof value === 'number' && Number.isInteger(value) && value > 0 ? [] : needs('a positive whole number of days');
    default:
      return [];
  }
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): Problem {
  const path = formatPath(issue.path);
  const actual = valueAt(input, issue.path);
  switch (issue.code) {
    case 'invalid_value':
      return [path, `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${show(actual)}`];
    case 'invalid_union':
      if ('discriminator' in issue && issue.discriminator) {
        return [path, `unknown condition type ${show(actual)}; use one of ${Object.keys(conditionKeys).map((k) => `"${k}"`).join(', ')}`];
      }
      return [path, `expected a string, number, boolean or an array of them, got ${show(actual)}`];
    case 'invalid_type':
      if (actual === undefined) return [path, `is required (${article(issue.expected)})`];
      if (path === 'segments') return [path, `expected an array of segment definitions, got ${show(actual)}`];
      return [path, `expected ${article(issue.expected)}, got ${show(actual)}`];
    default:
      return [path, `${issue.message}, got ${show(actual)}`];
  }
}


function unknownKeys(record: Record<string, unknown>, known: readonly string[], path: string): Problem[] {
  return unknownKeyHints(record, known).map(([key, hint]) => [`${path}.${key}`, hint] as const);
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : `${out}.${String(part)}`), 'segments');
}


function segmentIndex(path: string): number {
  const match = /^segments\[(\d+)\]/.exec(path);
  return match ? Number(match[1]) : -1;
}

/** A segment's own fields first, then its conditions in document order (`conditions[2]` before `conditions[10]`). */
function conditionOrder(a: string, b: string): number {
  const isCondition = (path: string) => /\.condition\b/.test(path);
  if (isCondition(a) !== isCondition(b)) return isCondition(a) ? 1 : -1;
  return isCondition(a) ? a.localeCompare(b, 'en', { numeric: true }) : 0;
}

function isIsoDate(value: unknown): boolean {
  const iso = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
  return typeof value === 'string' && iso.test(value) && !Number.isNaN(Date.parse(value));
}


