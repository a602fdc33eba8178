import type { EngineConfig } from '../core/config';
import { parseJourneys, parseTemplates } from '../core/journeys/validate';
import { parseSegments } from '../core/segments/validate';

/**
 * Read the engine configuration that the CDK app bakes into each function bundle (esbuild
 * `define` of `process.env.ENGINE_CONFIG`) and that local mode sets in the environment. It is
 * validated again here so a hand-edited configuration fails at cold start with every problem listed:
 * segments, then templates and journeys when present (journeys against those segments and templates).
 *
 * @example
 * const config = loadEngineConfig(process.env.ENGINE_CONFIG);
 */
export function loadEngineConfig(json: string | undefined): EngineConfig {
  if (json === undefined || json === '') {
    throw new Error('ENGINE_CONFIG is not set: deploy with the JourneyEngine construct, or set it to the JSON of an EngineConfig');
  }
  const raw = JSON.parse(json) as EngineConfig;
  const segments = parseSegments(raw.segments ?? []);
  const templates = raw.templates === undefined ? undefined : parseTemplates(raw.templates);
  const journeys = raw.journeys === undefined ? undefined : parseJourneys(raw.journeys, { segments, templates: templates ?? [] });
  return { ...raw, segments, ...(templates !== undefined && { templates }), ...(journeys !== undefined && { journeys }) };
}
