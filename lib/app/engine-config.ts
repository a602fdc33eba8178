import type { EngineConfig } from '../core/config';
import { parseSegments } from '../core/segments/validate';

/**
 * Read the engine configuration that the CDK app bakes into each function bundle (esbuild
 * `define` of `process.env.ENGINE_CONFIG`) and that local mode sets in the environment. It is
 * validated again here so a hand-edited configuration fails at cold start with every problem listed.
 *
 * @example
 * const config = loadEngineConfig(process.env.ENGINE_CONFIG);
 */
export function loadEngineConfig(json: string | undefined): EngineConfig {
  if (json === undefined || json === '') {
    throw new Error('ENGINE_CONFIG is not set: deploy with the JourneyEngine construct, or set it to the JSON of an EngineConfig');
  }
  const raw = JSON.parse(json) as EngineConfig;
  return { ...raw, segments: parseSegments(raw.segments ?? []) };
}
