import { previewTemplate, TemplateNotFoundError } from '../../lib/app/preview';
import type { EngineConfig } from '../../lib/core/config';
import type { TemplateDefinition } from '../../lib/core/journeys/definition';
import { TemplateRenderError, renderTemplate, resolveLocale } from '../../lib/core/messaging/templates';
import type { Profile } from '../../lib/core/profile';
import { emptyProfile } from '../../lib/core/reducer';

const profile: Profile = {
  ...emptyProfile('p_1', '2026-01-01T00:00:00.000Z'),
  traits: { firstName: 'Sari', email: 'sari@example.co.id', tier: 'gold' },
  identities: { userIds: ['u-1'], anonymousIds: [], emails: ['sari@example.co.id'], phones: ['+6281234567890'], devices: [] },
  locale: { value: 'id-ID', at: '2026-01-01T00:00:00.000Z', by: 'm' },
};
const journey = { id: 'cart', runId: 'run-1', stepId: 'remind', variant: 'a' };

const email: TemplateDefinition = {
  id: 'cart-reminder',
  channel: 'email',
  defaultLocale: 'en',
  locales: {
    en: { subject: 'Hi {{ traits.firstName }}', text: 'Your cart {{ event.cartId }} is waiting', html: '<p>Hi {{ traits.firstName }}</p>' },
    id: { subject: 'Halo {{ traits.firstName }}', text: 'Keranjang {{ event.cartId }} menunggu', html: '<p>Halo {{ traits.firstName }}</p>' },
    'id-ID': { subject: 'Halo Kak {{ traits.firstName }}', text: 'Keranjang {{ event.cartId }}', html: '<p>{{ event.note }} {{ event.note | raw }}</p>' },
    'en-GB': { subject: 'Hello {{ traits.firstName }}', text: 'Cheers' },
  },
};

describe('resolveLocale', () => {
  it.each([
    ['exact', 'id-ID', 'en', 'id-ID'],
    ['exact, any case', 'ID-id', 'en', 'id-ID'],
    ['language', 'id-XX', 'en', 'id'],
    ['language, underscore', 'en_AU', 'id', 'en'],
    ['fallback locale', 'fr-FR', 'id', 'id'],
    ['fallback language', 'fr', 'id-SG', 'id'],
    ['template default', 'fr', 'de', 'en'],
    ['no locale: fallback', undefined, 'id', 'id'],
  ])('%s: %s with fallback %s -> %s', (_name, locale, fallback, expected) => {
    expect(resolveLocale(email, locale, fallback)).toBe(expected);
  });

  it('undefined when even the default is missing', () => {
    expect(resolveLocale({ ...email, defaultLocale: 'ja', locales: { de: email.locales.en } } as TemplateDefinition, 'fr', 'es')).toBeUndefined();
  });
});

describe('renderTemplate', () => {
  it('renders email fields with profile, event and journey variables in the resolved locale', async () => {
    // Act
    const rendered = await renderTemplate(email, { profile, event: { cartId: 'c-42' }, journey }, 'id-XX', 'en');

    // Assess
    expect(rendered).toEqual({
      channel: 'email',
      content: { subject: 'Halo Sari', text: 'Keranjang c-42 menunggu', html: '<p>Halo Sari</p>' },
    });
  });

  it('escapes output in email html only; `raw` opts out', async () => {
    // Prepare
    const note = '<b>50%</b> & "more"';

    // Act
    const rendered = await renderTemplate(email, { profile: { ...profile, traits: { firstName: '<Sari>' } }, event: { cartId: '<c>', note }, journey }, 'id-ID', 'en');

    // Assess
    expect(rendered.channel === 'email' && rendered.content).toEqual({
      subject: 'Halo Kak <Sari>',
      text: 'Keranjang <c>',
      html: '<p>&lt;b&gt;50%&lt;/b&gt; &amp; &#34;more&#34; <b>50%</b> & "more"</p>',
    });
  });

  it('renders a missing variable as empty, and `default` fills it', async () => {
    const template: TemplateDefinition = { id: 'sms-1', channel: 'sms', defaultLocale: 'id', locales: { id: { body: 'Hai {{ traits.nickname }}|{{ traits.nickname | default: "Kak" }}|{{ event.missing.deep }}' } } };
    const rendered = await renderTemplate(template, { profile, journey }, undefined, 'id');
    expect(rendered).toEqual({ channel: 'sms', content: { body: 'Hai |Kak|' } });
  });

  it('exposes profile fields, journey ids and context', async () => {
    const template: TemplateDefinition = {
      id: 'push-1',
      channel: 'push',
      defaultLocale: 'en',
      locales: {
        en: {
          title: '{{ profile.id }} {{ profile.email }} {{ profile.phone }} {{ profile.locale }}',
          body: '{{ journey.id }}/{{ journey.stepId }}/{{ journey.variant }}/{{ journey.context.offer }}',
          url: 'https://shop.example/c/{{ event.cartId | url_encode }}',
          data: { tier: '{{ traits.tier | upcase }}', fixed: 'x' },
        },
      },
    };
    const rendered = await renderTemplate(template, { profile, event: { cartId: 'a b' }, journey: { ...journey, context: { offer: 'BOGO' } } }, 'en', 'id');
    expect(rendered).toEqual({
      channel: 'push',
      content: {
        title: 'p_1 sari@example.co.id +6281234567890 id-ID',
        body: 'cart/remind/a/BOGO',
        url: 'https://shop.example/c/a+b',
        data: { tier: 'GOLD', fixed: 'x' },
      },
    });
  });

  it('keeps the subject on one line', async () => {
    const rendered = await renderTemplate(email, { profile: { ...profile, traits: { firstName: 'Sari\r\nBcc: x@y.z' } }, journey }, 'en', 'en');
    expect(rendered.channel === 'email' && rendered.content.subject).toBe('Hi Sari Bcc: x@y.z');
  });

  it('an unknown filter is a TemplateRenderError naming template, locale and field', async () => {
    const template: TemplateDefinition = { id: 'bad', channel: 'sms', defaultLocale: 'en', locales: { en: { body: '{{ traits.firstName | shout }}' } } };
    const error = await renderTemplate(template, { profile, journey }, 'en', 'en').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemplateRenderError);
    expect(error).toMatchObject({ name: 'TemplateRenderError', templateId: 'bad', locale: 'en', field: 'body' });
    expect((error as Error).message).toContain('shout');
  });

  it('a syntax error names the field', async () => {
    const template: TemplateDefinition = { id: 'broken', channel: 'email', defaultLocale: 'id', locales: { id: { subject: 'ok', text: '{% if x %}unclosed' } } };
    await expect(renderTemplate(template, { profile, journey }, 'id', 'id')).rejects.toMatchObject({ name: 'TemplateRenderError', field: 'text', locale: 'id' });
  });

  it('a template with no usable locale is a TemplateRenderError', async () => {
    const template = { id: 'empty', channel: 'sms', defaultLocale: 'ja', locales: { de: { body: 'x' } } } as TemplateDefinition;
    await expect(renderTemplate(template, { profile, journey }, 'fr', 'es')).rejects.toMatchObject({ name: 'TemplateRenderError', templateId: 'empty', field: '*' });
  });

  it('re-parses a changed template (cache keyed by source)', async () => {
    const v1: TemplateDefinition = { id: 'v', channel: 'sms', defaultLocale: 'id', locales: { id: { body: 'one {{ traits.tier }}' } } };
    const v2: TemplateDefinition = { id: 'v', channel: 'sms', defaultLocale: 'id', locales: { id: { body: 'two {{ traits.tier }}' } } };
    expect(await renderTemplate(v1, { profile, journey }, 'id', 'id')).toEqual({ channel: 'sms', content: { body: 'one gold' } });
    expect(await renderTemplate(v2, { profile, journey }, 'id', 'id')).toEqual({ channel: 'sms', content: { body: 'two gold' } });
    expect(await renderTemplate(v1, { profile, journey }, 'id', 'id')).toEqual({ channel: 'sms', content: { body: 'one gold' } });
  });
});

describe('previewTemplate', () => {
  const config: EngineConfig = { segments: [], templates: [email], messaging: { defaultLocale: 'en' } };

  it('uses the profile locale, then the option', async () => {
    expect(await previewTemplate(config, 'cart-reminder', profile, { event: { cartId: 'c-1' } })).toMatchObject({ content: { subject: 'Halo Kak Sari' } });
    expect(await previewTemplate(config, 'cart-reminder', profile, { locale: 'en-GB' })).toMatchObject({ content: { subject: 'Hello Sari' } });
    expect(await previewTemplate(config, 'cart-reminder', { ...profile, locale: undefined })).toMatchObject({ content: { subject: 'Hi Sari' } });
  });

  it('throws TemplateNotFoundError for an unknown id', async () => {
    await expect(previewTemplate(config, 'nope', profile, {})).rejects.toBeInstanceOf(TemplateNotFoundError);
    await expect(previewTemplate(config, 'nope', profile, {})).rejects.toThrow('known: cart-reminder');
  });
});
