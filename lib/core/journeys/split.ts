import { createHash } from 'node:crypto';
import type { Condition } from '../segments/definition';
import { evaluateSegments } from '../segments/evaluator';
import type { RfmThresholds } from '../config';
import type { Profile } from '../profile';
import type { Step } from './definition';
import { HOLDOUT, OTHERWISE } from './protocol';

type SplitStep = Extract<Step, { type: 'split' }>;
type BranchStep = Extract<Step, { type: 'branch' }>;

/**
 * The variant of a split for a customer: a hash of (profile, journey, step) mapped onto the
 * weights in order (the holdout last), so the same customer always lands in the same group, in any
 * process, and groups are independent between steps and journeys.
 *
 * @example
 * assignVariant('p_1', 'win-back', { id: 'offer', type: 'split', variants: [{ name: 'a', weight: 1, next: 'x' }], holdout: { weight: 1 } });
 * // 'a' or 'holdout', always the same for p_1
 */
export function assignVariant(profileId: string, journeyId: string, step: SplitStep): string {
  const buckets = [...step.variants.map((variant) => ({ name: variant.name, weight: variant.weight })), ...(step.holdout ? [{ name: HOLDOUT, weight: step.holdout.weight }] : [])];
  const total = buckets.reduce((sum, bucket) => sum + bucket.weight, 0);
  const point = unitHash(`${profileId}|${journeyId}|${step.id}`) * total;
  let upTo = 0;
  for (const bucket of buckets) {
    upTo += bucket.weight;
    if (point < upTo) return bucket.name;
  }
  return buckets[buckets.length - 1].name;
}

/**
 * The first branch path whose segment the customer is in (as stored on the profile) or whose
 * condition holds now, else {@link OTHERWISE}.
 *
 * @example
 * choosePath(profile, branch, now); // 'east' for a customer in the eastern-provinces segment
 */
export function choosePath(profile: Profile, step: BranchStep, now: Date, rfm?: RfmThresholds): string {
  const holds = (condition: Condition) =>
    Object.hasOwn(evaluateSegments(profile, [{ id: 'branch', name: 'branch', condition }], now, rfm).memberships, 'branch');
  const path = step.paths.find((candidate) =>
    (candidate.segmentId !== undefined && Object.hasOwn(profile.segments, candidate.segmentId)) ||
    (candidate.condition !== undefined && holds(candidate.condition)));
  return path?.name ?? OTHERWISE;
}

/**
 * The variant a step runs under: the assignment of the nearest split before it on the path from
 * the split's variant (steps not after any split have none).
 *
 * @example
 * variantForStep(journey, { offer: 'b' }, 'email-b'); // 'b'
 */
export function variantForStep(steps: readonly Step[], variants: Record<string, string> | undefined, stepId: string): string | undefined {
  if (variants === undefined) return undefined;
  const byId = new Map(steps.map((step) => [step.id, step]));
  let found: { variant: string; distance: number } | undefined;
  for (const step of steps) {
    if (step.type !== 'split' || !Object.hasOwn(variants, step.id)) continue;
    const assigned = variants[step.id];
    const start = step.variants.find((variant) => variant.name === assigned)?.next;
    const distance = start === undefined ? undefined : distanceTo(byId, start, stepId);
    if (distance !== undefined && (found === undefined || distance < found.distance)) found = { variant: assigned, distance };
  }
  return found?.variant;
}

/** Breadth-first steps from `from` to `to` (journeys are acyclic and small). */
function distanceTo(byId: Map<string, Step>, from: string, to: string): number | undefined {
  let frontier = [from];
  const seen = new Set<string>();
  for (let distance = 0; frontier.length > 0; distance++) {
    if (frontier.includes(to)) return distance;
    const next: string[] = [];
    for (const id of frontier) {
      if (seen.has(id)) continue;
      seen.add(id);
      const step = byId.get(id);
      if (step !== undefined) next.push(...successors(step));
    }
    frontier = next;
  }
  return undefined;
}

function successors(step: Step): string[] {
  switch (step.type) {
    case 'wait': case 'waitUntilTime': case 'send': case 'updateProfile': return [step.next];
    case 'waitUntilDate': return [step.next, step.ifMissing];
    case 'waitForEvent': return [step.onEvent, step.onTimeout];
    case 'branch': return [...step.paths.map((path) => path.next), step.otherwise];
    case 'split': return step.variants.map((variant) => variant.next);
    case 'exit': return [];
    default: {
      const unknown: never = step;
      throw new Error(`unknown step ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * A number in [0, 1) from the first 52 bits of SHA-256: uniform and stable everywhere. Salt the
 * text per use (splits hash `profile|journey|step`, the global control group its own salt), so
 * that assignments of different uses are independent.
 *
 * @example
 * unitHash('global-control|p_1'); // 0.7315... always
 */
export function unitHash(text: string): number {
  return parseInt(createHash('sha256').update(text).digest('hex').slice(0, 13), 16) / 2 ** 52;
}
