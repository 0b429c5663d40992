import { validateDefinition } from '@manifold/destination-kit';
import { catalog, DESTINATIONS, destinationById, destinationIds } from './index';

describe('destination registry', () => {
  it('lists every destination once, each valid', () => {
    expect(destinationIds()).toEqual(['webhook', 'mixpanel', 'amplitude', 'google-analytics-4']);
    for (const destination of DESTINATIONS)
      expect([destination.id, validateDefinition(destination)]).toEqual([destination.id, []]);
    expect(destinationById('mixpanel')?.name).toBe('Mixpanel');
    expect(destinationById('nope')).toBeUndefined();
  });

  it('derives the catalog from the definitions: names are the integrations keys, secrets are marked', () => {
    const entries = catalog();
    expect(entries.map((e) => [e.id, e.name, e.secretSettings])).toEqual([
      ['webhook', 'Webhook', ['sharedSecret']],
      ['mixpanel', 'Mixpanel', ['apiSecret']],
      ['amplitude', 'Amplitude', ['apiKey']],
      ['google-analytics-4', 'Google Analytics 4', ['apiSecret']],
    ]);
    for (const entry of entries) {
      expect(entry.settingsSchema).toMatchObject({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
      });
      expect(entry.actions.length).toBeGreaterThan(0);
      // Every base URL is a setting with the real host as its default.
      const properties = entry.settingsSchema['properties'] as Record<string, { default?: unknown }>;
      const urls = Object.entries(properties).filter(([key]) => /BaseUrl$/.test(key));
      if (entry.id !== 'webhook') expect(urls.length).toBeGreaterThan(0);
      for (const [, schema] of urls) expect(String(schema.default)).toMatch(/^https:\/\//);
    }
  });
});
