import { DEFAULT_LOCALE, type EngineConfig } from '../core/config';
import type { RenderedContent } from '../core/messaging/message';
import { renderTemplate } from '../core/messaging/templates';
import type { Profile } from '../core/profile';

/** The configuration has no template with this id. */
export class TemplateNotFoundError extends Error {
  public constructor(public readonly templateId: string, known: readonly string[]) {
    super(`no template "${templateId}" in the engine configuration (known: ${known.length > 0 ? known.join(', ') : 'none'})`);
    this.name = 'TemplateNotFoundError';
  }
}

/**
 * Render a configured template for a profile the way a send step would (same locale chain, same
 * escaping), for the `preview` CLI command. The journey fields read `preview`.
 *
 * Locale: `options.locale`, else the profile's, then the configured default locale, then the
 * template's own default. Throws {@link TemplateNotFoundError} or `TemplateRenderError`.
 *
 * @example
 * const rendered = await previewTemplate(config, 'cart-reminder', profile, { locale: 'en', event: { cartId: 'c-1' } });
 * console.log(rendered.content);
 */
export async function previewTemplate(
  config: EngineConfig,
  templateId: string,
  profile: Profile,
  options: { locale?: string; event?: Record<string, unknown> } = {},
): Promise<RenderedContent> {
  const templates = config.templates ?? [];
  const template = templates.find((t) => t.id === templateId);
  if (!template) throw new TemplateNotFoundError(templateId, templates.map((t) => t.id));
  return renderTemplate(
    template,
    { profile, event: options.event, journey: { id: 'preview', runId: 'preview', stepId: 'preview' } },
    options.locale ?? profile.locale?.value,
    config.messaging?.defaultLocale ?? DEFAULT_LOCALE,
  );
}
