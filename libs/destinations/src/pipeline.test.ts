import { InMemoryConfigView, type DestinationConfig } from '@manifold/config-client';
import {
  classifyResponse,
  combineOutcomes,
  parseSettings,
  routeEvent,
  translateEvent,
  type Outcome,
} from '@manifold/destination-kit';
import { AmplitudeEmulator, Ga4Emulator, MixpanelEmulator, WebhookEmulator } from '@manifold/emulators';
import type { SpecEvent } from '@manifold/events';
import { destinationById } from './index';
import { deliver, NOW, specEvent } from './test-support/harness';

// The per-event flow the kit's README gives the translator, run against all four emulators:
// config view → integrations object and destination filters → translation → undici → classifier.

const SOURCE = 's1';

function instance(partial: Partial<DestinationConfig> & Pick<DestinationConfig, 'id' | 'catalogId' | 'catalogName'>) {
  return {
    workspaceId: 'w1',
    name: partial.id,
    enabled: true,
    settings: {},
    sourceIds: [SOURCE],
    filters: [],
    ...partial,
  };
}

async function process(view: InMemoryConfigView, event: SpecEvent): Promise<Record<string, string>> {
  const results: Record<string, string> = {};
  for (const config of view.destinationsForSource(SOURCE)) {
    const destination = destinationById(config.catalogId);
    if (!destination) throw new Error(`unknown ${config.catalogId}`);
    let outcome: Outcome;
    // Routing first: an event not meant for this instance is filtered, even when its settings are broken.
    const routed = routeEvent(event, config);
    const settings = parseSettings(destination, config.settings);
    if (routed.kind === 'drop') outcome = routed;
    else if (!settings.ok) outcome = settings.outcome;
    else {
      const translation = translateEvent(destination, routed.event, settings.settings);
      if (translation.kind !== 'requests') outcome = translation;
      else {
        const outcomes = [];
        for (const request of translation.requests) {
          const answer = classifyResponse(destination, request, await deliver(request));
          outcomes.push(...(answer.kind === 'per-item' ? answer.items : [answer]));
        }
        outcome = combineOutcomes(outcomes);
      }
    }
    results[config.id] =
      outcome.kind === 'drop' || outcome.kind === 'dead-letter' ? `${outcome.kind}:${outcome.reason}` : outcome.kind;
  }
  return results;
}

describe('the translation pipeline across the four destinations', () => {
  const hook = new WebhookEmulator({ sharedSecret: 'hook-secret' });
  const mp = new MixpanelEmulator({ projectToken: 'tok', apiSecret: 'sec', now: () => NOW });
  const amp = new AmplitudeEmulator({ apiKey: 'amp', now: () => NOW });
  const ga = new Ga4Emulator({ apiSecret: 'ga', measurementId: 'G-PIPE', now: () => NOW });
  let view: InMemoryConfigView;

  beforeAll(async () => {
    await Promise.all([hook.start(), mp.start(), amp.start(), ga.start()]);
    view = new InMemoryConfigView({
      version: 1,
      sources: [],
      warehouses: [],
      destinations: [
        instance({
          id: 'hook',
          catalogId: 'webhook',
          catalogName: 'Webhook',
          settings: { url: `${hook.baseUrl}/in`, sharedSecret: 'hook-secret' },
        }),
        instance({
          id: 'mp',
          catalogId: 'mixpanel',
          catalogName: 'Mixpanel',
          settings: { projectToken: 'tok', apiSecret: 'sec', apiBaseUrl: mp.baseUrl },
          filters: [
            {
              id: 'f1',
              sourceId: SOURCE,
              title: 'no internal',
              if: 'event = "Internal"',
              actions: [{ type: 'DROP' }],
              enabled: true,
            },
          ],
        }),
        instance({
          id: 'amp',
          catalogId: 'amplitude',
          catalogName: 'Amplitude',
          settings: { apiKey: 'amp', apiBaseUrl: amp.baseUrl, userMapBaseUrl: amp.baseUrl },
          filters: [
            {
              id: 'f2',
              sourceId: SOURCE,
              title: 'no emails',
              if: 'all',
              actions: [{ type: 'DROP_PROPERTIES', fields: { properties: ['email'] } }],
              enabled: true,
            },
          ],
        }),
        instance({
          id: 'ga',
          catalogId: 'google-analytics-4',
          catalogName: 'Google Analytics 4',
          settings: { measurementId: 'G-PIPE', apiSecret: 'ga', apiBaseUrl: ga.baseUrl },
        }),
        instance({
          id: 'off',
          catalogId: 'webhook',
          catalogName: 'Webhook',
          enabled: false,
          settings: { url: `${hook.baseUrl}/off` },
        }),
        instance({
          id: 'broken',
          catalogId: 'mixpanel',
          catalogName: 'Mixpanel',
          settings: { apiBaseUrl: 'not a url' },
        }),
      ],
    });
  });
  afterAll(() => Promise.all([hook.close(), mp.close(), amp.close(), ga.close()]));

  it.each([
    [
      'a track goes everywhere',
      specEvent({
        type: 'track',
        messageId: 'p-1',
        event: 'Signed Up',
        properties: { type: 'google', email: 'a@b.c' },
      }),
      { hook: 'delivered', mp: 'delivered', amp: 'delivered', ga: 'delivered', broken: 'dead-letter:INVALID_SETTINGS' },
    ],
    [
      'a destination filter drops it for Mixpanel only',
      specEvent({ type: 'track', messageId: 'p-2', event: 'Internal' }),
      {
        hook: 'delivered',
        mp: 'drop:FILTERED_BY_RULES',
        amp: 'delivered',
        ga: 'delivered',
        broken: 'dead-letter:INVALID_SETTINGS',
      },
    ],
    [
      'the integrations object turns all but Amplitude off',
      specEvent({ type: 'track', messageId: 'p-3', event: 'Secret', integrations: { All: false, Amplitude: true } }),
      {
        hook: 'drop:FILTERED_BY_INTEGRATIONS_OBJECT',
        mp: 'drop:FILTERED_BY_INTEGRATIONS_OBJECT',
        amp: 'delivered',
        ga: 'drop:FILTERED_BY_INTEGRATIONS_OBJECT',
        broken: 'drop:FILTERED_BY_INTEGRATIONS_OBJECT',
      },
    ],
    [
      'identify: GA4 takes the traits as user properties, with an "identify" event',
      specEvent({ type: 'identify', messageId: 'p-4', traits: { plan: 'pro' } }),
      {
        hook: 'delivered',
        mp: 'delivered',
        amp: 'delivered',
        ga: 'delivered',
        broken: 'dead-letter:INVALID_SETTINGS',
      },
    ],
    [
      'page',
      specEvent({ type: 'page', messageId: 'p-5', name: 'Home' }),
      { hook: 'delivered', mp: 'delivered', amp: 'delivered', ga: 'delivered', broken: 'dead-letter:INVALID_SETTINGS' },
    ],
  ])('%s', async (_name, event, expected) => {
    expect(await process(view, event)).toEqual(expected);
  });

  it('each API received what it should, and nothing for the disabled instance', () => {
    expect(hook.deliveries.map((d) => d.path)).not.toContain('/off');
    expect(hook.deliveries.map((d) => (d.body as SpecEvent).messageId)).toEqual(['p-1', 'p-2', 'p-4', 'p-5']);
    expect(mp.events.map((e) => e.event)).toEqual(['Signed Up', '$identify', 'Viewed Home']);
    expect(mp.profileUpdates).toHaveLength(1);
    // The filter removed the email before translation.
    const signedUp = amp.events.find((e) => e['event_type'] === 'Signed Up');
    expect(signedUp?.['event_properties']).toEqual({ type: 'google' });
    expect(amp.events.map((e) => e['event_type'])).toEqual(['Signed Up', 'Internal', 'Secret', 'Viewed Home']);
    expect(ga.collected.map((c) => (c.body as { events: { name: string }[] }).events[0]?.name)).toEqual([
      'sign_up',
      'Internal',
      'identify',
      'page_view',
    ]);
    expect(ga.collected.flatMap((c) => c.validationMessages)).toEqual([]);
  });
});
