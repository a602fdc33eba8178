import { Liquid, type Template } from 'liquidjs';
import type { TemplateDefinition } from '../journeys/definition';
import type { Profile } from '../profile';
import type { RenderedContent } from './message';

/**
 * Template rendering with Liquid (liquidjs). Templates are data in the engine configuration, so a
 * parsed template is cached by its source text: a changed template is parsed again, never served
 * stale.
 *
 * - Unknown filters are errors (`strictFilters`), caught at the first render or preview.
 * - A missing variable renders as nothing, as in Shopify Liquid; write `{{ traits.firstName | default: "Kak" }}`.
 * - Output is HTML-escaped in email `html` only (`| raw` opts out); subjects, text, SMS and push are
 *   plain text and never escaped.
 *
 * liquidjs applies `outputEscape` from its instance options when it parses `{{ }}` (and when it
 * renders `echo`), so escaping for one field needs its own instance: two module-level instances, one
 * plain, one escaping, each created once.
 */

const LIMITS = { parseLimit: 1_000_000, renderLimit: 1_000, memoryLimit: 10_000_000 };
const plain = new Liquid({ strictFilters: true, ownPropertyOnly: true, ...LIMITS });
const html = new Liquid({ strictFilters: true, ownPropertyOnly: true, outputEscape: 'escape', ...LIMITS });
const cache = new Map<string, Template[]>();
/** Parsed templates kept; beyond this the cache starts again (configurations hold far fewer). */
const MAX_CACHED = 2_000;

/** What a template sees. */
export interface TemplateData {
  readonly profile: Profile;
  /** The entry event's properties (or the event being previewed). */
  readonly event?: Record<string, unknown>;
  readonly journey: {
    readonly id: string;
    readonly runId: string;
    readonly stepId: string;
    readonly variant?: string;
    /** Extra context of an API entry. */
    readonly context?: Record<string, unknown>;
  };
}

/** A template could not be rendered: names the template, the locale used and the field. */
export class TemplateRenderError extends Error {
  public constructor(
    public readonly templateId: string,
    public readonly locale: string,
    public readonly field: string,
    options?: { cause?: unknown },
  ) {
    const detail = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`template ${templateId} (locale ${locale}) field ${field} failed to render${detail}`, options);
    this.name = 'TemplateRenderError';
  }
}

/**
 * Pick the template locale: the exact locale (`id-ID`), then its language (`id`), then the fallback
 * locale and its language, then the template's own default. Matching ignores case.
 *
 * @example
 * resolveLocale(template, 'id-ID', 'en'); // 'id' when the template has `id` and `en`
 */
export function resolveLocale(template: TemplateDefinition, locale: string | undefined, fallbackLocale: string): string | undefined {
  const available = Object.keys(template.locales);
  const find = (wanted: string | undefined) => (wanted ? available.find((key) => key.toLowerCase() === wanted.toLowerCase()) : undefined);
  const language = (tag: string | undefined) => tag?.split(/[-_]/)[0];
  const wanted = [locale, language(locale), fallbackLocale, language(fallbackLocale), template.defaultLocale];
  for (const candidate of wanted) {
    const match = find(candidate);
    if (match) return match;
  }
  return undefined;
}

/**
 * Render a template for one customer.
 *
 * Scope: `profile` (`id`, `traits`, `email`, `phone`, `locale`, `timezone`, `location`, `metrics`),
 * `traits` (shortcut for `profile.traits`), `event` (the entry event's properties) and `journey`
 * (`id`, `runId`, `stepId`, `variant`, `context`).
 *
 * @example
 * const rendered = await renderTemplate(template, { profile, event: run.entryEvent?.properties, journey: { id, runId, stepId } }, profile.locale?.value, 'id');
 * rendered.channel === 'email' && rendered.content.subject; // 'Halo Sari, keranjangmu menunggu'
 */
export async function renderTemplate(
  template: TemplateDefinition,
  data: TemplateData,
  locale: string | undefined,
  fallbackLocale: string,
): Promise<RenderedContent> {
  const used = resolveLocale(template, locale, fallbackLocale);
  if (used === undefined) {
    throw new TemplateRenderError(template.id, locale ?? fallbackLocale, '*', {
      cause: new Error(`no content for ${locale ?? '-'}, ${fallbackLocale} or the default ${template.defaultLocale}`),
    });
  }
  const scope = scopeOf(data);
  const render = (field: string, source: string, engine: Liquid = plain) => renderField(engine, source, scope, template.id, used, field);
  switch (template.channel) {
    case 'email': {
      const content = template.locales[used];
      const [subject, text, body] = await Promise.all([
        render('subject', content.subject),
        render('text', content.text),
        content.html === undefined ? undefined : render('html', content.html, html),
      ]);
      return { channel: 'email', content: { subject: oneLine(subject), text, ...(body !== undefined && { html: body }) } };
    }
    case 'sms': {
      const content = template.locales[used];
      return { channel: 'sms', content: { body: await render('body', content.body) } };
    }
    case 'push': {
      const content = template.locales[used];
      const [title, body, url] = await Promise.all([
        render('title', content.title),
        render('body', content.body),
        content.url === undefined ? undefined : render('url', content.url),
      ]);
      const entries = await Promise.all(Object.entries(content.data ?? {}).map(async ([key, value]) => [key, await render(`data.${key}`, value)] as const));
      return {
        channel: 'push',
        content: { title, body, ...(url !== undefined && { url }), ...(content.data !== undefined && { data: Object.fromEntries(entries) }) },
      };
    }
    default:
      return assertNever(template);
  }
}

function scopeOf(data: TemplateData): Record<string, unknown> {
  const { profile } = data;
  return {
    profile: {
      id: profile.profileId,
      traits: profile.traits,
      email: typeof profile.traits.email === 'string' ? profile.traits.email : profile.identities.emails[0],
      phone: profile.identities.phones[0],
      locale: profile.locale?.value,
      timezone: profile.timezone?.value,
      location: profile.location?.value,
      metrics: profile.metrics,
    },
    traits: profile.traits,
    event: data.event ?? {},
    journey: data.journey,
  };
}

async function renderField(engine: Liquid, source: string, scope: object, templateId: string, locale: string, field: string): Promise<string> {
  try {
    const key = `${engine === html ? 'h' : 'p'}\u0000${source}`;
    let parsed = cache.get(key);
    if (!parsed) {
      parsed = engine.parse(source);
      if (cache.size >= MAX_CACHED) cache.clear();
      cache.set(key, parsed);
    }
    return String(await engine.render(parsed, scope));
  } catch (error) {
    throw new TemplateRenderError(templateId, locale, field, { cause: error });
  }
}

/** A subject is one header line: a newline from data must not start a new header. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

function assertNever(value: never): never {
  throw new Error(`unexpected template ${JSON.stringify(value)}`);
}
