import { DEFAULT_RFM, type EngineConfig } from './config';
import type { Profile } from './profile';
import { computeRfm } from './rfm';
import { evaluateSegments } from './segments/evaluator';

/** A profile after evaluation, with the segments it entered and exited. */
export interface ProfileEvaluation {
  readonly profile: Profile;
  readonly entered: string[];
  readonly exited: string[];
}

/**
 * Bring a profile's time-dependent state up to `now`: RFM scores (with `config.rfm`, default
 * {@link DEFAULT_RFM}), segment memberships and `nextEvaluationAt` (removed when nothing
 * time-dependent applies). Run it after every fold and when `nextEvaluationAt` falls due.
 *
 * @example
 * const { profile: evaluated, entered } = evaluateProfile(profile, config, new Date('2026-03-01T00:00:00Z'));
 * evaluated.metrics.rfm?.tier; // 'new'
 */
export function evaluateProfile(profile: Profile, config: EngineConfig, now: Date): ProfileEvaluation {
  const thresholds = config.rfm ?? DEFAULT_RFM;
  const { rfm: _stale, ...metrics } = profile.metrics;
  const rfm = computeRfm(profile.metrics, now, thresholds);
  const scored: Profile = { ...profile, metrics: { ...metrics, ...(rfm && { rfm }) } };
  const { memberships, entered, exited, nextEvaluationAt } = evaluateSegments(scored, config.segments, now, thresholds);
  const { nextEvaluationAt: _previous, ...rest } = scored;
  return {
    profile: { ...rest, segments: memberships, ...(nextEvaluationAt !== undefined && { nextEvaluationAt }) },
    entered,
    exited,
  };
}
