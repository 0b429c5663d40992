import { validateDefinition } from '@manifold/destination-kit/testing';
import { catalog, DESTINATIONS, destinationById, destinationIds } from './index';

describe('destination registry', () => {
  it('lists every destination once, each valid', () => {
    const ids = destinationIds();
    expect(ids).toEqual(expect.arrayContaining(['webhook', 'mixpanel', 'amplitude', 'google-analytics-4']));
    expect(new Set(ids).size).toBe(ids.length);
    // The name is the destination's key in the integrations object: two types cannot share one.
    expect(new Set(DESTINATIONS.map((d) => d.name)).size).toBe(ids.length);
    for (const destination of DESTINATIONS) {
      expect([destination.id, validateDefinition(destination)]).toEqual([destination.id, []]);
    }
    expect(destinationById('mixpanel')?.name).toBe('Mixpanel');
    expect(destinationById('nope')).toBeUndefined();
  });

  it('derives the catalog from the definitions: names are the integrations keys, secrets are marked', () => {
    const entries = catalog();
    expect(entries.map((e) => e.id)).toEqual(destinationIds());
    const wholeSecrets = (secrets: Record<string, string>) =>
      Object.keys(secrets).filter((name) => secrets[name] === 'whole');
    expect(entries.map((e) => [e.id, e.name, wholeSecrets(e.secrets)])).toEqual(
      expect.arrayContaining([
        ['webhook', 'Webhook', ['sharedSecret']],
        ['mixpanel', 'Mixpanel', ['apiSecret']],
        ['amplitude', 'Amplitude', ['apiKey']],
        ['google-analytics-4', 'Google Analytics 4', ['apiSecret']],
      ]),
    );
    for (const entry of entries) {
      expect(entry.settingsSchema).toMatchObject({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
      });
      expect(entry.actions.length).toBeGreaterThan(0);
      // A credential of some kind: a key, a URL that is one (Slack's webhook URL), or an OAuth
      // connection alone (Salesforce), whose tokens the control plane keeps outside the settings.
      if (entry.oauth && wholeSecrets(entry.secrets).length === 0) continue;
      expect([entry.id, Object.keys(entry.secrets).length]).not.toEqual([entry.id, 0]);
      if (entry.id !== 'slack') expect([entry.id, wholeSecrets(entry.secrets).length]).not.toEqual([entry.id, 0]);
    }
  });

  it('every base URL of the first four is a setting with the real host as its default', () => {
    for (const entry of catalog().filter((e) => ['mixpanel', 'amplitude', 'google-analytics-4'].includes(e.id))) {
      const properties = entry.settingsSchema['properties'] as Record<string, { default?: unknown }>;
      const urls = Object.entries(properties).filter(([key]) => /BaseUrl$/.test(key));
      expect(urls.length).toBeGreaterThan(0);
      for (const [, schema] of urls) expect(String(schema.default)).toMatch(/^https:\/\/[a-z0-9.-]+$/);
    }
  });
});
