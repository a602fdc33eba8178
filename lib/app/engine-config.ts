import type { EngineConfig } from '../core/config';
import { JourneyValidationError, TemplateValidationError, checkJourneys, parseJourneys, parseTemplates } from '../core/journeys/validate';
import { checkGlobalControlShare } from '../core/measurement/control';
import type { SegmentDefinition } from '../core/segments/definition';
import { SegmentValidationError, parseSegments } from '../core/segments/validate';
import type { JourneyDefinition, TemplateDefinition } from '../core/journeys/definition';

/** An engine configuration that cannot run; `problems` lists every one, from every section. */
export class EngineConfigValidationError extends Error {
  public constructor(public readonly problems: readonly string[]) {
    super(`${problems.length} problem(s) in ENGINE_CONFIG:\n${problems.map((p) => `- ${p}`).join('\n')}`);
    this.name = 'EngineConfigValidationError';
  }
}

/**
 * Read the engine configuration that the CDK app bakes into each function bundle (esbuild
 * `define` of `process.env.ENGINE_CONFIG`) and that local mode sets in the environment. It is
 * validated again here so a hand-edited configuration fails at cold start with every problem listed:
 * `globalControlShare` (0..0.5), segments, then templates and journeys when present (journeys
 * against those segments and templates).
 *
 * @throws {EngineConfigValidationError} listing every problem of every section.
 * @example
 * const config = loadEngineConfig(process.env.ENGINE_CONFIG);
 */
export function loadEngineConfig(json: string | undefined): EngineConfig {
  if (json === undefined || json === '') {
    throw new Error('ENGINE_CONFIG is not set: deploy with the JourneyEngine construct, or set it to the JSON of an EngineConfig');
  }
  const { config, problems } = checkEngineConfig(JSON.parse(json) as EngineConfig);
  if (problems.length > 0) throw new EngineConfigValidationError(problems);
  return config;
}

/**
 * Every problem of a configuration, section by section, and the configuration as parsed: what
 * `loadEngineConfig` runs at cold start and the CDK construct runs at synth, so a configuration that
 * synthesises also starts.
 *
 * @example
 * const { problems } = checkEngineConfig(props.config); // [] when it can run
 */
export function checkEngineConfig(raw: EngineConfig): { config: EngineConfig; problems: string[] } {
  const problems = checkGlobalControlShare(raw.globalControlShare);
  const segments = collect(problems, () => parseSegments(raw.segments ?? []));
  const templates = raw.templates === undefined ? undefined : collect(problems, () => parseTemplates(raw.templates));
  // A section that failed is left out of the journeys' context, so it adds no "unknown segment" noise.
  const templatesFailed = raw.templates !== undefined && templates === undefined;
  const journeys: JourneyDefinition[] | undefined = raw.journeys === undefined
    ? undefined
    : segments !== undefined && !templatesFailed
      ? collect(problems, () => parseJourneys(raw.journeys, { segments, templates: templates ?? [] }))
      : pushAll(problems, checkJourneys(raw.journeys, { ...(segments !== undefined && { segments }), ...(templates !== undefined && { templates }) }));
  const config = {
    ...raw,
    segments: (segments ?? []) as SegmentDefinition[],
    ...(templates !== undefined && { templates: templates as TemplateDefinition[] }),
    ...(journeys !== undefined && { journeys }),
  };
  return { config, problems };
}

function pushAll(problems: string[], checked: { journeys: JourneyDefinition[]; problems: string[] }): JourneyDefinition[] {
  problems.push(...checked.problems);
  return checked.journeys;
}

/** The section's value, or undefined with its problems added to the list. */
function collect<T>(problems: string[], parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (error instanceof SegmentValidationError || error instanceof TemplateValidationError || error instanceof JourneyValidationError) {
      problems.push(...error.problems);
      return undefined;
    }
    throw error;
  }
}
