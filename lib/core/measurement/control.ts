import { unitHash } from '../journeys/split';
import type { RunGroup } from '../profile';

/**
 * The engine-wide global control group: a share of customers who receive no journey message at
 * all, while their entries and conversions are measured like everyone else's, so the readout can
 * compare all journeys together against doing nothing.
 *
 * Membership is a salted hash of the profile id: sticky (the same customer is in or out for every
 * journey, in every process, on every run) and independent of split assignments (those hash
 * `profile|journey|step` without this salt, so a control customer lands in split variants in the
 * same proportions as anyone else).
 */

/** Keeps the control hash independent of the split hashes. Changing it reshuffles the group. */
export const GLOBAL_CONTROL_SALT = 'global-control:v1';
/** More than half the customers held out would leave the treatment group the smaller one. */
export const MAX_GLOBAL_CONTROL_SHARE = 0.5;

/**
 * Is this customer in the global control group for a control share of `share` (0..0.5)?
 * A share of 0 or undefined means no control group.
 *
 * @example
 * isGlobalControl('p_3f9a…', 0.05); // true for about 5% of profile ids, always the same ones
 * isGlobalControl('p_3f9a…', 0);    // false
 */
export function isGlobalControl(profileId: string, share: number | undefined): boolean {
  if (share === undefined || !(share > 0)) return false;
  return unitHash(`${GLOBAL_CONTROL_SALT}|${profileId}`) < share;
}

/**
 * The measurement group of a customer's runs.
 *
 * @example
 * groupOf('p_1', 0.05); // 'treatment' | 'global-control'
 */
export function groupOf(profileId: string, share: number | undefined): RunGroup {
  return isGlobalControl(profileId, share) ? 'global-control' : 'treatment';
}

/**
 * The problems of a configured `globalControlShare` (none when it is absent or valid), each
 * saying why, for the engine configuration's list of problems.
 *
 * @example
 * checkGlobalControlShare(0.6);
 * // ['globalControlShare: 0.6 is over 0.5; ...']
 */
export function checkGlobalControlShare(share: unknown): string[] {
  if (share === undefined) return [];
  if (typeof share !== 'number' || !Number.isFinite(share)) {
    return [`globalControlShare: expected a number from 0 to ${MAX_GLOBAL_CONTROL_SHARE} (the share of customers who get no journey message), got ${JSON.stringify(share)}`];
  }
  if (share < 0) return [`globalControlShare: ${share} is below 0; use 0 for no control group, or a share such as 0.05`];
  if (share > MAX_GLOBAL_CONTROL_SHARE) {
    return [`globalControlShare: ${share} is over ${MAX_GLOBAL_CONTROL_SHARE}; the control group must stay the smaller group (it receives nothing), so use a share such as 0.05 to 0.1`];
  }
  return [];
}
